"""Clip view/download counters and the numbers behind the analytics page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Executable, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clippy.db import Clip, ClipStats, ExportJob, Segment, Stream

__all__ = ["Analytics", "analytics", "count_download", "count_export_download", "count_view"]


def _bump(session: Session, clip_id: int, column: str) -> None:
    # One upsert statement: concurrent viewers all count, none hits the primary key.
    values: dict[str, Any] = {"clip_id": clip_id, "views": 0, "downloads": 0, column: 1}
    set_ = {column: getattr(ClipStats, column) + 1}
    stmt: Executable
    if session.get_bind().dialect.name == "postgresql":
        stmt = (
            postgresql.insert(ClipStats)
            .values(**values)
            .on_conflict_do_update(index_elements=["clip_id"], set_=set_)
        )
    else:
        stmt = (
            sqlite.insert(ClipStats)
            .values(**values)
            .on_conflict_do_update(index_elements=["clip_id"], set_=set_)
        )
    session.execute(stmt)


def count_view(session: Session, clip: Clip, viewer_id: int) -> bool:
    """Count one view of ``clip`` (its page was opened) unless its owner opened it: the
    owner checking their own clip is not an audience. Returns whether it counted."""
    if viewer_id == clip.user_id:
        return False
    _bump(session, clip.id, "views")
    return True


def count_download(session: Session, clip_id: int) -> None:
    """Count one download of the clip's MP4."""
    _bump(session, clip_id, "downloads")


def count_export_download(session: Session, job: ExportJob) -> None:
    """Count a download of an export's file for its clip (each clip of a batch zip)."""
    if job.kind == "batch":
        clip_ids = [int(c) for c in job.options.get("clip_ids", [])]
    else:
        clip_ids = [job.clip_id] if job.clip_id is not None else []
    for clip_id in sorted(set(clip_ids)):
        _bump(session, clip_id, "downloads")


@dataclass
class Analytics:
    """Everything the analytics page draws, for one set of users and a day window."""

    days: list[date]
    clips_per_day: list[int]
    reasons: list[tuple[str, int]]
    average_score: float | None
    total_clips: int
    views: int
    downloads: int
    storage_bytes: int
    streams: list[dict[str, Any]]
    exports: list[tuple[str, int]] = field(default_factory=list)  # (platform, files made)


def _reason_label(reason: str) -> str:
    # Reasons read like "loudness spike + chat burst"; the first signal names the kind.
    head = reason.split("+")[0].split(";")[0].split(",")[0].strip()
    return (head[:40] or "manual").capitalize()


def analytics(
    session: Session,
    user_ids: Iterable[int],
    today: date,
    days: int = 14,
    *,
    exports: Iterable[tuple[str, int]] = (),
) -> Analytics:
    """Clip counts per day, reasons, scores, views, storage and the per-stream summary;
    ``exports`` (files per platform, from ``export.history``) is passed through, since
    exports sit above clips."""
    ids = list(user_ids)
    first = today - timedelta(days=days - 1)
    rows = session.execute(
        select(Clip.created_at, Clip.reason, Clip.score, Clip.source).where(Clip.user_id.in_(ids))
    ).all()
    per_day: Counter[date] = Counter()
    reasons: Counter[str] = Counter()
    scores = []
    for created, reason, score, source in rows:
        per_day[created.date()] += 1
        reasons[_reason_label(reason) if source == "auto" else source.capitalize()] += 1
        if source == "auto":
            scores.append(score)
    day_list = [first + timedelta(days=i) for i in range(days)]
    views, downloads = session.execute(
        select(
            func.coalesce(func.sum(ClipStats.views), 0),
            func.coalesce(func.sum(ClipStats.downloads), 0),
        )
        .join(Clip, Clip.id == ClipStats.clip_id)
        .where(Clip.user_id.in_(ids))
    ).one()
    storage = session.scalar(
        select(func.coalesce(func.sum(Segment.size), 0))
        .join(Stream, Stream.id == Segment.stream_id)
        .where(Stream.user_id.in_(ids))
    )
    clip_counts = dict(
        session.execute(
            select(Clip.stream_id, func.count())
            .where(Clip.user_id.in_(ids))
            .group_by(Clip.stream_id)
        )
        .tuples()
        .all()
    )
    streams = [
        {
            "id": s.id,
            "title": s.title or f"Stream {s.id}",
            "recorded": s.received_until,
            "clips": clip_counts.get(s.id, 0),
            "status": s.status,
            "started_at": s.started_at,
        }
        for s in session.scalars(
            select(Stream)
            .where(Stream.user_id.in_(ids))
            .order_by(Stream.started_at.desc())
            .limit(20)
        )
    ]
    return Analytics(
        days=day_list,
        clips_per_day=[per_day.get(d, 0) for d in day_list],
        reasons=reasons.most_common(6),
        average_score=sum(scores) / len(scores) if scores else None,
        total_clips=len(rows),
        views=int(views),
        downloads=int(downloads),
        storage_bytes=int(storage or 0),
        streams=streams,
        exports=list(exports),
    )
