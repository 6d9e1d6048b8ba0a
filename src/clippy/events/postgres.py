"""Live events across processes and machines through PostgreSQL ``LISTEN``/``NOTIFY``.

Every process that publishes also delivers to its own subscribers at once (as the
in-process hub does), then a sender thread ``NOTIFY``s the event on one channel; every
other process holds one listening connection and delivers what arrives to its
subscribers. Events are hints for live views: one lost while a listener reconnects is
logged, never retried; the database rows stay the truth a page reload shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import queue
import re
import threading
import uuid
from typing import Any

import psycopg
from psycopg import sql

from clippy.events.hub import EventHub
from clippy.events.wire import Reassembler, encode_event

__all__ = ["CHANNEL", "PgEventHub", "libpq_dsn"]

log = logging.getLogger(__name__)

CHANNEL = "clippy_events"
# A LISTEN connection sits idle between events; keepalives find one a proxy or NAT cut
# silently, instead of waiting on it forever.
_KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
_FIRST_RETRY_S = 0.5
_MAX_RETRY_S = 10.0
_START_WAIT_S = 10.0
_BATCH = 500  # events queued meanwhile go out together: one round trip, one commit


def libpq_dsn(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (its ``+driver`` removed)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", database_url, count=1)


class PgEventHub(EventHub):
    """The ``EventHub`` of a process that shares its PostgreSQL with other Clippy processes."""

    def __init__(self, database_url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self._dsn = libpq_dsn(database_url)
        self._channel = channel
        self._origin = uuid.uuid4().hex
        self._reassembler = Reassembler(self._origin)
        self._serial = itertools.count()
        self._outbox: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        self._sender_lock = threading.Lock()
        self._listener: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the LISTEN connection is up

    def publish(self, user_ids: int | set[int], event: dict[str, Any]) -> None:
        """Deliver here, then send to every other process; never blocks the caller."""
        super().publish(user_ids, event)
        ids = {user_ids} if isinstance(user_ids, int) else set(user_ids)
        self._outbox.put(encode_event(self._origin, ids, event, serial=next(self._serial)))
        self._ensure_sender()

    async def start(self) -> None:
        """Bind the loop and open the listening connection (waits a moment for it)."""
        await super().start()
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="clippy-events-listen")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.listening.wait(), _START_WAIT_S)

    async def stop(self) -> None:
        """Close the listening connection and send what is still queued."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await asyncio.to_thread(self.flush)

    def flush(self, timeout: float = 10.0) -> None:
        """Send every queued event and stop the sender thread (a later publish restarts it)."""
        with self._sender_lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            self._outbox.put(None)
            sender.join(timeout)

    def _ensure_sender(self) -> None:
        with self._sender_lock:
            if self._sender is None or not self._sender.is_alive():
                self._sender = threading.Thread(
                    target=self._send_loop, name="clippy-events-notify", daemon=True
                )
                self._sender.start()

    def _send_loop(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        stopping = False
        try:
            while not stopping:
                payloads: list[str] = []
                item = self._outbox.get()
                while item is not None:
                    payloads.extend(item)
                    if len(payloads) >= _BATCH or self._outbox.empty():
                        break
                    item = self._outbox.get()
                stopping = item is None
                if payloads:
                    conn = self._notify(conn, payloads)
        finally:
            if conn is not None:
                conn.close()

    def _notify(
        self, conn: psycopg.Connection[Any] | None, payloads: list[str]
    ) -> psycopg.Connection[Any] | None:
        """Send payloads in one statement and transaction (an event's parts arrive together
        and in order); one reconnect on failure, then they are dropped with a warning."""
        for attempt in (1, 2):
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self._dsn, autocommit=True, **_KEEPALIVES)
                conn.execute(
                    "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) WITH ORDINALITY AS t(p, i)"
                    " ORDER BY i",
                    (self._channel, payloads),
                )
                return conn
            except psycopg.Error as exc:
                if conn is not None:
                    conn.close()
                conn = None
                if attempt == 2:
                    log.warning(
                        "%d live event payloads not sent to other nodes: %s", len(payloads), exc
                    )
        return conn

    async def _listen(self) -> None:
        delay = _FIRST_RETRY_S
        listen = sql.SQL("LISTEN {}").format(sql.Identifier(self._channel))
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True, **_KEEPALIVES
                )
                async with conn:
                    await conn.execute(listen)
                    self.listening.set()
                    delay = _FIRST_RETRY_S
                    async for note in conn.notifies():
                        got = self._reassembler.feed(note.payload)
                        if got is not None:
                            self._deliver(*got)
                            # A batch arrives at once: let subscribers drain their queues
                            # between events rather than lose the oldest of a burst.
                            await asyncio.sleep(0)
            except (psycopg.Error, OSError) as exc:
                log.warning("live events listener lost (%s); reconnecting in %.1f s", exc, delay)
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_RETRY_S)
