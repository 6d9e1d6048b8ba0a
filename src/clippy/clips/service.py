"""Clip rows: create, read (scoped to the caller), delete with their files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from clippy.db import Clip, ClipRange, ClipStatus, Stream, utcnow
from clippy.errors import InvalidInput, NotFound
from clippy.storage import ObjectStore


class InvalidRange(InvalidInput):
    """A requested clip range is empty, reversed or outside the recorded stream."""


# Shorter than this a range holds no whole video frame at the frame rates tabs are captured
# at (10-60 fps), and the cut has nothing to encode.
MIN_RANGE_SECONDS = 0.2


def validate_ranges(ranges: Sequence[tuple[float, float]], received_until: float) -> None:
    """Refuse empty, reversed, overlapping or not-yet-recorded ranges with a clear message."""
    if not ranges:
        raise InvalidRange("a clip needs at least one time range")
    prev_end = -1.0
    for start, end in ranges:
        if start < 0 or end <= start:
            raise InvalidRange(f"range {start:.2f}-{end:.2f} s is empty or reversed")
        if end - start < MIN_RANGE_SECONDS:
            raise InvalidRange(
                f"range {start:.2f}-{end:.2f} s is shorter than {MIN_RANGE_SECONDS} s;"
                " make it longer"
            )
        if end > received_until + 1e-6:
            raise InvalidRange(
                f"range {start:.2f}-{end:.2f} s ends after the recorded stream"
                f" ({received_until:.2f} s)"
            )
        if start < prev_end:
            raise InvalidRange("ranges must be in time order and must not overlap")
        prev_end = end


def add_pending_clip(
    session: Session,
    stream: Stream,
    ranges: Sequence[tuple[float, float]],
    *,
    title: str = "",
    reason: str = "",
    score: float = 0.0,
    peak_time: float | None = None,
    source: str = "auto",
    signals: dict[str, Any] | None = None,
    now: datetime | None = None,
    earlier: Sequence[tuple[int, float, float]] = (),
) -> Clip:
    """Add a pending clip row of ``stream`` covering ``ranges`` (stream-time seconds), after
    ``earlier`` ranges ``(stream id, start, end)`` of the owner's other streams.

    Only ``clips.make.make_clip`` calls this: it checks quota and sources first and renders
    after, so a clip is always *made* there."""
    clip = Clip(
        user_id=stream.user_id,
        stream_id=stream.id,
        title=title[:300],
        reason=reason,
        score=score,
        peak_time=peak_time,
        source=source,
        status=ClipStatus.PENDING,
        duration=sum(e - s for s, e in ranges) + sum(e - s for _, s, e in earlier),
        signals=signals or {},
        created_at=now or utcnow(),
    )
    spans = [*earlier, *((None, s, e) for s, e in ranges)]
    clip.ranges = [
        ClipRange(position=i, start=s, end=e, stream_id=sid) for i, (sid, s, e) in enumerate(spans)
    ]
    session.add(clip)
    session.flush()
    return clip


# Stream times stay far below this (115 days): moving another stream's ranges (a callback's
# earlier setup) into a band of their own keeps one time axis unambiguous for cutting and
# captions.
STREAM_BAND = 1.0e7


def clip_spans(clip: Clip) -> list[tuple[int, float, float]]:
    """The clip's ranges in output order as ``(stream id, start, end)``."""
    return [(r.stream_id or clip.stream_id, r.start, r.end) for r in clip.ranges]


def stream_clip_ranges(session: Session, stream_id: int) -> list[tuple[float, float]]:
    """Every time range already clipped in the stream (so a moment is never clipped twice)."""
    q = (
        select(ClipRange.start, ClipRange.end)
        .join(Clip)
        .where(Clip.stream_id == stream_id, ClipRange.stream_id.is_(None))
    )
    return [(s, e) for s, e in session.execute(q)]


def stream_clip_marks(session: Session, stream_id: int) -> list[tuple[int, str, float, float]]:
    """(clip id, title, start, end) of every range clipped in the stream, in time order: the
    archive's timeline marks them."""
    q = (
        select(Clip.id, Clip.title, ClipRange.start, ClipRange.end)
        .join(ClipRange, ClipRange.clip_id == Clip.id)
        .where(Clip.stream_id == stream_id)
        .order_by(ClipRange.start)
    )
    return [(i, t or "Untitled clip", s, e) for i, t, s, e in session.execute(q).tuples()]


def visible_clip(session: Session, user_ids: Iterable[int], clip_id: int) -> Clip:
    """The clip if one of ``user_ids`` owns it; ``NotFound`` otherwise."""
    clip = session.get(Clip, clip_id, options=[selectinload(Clip.ranges)])
    if clip is None or clip.user_id not in set(user_ids):
        raise NotFound(f"clip {clip_id} not found")
    return clip


def list_clips(
    session: Session,
    user_ids: Iterable[int],
    *,
    stream_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Clip]:
    """Clips of ``user_ids``, newest first."""
    q = (
        select(Clip)
        .options(selectinload(Clip.ranges))
        .where(Clip.user_id.in_(list(user_ids)))
        .order_by(Clip.created_at.desc(), Clip.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if stream_id is not None:
        q = q.where(Clip.stream_id == stream_id)
    return list(session.scalars(q))


def delete_clip(session: Session, store: ObjectStore, clip: Clip) -> None:
    """Delete the clip's row and its files (files after the row: a crash leaves an orphan file
    the retention sweep can remove, never a row pointing at nothing)."""
    keys = [k for k in (clip.file_key, clip.thumb_key) if k]
    session.delete(clip)
    session.commit()
    for key in keys:
        store.delete(key)


def clip_counts(session: Session, stream_ids: Iterable[int]) -> dict[int, int]:
    """How many clips each stream has (streams without clips are absent), in one query."""
    ids = list(stream_ids)
    if not ids:
        return {}
    q = select(Clip.stream_id, func.count()).where(Clip.stream_id.in_(ids))
    return dict(session.execute(q.group_by(Clip.stream_id)).tuples().all())


def last_clip_times(session: Session, stream_ids: Iterable[int]) -> dict[int, datetime]:
    """When each stream's newest clip was made (streams without clips are absent)."""
    ids = list(stream_ids)
    if not ids:
        return {}
    q = select(Clip.stream_id, func.max(Clip.created_at)).where(Clip.stream_id.in_(ids))
    return dict(session.execute(q.group_by(Clip.stream_id)).tuples().all())


def clip_titles(session: Session, clip_ids: Iterable[int]) -> dict[int, str]:
    """The titles of the given clips by id (no visibility check: ids come from the caller's
    own rows)."""
    ids = list(clip_ids)
    if not ids:
        return {}
    q = select(Clip.id, Clip.title).where(Clip.id.in_(ids))
    return dict(session.execute(q).tuples().all())
