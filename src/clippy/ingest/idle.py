"""Abandoned streams end by themselves.

Only a ``stop`` message used to end a stream, so a closed tab, a crashed browser or a network
that never came back left it "live" for ever, and a moment in its last seconds (waiting for a
next segment's payoff) was never clipped. A stream with no connected client whose last sign of
life (a segment, a (re)start, a disconnect) is older than the idle timeout is ended here and
handed to the same ``on_ended`` as ``stop`` (the final detection pass). Until then it stays
resumable; after it, a ``start`` with the same client stream id starts it again.

With several nodes, a stream's client is connected to one of them, and each node knows only
its own sockets. So each check first stamps ``client_seen_at`` on the streams this node holds,
and that stamp is a sign of life for every node: a client connected anywhere keeps its stream
live, and a node that died stops stamping, so its streams end a timeout later elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import Stream, StreamStatus, utcnow
from clippy.ingest.streams import end_stream

__all__ = ["LiveConnections", "end_idle_streams", "is_idle", "run_idle_loop"]

log = logging.getLogger(__name__)


class LiveConnections:
    """Which streams have an ingest connection in this process, and when each was last left."""

    def __init__(self) -> None:
        self._open: dict[int, int] = {}
        self.left_at: dict[int, datetime] = {}

    def opened(self, stream_id: int) -> None:
        """A connection started (or resumed) ``stream_id``."""
        self._open[stream_id] = self._open.get(stream_id, 0) + 1

    def closed(self, stream_id: int, now: datetime | None = None) -> None:
        """A connection of ``stream_id`` ended (cleanly or not)."""
        n = self._open.get(stream_id, 0) - 1
        if n > 0:
            self._open[stream_id] = n
        else:
            self._open.pop(stream_id, None)
        self.left_at[stream_id] = now or utcnow()

    def connected(self) -> set[int]:
        """Streams with at least one open connection."""
        return set(self._open)

    def forget(self, stream_ids: Iterable[int]) -> None:
        """Drop what is known of ended streams."""
        for sid in stream_ids:
            self.left_at.pop(sid, None)


def is_idle(
    started_at: datetime,
    signs: Iterable[datetime | None],
    now: datetime,
    timeout: timedelta,
) -> bool:
    """Whether a stream's last sign of life (its start, or any of ``signs``: a segment, a
    disconnect, a node's connection stamp) is more than ``timeout`` before ``now``."""
    latest = max([started_at, *(t for t in signs if t is not None)])
    return now - latest > timeout


def end_idle_streams(
    session_factory: sessionmaker[Session],
    timeout: timedelta,
    live: LiveConnections,
    now: datetime | None = None,
) -> list[int]:
    """End every live stream that is idle (see ``is_idle``) and not connected; their ids."""
    now = now or utcnow()
    connected = live.connected()
    ended: list[int] = []
    with session_factory() as session:
        if connected:
            session.execute(
                update(Stream)
                .where(Stream.id.in_(connected), Stream.status == StreamStatus.LIVE)
                .values(client_seen_at=now)
            )
        rows = session.execute(
            select(
                Stream.id, Stream.started_at, Stream.last_segment_at, Stream.client_seen_at
            ).where(Stream.status == StreamStatus.LIVE)
        ).tuples()
        for stream_id, started, last, seen in rows:
            if stream_id in connected:
                continue
            if is_idle(started, (last, seen, live.left_at.get(stream_id)), now, timeout):
                ended.append(stream_id)
        for stream_id in ended:
            end_stream(session, stream_id, now)
        session.commit()
    live.forget(ended)
    return ended


async def run_idle_loop(
    session_factory: sessionmaker[Session],
    live: LiveConnections,
    on_ended: Callable[[int], None],
    timeout_seconds: float,
    interval_seconds: float,
    stop: asyncio.Event,
) -> None:
    """End idle streams every ``interval_seconds`` until ``stop``; ``on_ended`` runs for each."""
    timeout = timedelta(seconds=timeout_seconds)
    while not stop.is_set():
        try:
            ended = await asyncio.to_thread(end_idle_streams, session_factory, timeout, live)
            for stream_id in ended:
                log.info("stream %s ended: no client for %.0f s", stream_id, timeout_seconds)
                on_ended(stream_id)
        except Exception:  # a database hiccup must not end the loop
            log.exception("idle streams: check failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
