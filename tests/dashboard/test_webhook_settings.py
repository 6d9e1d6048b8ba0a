"""Settings → webhooks (business plan): add with a secret shown once, list, remove; refused
on other plans and for someone else's webhook (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from clippy.accounts.users import set_plan
from clippy.db.models import User, Webhook
from tests.dashboard.conftest import Browserish


def _business(b: Browserish) -> None:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, "business")
        s.commit()


def _hooks(b: Browserish) -> list[Webhook]:
    with b.session_factory() as s:
        return list(s.query(Webhook).filter_by(user_id=b.user_id).order_by(Webhook.id))


def test_free_plan_cannot_add_webhooks(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("free-hooks@example.com")
    assert "Webhooks come with the Business plan" in b.get("/app/settings").text
    r = b.post(
        "/app/settings/webhooks", {"url": "https://example.com/h", "events": "export.completed"}
    )
    assert r.status_code == 400 and "you are on Free" in r.text
    assert _hooks(b) == []


def test_business_adds_lists_and_removes_webhooks(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("biz-hooks@example.com")
    other = signed_up("biz-other@example.com")
    _business(b)
    _business(other)
    assert "No webhooks yet." in b.get("/app/settings").text

    r = b.post(
        "/app/settings/webhooks",
        {"url": "https://hooks.example.com/clippy", "events": "export.completed"},
    )
    assert r.status_code == 201
    (hook,) = _hooks(b)
    assert hook.url == "https://hooks.example.com/clippy" and hook.events == ["export.completed"]
    # The signing secret is shown once, then never again.
    assert f"data-new-hook-secret>{hook.secret}<" in r.text
    page = b.get("/app/settings")
    assert hook.secret not in page.text and "https://hooks.example.com/clippy" in page.text
    assert "not recorded yet" in page.text  # no delivery log: said, not faked

    for data, message in (
        ({"url": "ftp://x.example.com", "events": "export.completed"}, "is not an http(s) URL"),
        (
            {"url": "https://x.example.com", "events": "clip.created"},
            "Unknown event type clip.created",
        ),
        ({"url": "https://x.example.com"}, "at least one event type"),
    ):
        bad = b.post("/app/settings/webhooks", data)
        assert bad.status_code == 400 and message in bad.text, data
    assert len(_hooks(b)) == 1

    # Someone else's webhook id: 404, and it stays.
    assert other.post(f"/app/settings/webhooks/{hook.id}/delete").status_code == 404
    assert b.client.post(f"/app/settings/webhooks/{hook.id}/delete").status_code == 403
    assert len(_hooks(b)) == 1
    r = b.post(f"/app/settings/webhooks/{hook.id}/delete")
    assert r.status_code == 303 and _hooks(b) == []
    assert "Webhook removed" in b.get(r.headers["location"]).text
