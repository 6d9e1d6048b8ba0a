"""Settings → webhooks (business plan): add with a secret shown once, list, remove, send a
test event and see its deliveries; ``clip.created`` when a clip is made by hand; refused on
other plans, without the CSRF token and for someone else's webhook (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from clippy.accounts.users import set_plan
from clippy.db.models import Clip, User, Webhook
from clippy.jobs.webhooks import WebhookThreads
from clippy.media.cut import SourcePart
from clippy.webhooks.fanout import SenderConfig
from clippy.webhooks.transport import NO_ANSWER, SIGNATURE_HEADER, verify
from tests.dashboard.conftest import Browserish
from tests.dashboard.test_archive import _recorded_stream
from tests.fixtures.webhook_receiver import (
    LOOPBACK,
    LOOPBACK_ALLOWED,
    dead_url,
    webhook_receiver,
)


def _business(b: Browserish, plan: str = "business") -> None:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, plan)
        s.commit()


def _fast_sender(b: Browserish, monkeypatch: pytest.MonkeyPatch) -> WebhookThreads:
    """The app's sender with 3 quick attempts instead of minutes of back-off, allowed to
    call the loopback receivers."""
    ctx = b.client.app.state.ctx  # type: ignore[attr-defined]
    sender: WebhookThreads = ctx.jobs.webhooks
    monkeypatch.setattr(ctx.settings, "egress_allow_hosts", LOOPBACK_ALLOWED)
    config = SenderConfig(attempts=3, backoff=0.05, timeout=2.0, policy=LOOPBACK)
    monkeypatch.setattr(sender, "config", config)
    return sender


def _add(b: Browserish, url: str, *events: str) -> Webhook:
    r = b.post("/app/settings/webhooks", {"url": url, "events": list(events)})
    assert r.status_code == 201, r.text
    return _hooks(b)[-1]


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
    assert "No deliveries yet." in page.text
    assert "keeps its last 100 deliveries of the past 30 days" in page.text

    for data, message in (
        ({"url": "ftp://x.example.com", "events": "export.completed"}, "is not an http(s) URL"),
        (
            {"url": "https://x.example.com", "events": "clip.deleted"},
            "Unknown event type clip.deleted",
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


def test_test_event_deliveries_are_listed_per_webhook(
    signed_up: Callable[[str], Browserish], monkeypatch: pytest.MonkeyPatch
) -> None:
    b = signed_up("biz-ping@example.com")
    other = signed_up("biz-ping-other@example.com")
    _business(b)
    _business(other)
    sender = _fast_sender(b, monkeypatch)
    with webhook_receiver([500]) as rec:
        flaky = _add(b, rec.url, "export.completed")
        dead = _add(b, dead_url(), "clip.created", "export.completed")
        assert dead.events == ["export.completed", "clip.created"]
        for hook in (flaky, dead):
            r = b.post(f"/app/settings/webhooks/{hook.id}/test")
            assert r.status_code == 303
            assert r.headers["location"] == f"/app/settings?saved=hook_test#webhook-{hook.id}"
        assert "Test event sent." in b.get(r.headers["location"]).text
        assert sender.wait(20)
    page = b.get("/app/settings").text
    flaky_part = page[page.index(f'id="deliveries-{flaky.id}"') :]
    flaky_part = flaky_part[: flaky_part.index("</table>")]
    assert 'data-delivery-status="delivered"' in flaky_part
    assert "HTTP 200" in flaky_part and "2 attempts" in flaky_part
    dead_part = page[page.index(f'id="deliveries-{dead.id}"') :]
    assert 'data-delivery-status="failed"' in dead_part and "3 attempts" in dead_part
    assert NO_ANSWER in dead_part
    assert "hx-trigger" not in dead_part[: dead_part.index(">")]  # finished: no polling
    # The fragment the page polls while a delivery is pending.
    frag = b.get(f"/app/settings/webhooks/{dead.id}/deliveries")
    assert frag.status_code == 200 and NO_ANSWER in frag.text

    # Someone else's webhook: 404, nothing sent. Without the CSRF token: refused.
    assert other.post(f"/app/settings/webhooks/{flaky.id}/test").status_code == 404
    assert other.get(f"/app/settings/webhooks/{flaky.id}/deliveries").status_code == 404
    assert b.client.post(f"/app/settings/webhooks/{flaky.id}/test").status_code == 403
    assert len(rec.calls) == 2
    # A downgraded account is told why nothing can be sent.
    _business(b, "pro")
    r = b.post(f"/app/settings/webhooks/{flaky.id}/test")
    assert (
        r.status_code == 403 and "Webhooks come with the Business plan; you are on Pro." in r.text
    )
    assert sender.wait(5) and len(rec.calls) == 2


def test_clip_made_by_hand_is_sent_as_clip_created(
    signed_up: Callable[[str], Browserish],
    mezzanine_parts: list[SourcePart],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    b = signed_up("biz-clips@example.com")
    _business(b)
    sender = _fast_sender(b, monkeypatch)
    sid = _recorded_stream(b, mezzanine_parts)
    with webhook_receiver() as clips_rec, webhook_receiver() as exports_rec:
        hook = _add(b, clips_rec.url, "clip.created")
        _add(b, exports_rec.url, "export.completed")
        r = b.post(f"/app/streams/{sid}/clips", {"start": "12", "end": "20", "title": "Hooked"})
        assert r.status_code == 303, r.text
        clip_id = int(r.headers["location"].split("/")[-1].split("?")[0])
        assert sender.wait(20)
    assert exports_rec.calls == []  # not subscribed to clip.created
    (call,) = clips_rec.calls
    assert verify(hook.secret, call.body, call.headers[SIGNATURE_HEADER])
    assert call.headers["X-Clippy-Event"] == "clip.created"
    event = json.loads(call.body)
    assert event["type"] == "clip.created" and event["data"]["stream_id"] == sid
    clip = event["data"]["clip"]
    with b.session_factory() as s:
        row = s.get(Clip, clip_id)
        assert row is not None
    assert (clip["id"], clip["title"], clip["source"]) == (clip_id, "Hooked", "manual")
    assert abs(clip["duration"] - row.duration) < 1e-6
    assert b.client.get(clip["file_url"]).status_code == 200  # the signed link works
    page = b.get("/app/settings").text
    assert 'data-delivery-status="delivered"' in page and "clip.created" in page
