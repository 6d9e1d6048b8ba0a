"""Persist and read transcript chunks (one row per recognised chunk, words as JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clippy.db import TranscriptSegment


def replace_segment_transcript(
    session: Session,
    stream_id: int,
    segment_id: int,
    chunk_id: str,
    words: Sequence[dict[str, Any]],
    source: str,
) -> TranscriptSegment | None:
    """Store the words recognised for one segment, replacing an earlier run (idempotent)."""
    session.execute(
        delete(TranscriptSegment).where(
            TranscriptSegment.stream_id == stream_id,
            TranscriptSegment.segment_id == segment_id,
            TranscriptSegment.source == source,
        )
    )
    if not words:
        return None
    row = TranscriptSegment(
        stream_id=stream_id,
        segment_id=segment_id,
        chunk_id=chunk_id,
        start_time=float(words[0]["start"]),
        end_time=float(words[-1]["end"]),
        text=" ".join(str(w["text"]) for w in words),
        words=list(words),
        source=source,
    )
    session.add(row)
    return row


def list_transcript(
    session: Session, stream_id: int, *, start: float = 0.0, limit: int = 200, offset: int = 0
) -> list[TranscriptSegment]:
    """Transcript chunks of a stream ending after ``start``, in time order."""
    q = (
        select(TranscriptSegment)
        .where(TranscriptSegment.stream_id == stream_id, TranscriptSegment.end_time >= start)
        .order_by(TranscriptSegment.start_time, TranscriptSegment.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(q))


def lines_between(
    session: Session, stream_id: int, t0: float, t1: float
) -> list[TranscriptSegment]:
    """Transcript chunks of a stream overlapping ``t0..t1``, in time order."""
    q = (
        select(TranscriptSegment)
        .where(
            TranscriptSegment.stream_id == stream_id,
            TranscriptSegment.end_time > t0,
            TranscriptSegment.start_time < t1,
        )
        .order_by(TranscriptSegment.start_time)
    )
    return list(session.scalars(q))


def words_between(session: Session, stream_id: int, t0: float, t1: float) -> list[dict[str, Any]]:
    """All words of the stream whose start lies in ``[t0, t1)``, in time order."""
    q = (
        select(TranscriptSegment.words)
        .where(
            TranscriptSegment.stream_id == stream_id,
            TranscriptSegment.end_time >= t0,
            TranscriptSegment.start_time < t1,
        )
        .order_by(TranscriptSegment.start_time)
    )
    out: list[dict[str, Any]] = []
    for words in session.scalars(q):
        out.extend(w for w in words if t0 <= float(w["start"]) < t1)
    out.sort(key=lambda w: float(w["start"]))
    return out


def spoken_text(session: Session, stream_id: int, ranges: Sequence[tuple[float, float]]) -> str:
    """The words spoken in ``ranges`` of the stream, in range order, as one string."""
    return " ".join(
        str(w["text"]) for a, b in ranges for w in words_between(session, stream_id, a, b)
    )
