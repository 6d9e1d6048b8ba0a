"""The webhook delivery log against real receivers on loopback sockets (SQLite and
PostgreSQL): every attempt updates the row, retention trims it, removal cascades."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import User, Webhook, WebhookDelivery
from clippy.db.types import utcnow
from clippy.jobs.webhooks import WebhookThreads
from clippy.retention.sweeper import sweep_expired
from clippy.storage.local import LocalStore
from clippy.webhooks.deliveries import (
    DELIVERIES_PER_WEBHOOK,
    INTERRUPTED,
    apply_attempt,
    open_delivery,
    prune_deliveries,
    recent_deliveries,
)
from clippy.webhooks.endpoints import add_endpoint, remove_endpoint
from clippy.webhooks.fanout import SenderConfig, clip_created_data
from clippy.webhooks.transport import NO_ANSWER, SIGNATURE_HEADER, Attempt, verify
from tests.fixtures.webhook_receiver import LOOPBACK, dead_url, webhook_receiver

FAST = SenderConfig(attempts=3, backoff=0.05, timeout=2.0, policy=LOOPBACK)


def _user(session: Session, email: str, plan: str = "business") -> User:
    user = User(email=email, password_hash="unused", plan=plan)
    session.add(user)
    session.flush()
    return user


def _hook(
    factory: sessionmaker[Session], url: str, events: list[str], plan: str = "business"
) -> tuple[int, int, str]:
    """A business user with one webhook, then moved to ``plan``: (user id, hook id, secret)."""
    with factory() as s:
        user = _user(s, f"{uuid.uuid4().hex[:10]}@example.com")
        hook = add_endpoint(s, user, url, events, policy=LOOPBACK)
        user.plan = plan  # a later downgrade keeps the row but must stop deliveries
        s.commit()
        return user.id, hook.id, hook.secret


def _deliveries(factory: sessionmaker[Session], hook_id: int) -> list[WebhookDelivery]:
    with factory() as s:
        return recent_deliveries(s, [hook_id], 100)[hook_id]


def test_500_then_200_is_delivered_on_the_second_attempt(
    session_factory: sessionmaker[Session],
) -> None:
    sender = WebhookThreads(session_factory, FAST)
    with webhook_receiver([500]) as rec:
        uid, hook_id, secret = _hook(session_factory, rec.url, ["export.completed"])
        sender.send(uid, "export.completed", {"export_id": 7})
        assert sender.wait(20)
        calls = rec.wait_for(2)
    (row,) = _deliveries(session_factory, hook_id)
    assert (row.status, row.attempts, row.status_code, row.error) == ("delivered", 2, 200, None)
    assert row.finished_at is not None and row.duration_ms is not None and row.duration_ms >= 0
    assert len(calls) == 2
    bodies = [json.loads(c.body) for c in calls]
    # One event, tried twice: the same id both times, each try signed afresh.
    assert bodies[0]["id"] == bodies[1]["id"] == row.event_id
    assert bodies[1]["type"] == row.event == "export.completed"
    assert all(verify(secret, c.body, c.headers[SIGNATURE_HEADER]) for c in calls)


def test_dead_url_fails_with_the_error_after_every_attempt(
    session_factory: sessionmaker[Session],
) -> None:
    sender = WebhookThreads(session_factory, FAST)
    uid, hook_id, _ = _hook(session_factory, dead_url(), ["export.completed"])
    sender.send(uid, "export.completed", {"export_id": 1})
    assert sender.wait(20)
    (row,) = _deliveries(session_factory, hook_id)
    assert (row.status, row.attempts, row.status_code) == ("failed", 3, None)
    assert row.error == NO_ANSWER
    assert row.finished_at is not None


def test_only_subscribed_business_webhooks_get_an_event(
    session_factory: sessionmaker[Session],
) -> None:
    sender = WebhookThreads(session_factory, FAST)
    with webhook_receiver() as rec:
        uid, exports_only, _ = _hook(session_factory, rec.url, ["export.completed"])
        sender.send(uid, "clip.created", {"clip": {"id": 1}})
        down_uid, downgraded, _ = _hook(session_factory, rec.url + "?d", ["clip.created"], "pro")
        sender.send(down_uid, "clip.created", {"clip": {"id": 2}})
        assert sender.wait(20)
    assert _deliveries(session_factory, exports_only) == []
    assert _deliveries(session_factory, downgraded) == []
    assert rec.calls == []


def test_ping_row_is_pending_at_once_then_delivered(
    session_factory: sessionmaker[Session],
) -> None:
    sender = WebhookThreads(session_factory, FAST)
    with webhook_receiver() as rec:
        _, hook_id, secret = _hook(session_factory, rec.url, ["clip.created"])
        with session_factory() as s:
            hook = s.get(Webhook, hook_id)
            assert hook is not None
            delivery_id = sender.ping(hook)
        assert sender.wait(20)
    (row,) = _deliveries(session_factory, hook_id)
    assert row.id == delivery_id and (row.event, row.status, row.attempts) == (
        "ping",
        "delivered",
        1,
    )
    body = json.loads(rec.calls[0].body)
    assert body["type"] == "ping" and body["data"]["webhook_id"] == hook_id
    assert verify(secret, rec.calls[0].body, rec.calls[0].headers[SIGNATURE_HEADER])


def test_attempt_outcomes_set_the_row() -> None:
    now = utcnow()
    row = WebhookDelivery(webhook_id=1, event="ping", event_id="e", status="pending", attempts=0)
    apply_attempt(row, Attempt(1, False, False, 503, "HTTP 503", 12), now)
    assert (row.status, row.attempts, row.status_code, row.error, row.finished_at) == (
        "pending",
        1,
        503,
        "HTTP 503",
        None,
    )
    apply_attempt(row, Attempt(2, False, True, None, "ConnectError: refused", 3), now)
    assert (row.status, row.status_code, row.finished_at) == ("failed", None, now)
    apply_attempt(row, Attempt(3, True, True, 204, None, 5), now)
    assert (row.status, row.error, row.duration_ms) == ("delivered", None, 5)


def test_retention_keeps_30_days_and_100_per_webhook(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    now = utcnow()
    with session_factory() as s:
        user = _user(s, "keep@example.com")
        busy = add_endpoint(s, user, "https://busy.example.com/h", ["clip.created"])
        quiet = add_endpoint(s, user, "https://quiet.example.com/h", ["clip.created"])
        for k in range(DELIVERIES_PER_WEBHOOK + 20):  # newest is k=0
            d = s.get(WebhookDelivery, open_delivery(s, busy.id, "clip.created", f"b{k}"))
            assert d is not None
            d.status, d.created_at = "delivered", now - timedelta(minutes=k)
        for age, status in ((1, "delivered"), (29, "failed"), (31, "delivered")):
            d = s.get(WebhookDelivery, open_delivery(s, quiet.id, "ping", f"q{age}"))
            assert d is not None
            d.status, d.created_at = status, now - timedelta(days=age)
        # Cut off by a restart two hours ago: never finished.
        stuck = s.get(WebhookDelivery, open_delivery(s, quiet.id, "ping", "stuck"))
        assert stuck is not None
        stuck.created_at = now - timedelta(hours=2)
        fresh = s.get(WebhookDelivery, open_delivery(s, quiet.id, "ping", "fresh"))
        assert fresh is not None
        s.commit()
        busy_id, quiet_id = busy.id, quiet.id
    report = sweep_expired(session_factory, LocalStore(tmp_path / "store"), now)
    assert report.webhook_deliveries == 20 + 1
    kept = _deliveries(session_factory, busy_id)
    assert [d.event_id for d in kept] == [f"b{k}" for k in range(DELIVERIES_PER_WEBHOOK)]
    quiet_rows = {d.event_id: d for d in _deliveries(session_factory, quiet_id)}
    assert set(quiet_rows) == {"q1", "q29", "stuck", "fresh"}
    assert (quiet_rows["stuck"].status, quiet_rows["stuck"].error) == ("failed", INTERRUPTED)
    assert quiet_rows["fresh"].status == "pending"  # may still be under way
    # A second sweep has nothing left to do.
    with session_factory() as s:
        assert prune_deliveries(s, now) == 0


def test_removing_a_webhook_removes_its_log(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        user = _user(s, "rm@example.com")
        hook = add_endpoint(s, user, "https://rm.example.com/h", ["clip.created"])
        open_delivery(s, hook.id, "ping", "x")
        s.commit()
        remove_endpoint(s, user.id, hook.id)
        s.commit()
        assert s.scalars(select(WebhookDelivery)).all() == []


@pytest.mark.parametrize("base", ["", "https://clippy.example.com/"])
def test_clip_created_links_are_made_absolute(base: str) -> None:
    live = {
        "type": "clip_created",
        "user_id": 3,
        "stream_id": 9,
        "clip": {"id": 5, "file_url": "/api/v1/clips/5/file?exp=1&sig=a", "thumbnail_url": None},
    }
    data = clip_created_data(live, base)
    assert data == {
        "stream_id": 9,
        "clip": {
            "id": 5,
            "file_url": base.rstrip("/") + "/api/v1/clips/5/file?exp=1&sig=a",
            "thumbnail_url": None,
        },
    }
    assert live["clip"]["file_url"].startswith("/api")  # type: ignore[index]
