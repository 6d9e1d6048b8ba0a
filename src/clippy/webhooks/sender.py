"""Sends events to a business account's webhooks off the caller's thread, logging each.

Callers (the export queue, the live event hub, the settings page's test button) only hand
over the event; looking up the subscribed webhooks, logging the delivery and the HTTP with
its retries happen on background threads, one per delivery, so a dead receiver that is
retried for a minute never holds up a request, the event loop or another receiver.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import get_plan
from clippy.db import User, Webhook
from clippy.webhooks.deliveries import open_delivery, record_attempt
from clippy.webhooks.egress import EgressPolicy
from clippy.webhooks.transport import Attempt, deliver, event_body, new_event_id

__all__ = ["CLIP_CREATED", "PING", "SenderConfig", "WebhookSender", "clip_created_data"]

log = logging.getLogger(__name__)

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
class _Target:
    url: str
    secret: str
    delivery_id: int


def clip_created_data(live_event: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The ``clip.created`` webhook data from the hub's ``clip_created`` event, its signed
    links made absolute (a receiver has no page to resolve them against)."""
    clip = dict(live_event["clip"])
    for key in ("file_url", "thumbnail_url"):
        if clip.get(key):
            clip[key] = public_url.rstrip("/") + clip[key]
    return {"stream_id": live_event["stream_id"], "clip": clip}


class WebhookSender:
    """Delivers events to webhooks on background threads (``Runtime.webhooks``)."""

    def __init__(self, session_factory: sessionmaker[Session], config: SenderConfig) -> None:
        self.session_factory = session_factory
        self.config = config
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def send(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        """Deliver ``event`` to every webhook of ``user_id`` subscribed to it (business plan
        only); returns at once."""
        self._spawn(self._fan_out, user_id, event, data)

    def ping(self, hook: Webhook) -> int:
        """Send a ``ping`` test event to ``hook`` now; returns the delivery's id (its row is
        committed before this returns, so the settings page shows it as pending)."""
        event_id = new_event_id()
        body = event_body(
            PING, {"webhook_id": hook.id, "message": "Test event from Clippy"}, event_id=event_id
        )
        with self.session_factory() as session:
            delivery_id = open_delivery(session, hook.id, PING, event_id)
            session.commit()
        self._spawn(self._deliver, _Target(hook.url, hook.secret, delivery_id), PING, body)
        return delivery_id

    def forward_live_event(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """Hub listener: a ``clip_created`` live event goes out as ``clip.created`` to the
        clip owner's webhooks (teammates who also see the live event have their own)."""
        if event.get("type") != "clip_created":
            return
        owner = event.get("user_id", user_ids if isinstance(user_ids, int) else None)
        if isinstance(owner, int):
            self.send(owner, CLIP_CREATED, clip_created_data(event, self.config.public_url))

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for the deliveries under way (tests, shutdown); whether all finished."""
        # A fan-out thread starts its delivery threads before it ends, so the set is only
        # empty once everything is done.
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = next(iter(self._threads), None)
            if pending is None:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            pending.join(left)

    def _spawn(self, target: Any, *args: Any) -> None:
        def run() -> None:
            try:
                target(*args)
            except Exception:  # a bug here must not go unseen on a bare thread
                log.exception("webhook delivery failed unexpectedly")
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=run, name="webhook", daemon=True)
        with self._lock:  # started under the lock: ``wait`` never sees an unstarted thread
            self._threads.add(thread)
            thread.start()

    def _fan_out(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        event_id = new_event_id()
        body = event_body(event, data, event_id=event_id)
        with self.session_factory() as session:
            user = session.get(User, user_id)
            if user is None or not get_plan(user.plan).api_and_webhooks:
                return
            hooks = session.scalars(select(Webhook).where(Webhook.user_id == user_id))
            targets = [
                _Target(h.url, h.secret, open_delivery(session, h.id, event, event_id))
                for h in hooks
                if event in h.events
            ]
            session.commit()
        for target in targets:
            self._spawn(self._deliver, target, event, body)

    def _deliver(self, target: _Target, event: str, body: bytes) -> None:
        def on_attempt(attempt: Attempt) -> None:
            record_attempt(self.session_factory, target.delivery_id, attempt)

        deliver(
            target.url,
            target.secret,
            event,
            body,
            attempts=self.config.attempts,
            backoff=self.config.backoff,
            timeout=self.config.timeout,
            on_attempt=on_attempt,
            policy=self.config.policy,
        )
