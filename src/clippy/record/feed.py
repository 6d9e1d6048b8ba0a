"""Feed recorded media into the extension's ingest path: same streams, same durable segments.

A recording owns one stream (client stream id ``rec-<recording id>``). Each segment goes
through ``ingest.store_segment`` (validated, fsynced, row committed: "acknowledged") with the
job layer's ``before_segment_commit`` inside the row's transaction and ``segment_stored``
after it, exactly as a WebSocket segment does; ending goes through ``ingest.end_stream`` and
the job layer's final detection (``stream_finished``). HLS pieces (2-6 s each) are joined
into segments of about ``SEGMENT_SECONDS``: MPEG-TS concatenates byte for byte, and the
pipeline's per-segment cost (probe, mezzanine, recognition window) is paid per 10 s, as for
the extension's segments.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from clippy import ingest
from clippy.config import Settings
from clippy.db import (
    RECORDING_ACTIVE,
    Recording,
    RecordingStatus,
    Stream,
    User,
    session_scope,
    utcnow,
)
from clippy.errors import NotFound
from clippy.ingest import Chat, LiveConnections, SegmentHeader, Start, parse_text_message
from clippy.storage import ObjectStore

__all__ = ["SEGMENT_SECONDS", "Grouper", "RecordParts", "SegmentJobs", "StreamFeed", "set_status"]

SEGMENT_SECONDS = 10.0
MAX_LINES = 200  # chat lines per protocol message


class SegmentJobs(Protocol):
    """The part of the job layer (``clippy.jobs.Jobs``) a feed uses: the segment and stream
    calls the WebSocket ingest makes, so a recorded stream is processed like a tab's."""

    def before_segment_commit(
        self, session: Session, segment_id: int, stream_id: int, plan: str
    ) -> None: ...

    def segment_stored(self, segment_id: int, stream_id: int, plan: str) -> None: ...

    def stream_finished(self, stream_id: int) -> None: ...

    def stream_resumed(self, stream_id: int) -> None: ...


class RecordParts(Protocol):
    """What recorders need from the process (``clippy.runtime.Runtime`` has it all)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def session_factory(self) -> sessionmaker[Session]: ...
    @property
    def store(self) -> ObjectStore: ...
    @property
    def ingest_live(self) -> LiveConnections: ...
    @property
    def jobs(self) -> SegmentJobs: ...


@dataclass
class Grouper:
    """Joins consecutive pieces into segments of at least ``seconds`` (pure).

    A piece that does not continue the previous one's timestamps (a discontinuity) starts a
    new segment, so no stored segment holds a timestamp jump."""

    seconds: float = SEGMENT_SECONDS
    _parts: list[bytes] = field(default_factory=list)
    pending: float = 0.0  # seconds held, not yet a segment

    def add(self, data: bytes, duration: float, discontinuity: bool) -> list[tuple[bytes, float]]:
        """Take one piece; returns the segments it completed (0, 1 or 2)."""
        out = self.flush() if discontinuity else []
        self._parts.append(data)
        self.pending += duration
        if self.pending >= self.seconds - 0.05:
            out += self.flush()
        return out

    def flush(self) -> list[tuple[bytes, float]]:
        """What is held, as one segment (none when nothing is held)."""
        if not self._parts:
            return []
        done = [(b"".join(self._parts), self.pending)]
        self._parts, self.pending = [], 0.0
        return done


@dataclass
class StreamFeed:
    """One recording's stream: stores segments in order and ends the stream."""

    parts: RecordParts
    user_id: int
    plan: str  # the owner's plan when the feed opened (the job layer's priority)
    stream_id: int
    next_seq: int
    time: float  # stream time where the next segment starts
    stored: int = 0

    @classmethod
    async def open(cls, parts: RecordParts, recording_id: int, platform: str) -> StreamFeed:
        """Start (or resume, after a restart) the recording's stream."""

        def start() -> tuple[int, str, int, int, float]:
            with session_scope(parts.session_factory) as session:
                rec = session.get(Recording, recording_id)
                if rec is None:
                    raise NotFound(f"recording {recording_id} not found")
                user = session.get(User, rec.user_id)
                assert user is not None
                msg = Start(
                    type="start",
                    stream_id=f"rec-{rec.id}",
                    title=(rec.title or rec.url)[:500],
                    page_url=rec.url[:4000],
                    platform=platform,
                )
                stream: Stream = ingest.start_stream(session, user, msg)
                rec.stream_id = stream.id
                seqs = ingest.acked_seqs(session, stream.id)
                next_seq = max(seqs, default=-1) + 1
                return user.id, user.plan, stream.id, next_seq, stream.received_until

        user_id, plan, stream_id, next_seq, until = await asyncio.to_thread(start)
        parts.ingest_live.opened(stream_id)  # the idle loop leaves a recorded stream alone
        parts.jobs.stream_resumed(stream_id)
        return cls(parts, user_id, plan, stream_id, next_seq, until)

    async def store(self, data: bytes, duration: float, mime: str) -> ingest.StoredSegment:
        """Store one segment durably, then hand it to the job layer; ``ProtocolError`` when
        ingest refuses it (quota, invalid media)."""
        header = SegmentHeader(seq=self.next_seq, start=self.time, duration=duration, mime=mime)
        p, jobs, stream_id, plan = self.parts, self.parts.jobs, self.stream_id, self.plan

        def defer(session: Session, segment_id: int) -> None:
            # A durable job queue defers the segment's job in the row's own transaction.
            jobs.before_segment_commit(session, segment_id, stream_id, plan)

        stored = await asyncio.to_thread(
            ingest.store_segment,
            p.session_factory,
            p.store,
            p.settings,
            self.user_id,
            self.stream_id,
            header,
            data,
            before_commit=defer,
        )
        self.next_seq += 1
        self.time += duration
        self.stored += 1
        if not stored.duplicate:
            jobs.segment_stored(stored.segment_id, stream_id, plan)
        return stored

    async def add_chat(self, lines: list[dict[str, Any]]) -> None:
        """Store chat lines ``{time, author, text[, badges]}`` on the stream, checked by the
        protocol's own validation (as the extension's ``chat`` messages are)."""
        batches = [
            parse_text_message(json.dumps({"type": "chat", "lines": lines[i : i + MAX_LINES]}))
            for i in range(0, len(lines), MAX_LINES)
        ]

        def write() -> None:
            with session_scope(self.parts.session_factory) as session:
                for msg in batches:
                    assert isinstance(msg, Chat)
                    ingest.add_chat(session, self.stream_id, msg.lines)

        await asyncio.to_thread(write)

    async def end(self) -> None:
        """End the stream and defer its final detection (after its segments' jobs)."""

        def write() -> None:
            with session_scope(self.parts.session_factory) as session:
                ingest.end_stream(session, self.stream_id)

        await asyncio.to_thread(write)
        self.parts.jobs.stream_finished(self.stream_id)

    def close(self) -> None:
        """This process stops feeding the stream (ended or not)."""
        self.parts.ingest_live.closed(self.stream_id)


async def set_status(
    parts: RecordParts,
    recording_id: int,
    status: RecordingStatus,
    error: str | None = None,
    progress: float | None = None,
) -> None:
    """Update a recording's status (and its one-line error or progress when given)."""

    def write() -> None:
        with session_scope(parts.session_factory) as session:
            rec = session.get(Recording, recording_id)
            if rec is None:
                return
            if rec.status not in RECORDING_ACTIVE and status in RECORDING_ACTIVE:
                # Finished (or stopped by its owner): a late "reconnecting" or progress
                # update from the task must not make it look under way again.
                return
            rec.status = status
            if error is not None:
                rec.error = error[:1000]
            if progress is not None:
                rec.progress = progress
            if status in (RecordingStatus.ENDED, RecordingStatus.FAILED, RecordingStatus.STOPPED):
                rec.ended_at = rec.ended_at or utcnow()

    await asyncio.to_thread(write)
