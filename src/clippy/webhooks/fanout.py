"""Webhook deliveries as plain steps: plan an event's deliveries (one logged row per
subscribed webhook), then deliver each one with its retries.

Both are functions of ids and rows, safe to run on any thread or worker process; the job
layer (``clippy.jobs``) decides where they run, so a dead receiver retried for a minute never
holds up a request, the event loop or another receiver.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import get_plan
from clippy.db import User, Webhook
from clippy.webhooks.deliveries import open_delivery, record_attempt
from clippy.webhooks.egress import EgressPolicy
from clippy.webhooks.transport import Attempt, deliver, event_body, new_event_id

__all__ = [
    "CLIP_CREATED",
    "PING",
    "Delivery",
    "SenderConfig",
    "clip_created_data",
    "deliver_one",
    "live_event_webhook",
    "open_ping",
    "plan_deliveries",
]

CLIP_CREATED = "clip.created"
PING = "ping"


@dataclass(frozen=True)
class SenderConfig:
    """Delivery knobs (from ``Settings``)."""

    attempts: int = 5
    backoff: float = 2.0
    timeout: float = 10.0
    public_url: str = ""  # prefixed to the signed links inside events
    policy: EgressPolicy = field(default_factory=EgressPolicy)  # receivers it may call


@dataclass(frozen=True)
class Delivery:
    """One logged delivery to make: where, with which secret, which event and body."""

    url: str
    secret: str
    delivery_id: int
    event: str
    body: str  # the signed JSON body, as text so a job queue can carry it

    def as_args(self) -> dict[str, Any]:
        """The delivery as plain JSON-able job arguments."""
        return asdict(self)


def clip_created_data(live_event: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The ``clip.created`` webhook data from the hub's ``clip_created`` event, its signed
    links made absolute (a receiver has no page to resolve them against)."""
    clip = dict(live_event["clip"])
    for key in ("file_url", "thumbnail_url"):
        if clip.get(key):
            clip[key] = public_url.rstrip("/") + clip[key]
    return {"stream_id": live_event["stream_id"], "clip": clip}


def live_event_webhook(
    user_ids: int | set[int], event: dict[str, Any], public_url: str
) -> tuple[int, str, dict[str, Any]] | None:
    """(owner, webhook event, data) a live hub event is sent as, or ``None``: a
    ``clip_created`` goes out as ``clip.created`` to the clip owner's webhooks (teammates
    who also see the live event have their own)."""
    if event.get("type") != "clip_created":
        return None
    owner = event.get("user_id", user_ids if isinstance(user_ids, int) else None)
    if not isinstance(owner, int):
        return None
    return owner, CLIP_CREATED, clip_created_data(event, public_url)


def plan_deliveries(
    session_factory: sessionmaker[Session], user_id: int, event: str, data: dict[str, Any]
) -> list[Delivery]:
    """Open (and commit) one delivery row per webhook of ``user_id`` subscribed to
    ``event``; none unless the owner's plan has webhooks."""
    event_id = new_event_id()
    body = event_body(event, data, event_id=event_id).decode()
    with session_factory() as session:
        user = session.get(User, user_id)
        if user is None or not get_plan(user.plan).api_and_webhooks:
            return []
        hooks = session.scalars(select(Webhook).where(Webhook.user_id == user_id))
        out = [
            Delivery(h.url, h.secret, open_delivery(session, h.id, event, event_id), event, body)
            for h in hooks
            if event in h.events
        ]
        session.commit()
    return out


def open_ping(session_factory: sessionmaker[Session], hook: Webhook) -> Delivery:
    """A ``ping`` test delivery to ``hook``, its row committed (shown as pending at once)."""
    event_id = new_event_id()
    body = event_body(
        PING, {"webhook_id": hook.id, "message": "Test event from Clippy"}, event_id=event_id
    )
    with session_factory() as session:
        delivery_id = open_delivery(session, hook.id, PING, event_id)
        session.commit()
    return Delivery(hook.url, hook.secret, delivery_id, PING, body.decode())


def deliver_one(
    session_factory: sessionmaker[Session], config: SenderConfig, delivery: Delivery
) -> None:
    """Make one delivery with its retries, logging every attempt on its row."""

    def on_attempt(attempt: Attempt) -> None:
        record_attempt(session_factory, delivery.delivery_id, attempt)

    deliver(
        delivery.url,
        delivery.secret,
        delivery.event,
        delivery.body.encode(),
        attempts=config.attempts,
        backoff=config.backoff,
        timeout=config.timeout,
        on_attempt=on_attempt,
        policy=config.policy,
    )
