"""Embedded backend: webhook deliveries on background threads, one per delivery.

A dead receiver is retried for up to a minute inside its delivery; a thread each keeps it
from holding up a request, the event loop or another receiver. The steps themselves
(``plan_deliveries``, ``deliver_one``) are plain functions in ``clippy.webhooks``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.db import Webhook
from clippy.webhooks import (
    Delivery,
    SenderConfig,
    deliver_one,
    live_event_webhook,
    open_ping,
    plan_deliveries,
)

__all__ = ["WebhookThreads"]

log = logging.getLogger(__name__)


class WebhookThreads:
    """Runs webhook deliveries off the caller's thread."""

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
        """Send a ``ping`` to ``hook``; returns the delivery's id (its row is committed)."""
        delivery = open_ping(self.session_factory, hook)
        self._spawn(self._deliver, delivery)
        return delivery.delivery_id

    def forward_live_event(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """Hub listener: a ``clip_created`` live event goes out as ``clip.created``."""
        found = live_event_webhook(user_ids, event, self.config.public_url)
        if found is not None:
            self.send(*found)

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

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
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
        for delivery in plan_deliveries(self.session_factory, user_id, event, data):
            self._spawn(self._deliver, delivery)

    def _deliver(self, delivery: Delivery) -> None:
        deliver_one(self.session_factory, self.config, delivery)
