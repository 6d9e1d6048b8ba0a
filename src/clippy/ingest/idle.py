"""Abandoned streams end by themselves.

Only a ``stop`` message used to end a stream, so a closed tab, a crashed browser or a network
that never came back left it "live" for ever, and a moment in its last seconds (waiting for a
next segment's payoff) was never clipped. A stream with no connected client whose last sign of
life (a segment, a (re)start, a disconnect) is older than the idle timeout is ended here and
handed to the same ``on_ended`` as ``stop`` (the final detection pass). Until then it stays
resumable; after it, a ``start`` with the same client stream id starts it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
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
    last_segment_at: datetime | None,
    started_at: datetime,
    left_at: datetime | None,
    now: datetime,
    timeout: timedelta,
) -> bool:
    """Whether a stream's last sign of life is more than ``timeout`` before ``now``."""
    signs = [t for t in (last_segment_at, started_at, left_at) if t is not None]
    return now - max(signs) > timeout


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
        rows = session.execute(
            select(Stream.id, Stream.last_segment_at, Stream.started_at).where(
                Stream.status == StreamStatus.LIVE
            )
        ).tuples()
        for stream_id, last, started in rows:
            if stream_id in connected:
                continue
            if is_idle(last, started, live.left_at.get(stream_id), now, timeout):
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
