"""In-process live event hub: the pipeline publishes, WebSocket and SSE clients subscribe.

Publishing is thread-safe (pipeline stages run in worker threads); delivery happens on the
event loop. A slow subscriber loses its oldest events rather than growing memory. This hub
reaches the subscribers of one process only (the embedded mode); ``PgEventHub`` extends it
across processes and machines.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

_QUEUE_SIZE = 256

# Called with (user ids, event) for every published event, on the publishing thread (which
# may be the event loop's): a listener must only hand the event over, never block.
Listener = Callable[[int | set[int], dict[str, Any]], None]


@dataclass(eq=False)
class Subscription:
    """One subscriber's queue of events for one user."""

    user_id: int
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=_QUEUE_SIZE)
    )


class EventHub:
    """Fan-out of per-user events to every live subscriber of that user."""

    def __init__(self) -> None:
        self._subs: dict[int, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listeners: list[Listener] = []

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the loop that owns the subscriber queues."""
        self._loop = loop

    async def start(self) -> None:
        """Begin delivering on the running loop (called once by the runtime's lifespan)."""
        self.bind_loop(asyncio.get_running_loop())

    async def stop(self) -> None:
        """Stop whatever ``start`` began; the in-process hub holds nothing to release."""

    def add_listener(self, listener: Listener) -> None:
        """Also pass every published event to ``listener`` (e.g. webhooks), subscribers or not."""
        self._listeners.append(listener)

    def publish(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """Deliver ``event`` to every subscriber of the given user(s); safe from any thread."""
        for listener in self._listeners:
            listener(user_ids, event)
        ids = {user_ids} if isinstance(user_ids, int) else set(user_ids)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(ids, event)
        else:
            loop.call_soon_threadsafe(self._deliver, ids, event)

    def _deliver(self, ids: set[int], event: dict[str, Any]) -> None:
        for uid in ids:
            for sub in list(self._subs.get(uid, ())):
                if sub.queue.full():
                    with contextlib.suppress(asyncio.QueueEmpty):
                        sub.queue.get_nowait()
                sub.queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[Subscription]:
        """Receive the user's events for the duration of the ``async with`` block."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        sub = Subscription(user_id)
        self._subs.setdefault(user_id, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self._subs.get(user_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[user_id]
