"""Webhooks API (SQLite and PostgreSQL): add with a secret shown once, clear refusals, a test
event to a real receiver, its delivery log, and someone else's webhook is a 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.users import set_plan
from clippy.db.models import User
from clippy.jobs.webhooks import WebhookThreads
from clippy.webhooks.transport import NO_ANSWER, SIGNATURE_HEADER, verify
from tests.fixtures.app import auth, register_user
from tests.fixtures.webhook_receiver import LOOPBACK_ALLOWED, dead_url, webhook_receiver


def _factory(client: TestClient) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = client.app.state.ctx.session_factory  # type: ignore[attr-defined]
    return factory


def _sender(client: TestClient) -> WebhookThreads:
    sender: WebhookThreads = client.app.state.ctx.jobs.webhooks  # type: ignore[attr-defined]
    return sender


def _business(client: TestClient, email: str) -> dict[str, str]:
    headers = auth(register_user(client, email))
    with _factory(client)() as s:
        user = s.query(User).filter_by(email=email).one()
        set_plan(s, user, "business")
        s.commit()
    return headers


def test_webhook_api_refusals(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    free = auth(register_user(client, "free@example.test"))
    r = client.post("/api/v1/webhooks", headers=free, json={"url": "https://x.example.com/h"})
    assert r.status_code == 403
    assert r.json()["detail"] == "webhooks come with the Business plan; you are on Free"
    biz = _business(client, "biz@example.test")
    for body, message in (
        ({"url": "ftp://x.example.com"}, "is not an http(s) URL"),
        ({"url": "https://x.example.com", "events": ["clip.deleted"]}, "unknown event type"),
        ({"url": "https://x.example.com", "events": []}, "choose at least one event type"),
    ):
        r = client.post("/api/v1/webhooks", headers=biz, json=body)
        assert r.status_code == 422 and message in r.json()["detail"], body
    assert client.get("/api/v1/webhooks", headers=biz).json() == []
    # A downgraded account keeps its webhook but cannot send to it.
    hook = client.post(
        "/api/v1/webhooks", headers=biz, json={"url": "https://x.example.com/h"}
    ).json()
    with _factory(client)() as s:
        user = s.query(User).filter_by(email="biz@example.test").one()
        set_plan(s, user, "pro")
        s.commit()
    r = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=biz)
    assert r.status_code == 403 and "you are on Pro" in r.json()["detail"]


def test_test_event_delivery_log_and_scoping(make_client: Callable[..., TestClient]) -> None:
    client = make_client(
        webhook_attempts=3, webhook_backoff_seconds=0.05, egress_allow_hosts=LOOPBACK_ALLOWED
    )
    biz = _business(client, "owner@example.test")
    other = _business(client, "other@example.test")
    with webhook_receiver([500]) as rec:
        r = client.post(
            "/api/v1/webhooks",
            headers=biz,
            json={"url": rec.url, "events": ["clip.created", "export.completed"]},
        )
        assert r.status_code == 201
        hook: dict[str, Any] = r.json()
        assert len(hook["secret"]) == 64 and hook["events"] == ["export.completed", "clip.created"]
        listed = client.get("/api/v1/webhooks", headers=biz).json()
        assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["secret"] is None
        deliveries = f"/api/v1/webhooks/{hook['id']}/deliveries"
        assert client.get(deliveries, headers=biz).json() == []

        sent = client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=biz)
        assert sent.status_code == 202 and sent.json()["event"] == "ping"
        assert _sender(client).wait(20)
    (row,) = client.get(deliveries, headers=biz).json()
    assert row["id"] == sent.json()["id"]
    assert (row["status"], row["attempts"], row["status_code"]) == ("delivered", 2, 200)
    assert row["error"] is None and row["finished_at"] is not None
    assert len(rec.calls) == 2 and json.loads(rec.calls[1].body)["id"] == row["event_id"]
    assert verify(hook["secret"], rec.calls[1].body, rec.calls[1].headers[SIGNATURE_HEADER])

    # A dead URL: failed, with the reason.
    dead = client.post(
        "/api/v1/webhooks", headers=biz, json={"url": dead_url(), "events": ["clip.created"]}
    ).json()
    client.post(f"/api/v1/webhooks/{dead['id']}/test", headers=biz)
    assert _sender(client).wait(20)
    (failed,) = client.get(f"/api/v1/webhooks/{dead['id']}/deliveries", headers=biz).json()
    assert (failed["status"], failed["attempts"], failed["status_code"]) == ("failed", 3, None)
    assert failed["error"] == NO_ANSWER
    assert client.get(f"{deliveries}?limit=0", headers=biz).status_code == 422

    # Someone else's webhook id is a 404 everywhere; nothing is sent or removed.
    for method, path in (
        ("GET", deliveries),
        ("POST", f"/api/v1/webhooks/{hook['id']}/test"),
        ("DELETE", f"/api/v1/webhooks/{hook['id']}"),
        ("GET", "/api/v1/webhooks/999999/deliveries"),
    ):
        r = client.request(method, path, headers=other)
        assert r.status_code == 404 and "not found" in r.json()["detail"], path
    assert len(rec.calls) == 2
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=biz).status_code == 204
    assert client.get(deliveries, headers=biz).status_code == 404


def test_webhook_urls_to_internal_addresses_are_refused(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    biz = _business(client, "ssrf@example.test")
    for url in (
        "http://127.0.0.1:6379/",
        "http://2130706433/",
        "http://127.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.5/",
        "http://example.com@127.0.0.1/",
    ):
        r = client.post("/api/v1/webhooks", headers=biz, json={"url": url})
        assert r.status_code == 422, (url, r.text)
        assert "not" in r.json()["detail"], url
    assert client.get("/api/v1/webhooks", headers=biz).json() == []
