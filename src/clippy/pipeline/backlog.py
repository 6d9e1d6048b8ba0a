"""How far the pipeline is behind each stream, read from the segment rows.

The rows are the source of truth (status ``pending``/``processing`` until the stages finish),
so the API and the dashboard see the same lag in embedded and worker deployments, and after a
restart. The embedded job runner publishes the same measure to ``/metrics`` from its queues.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.db import SEGMENT_UNFINISHED, Segment, utcnow

__all__ = ["Backlog", "backlogs"]


@dataclass(frozen=True)
class Backlog:
    """A stream's stored segments not yet processed, and how long the oldest has waited."""

    segments: int = 0
    lag_seconds: float = 0.0


def backlogs(
    session: Session, stream_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Backlog]:
    """``Backlog`` of each of ``stream_ids`` (streams with nothing waiting are left out)."""
    ids = list(stream_ids)
    if not ids:
        return {}
    now = now or utcnow()
    q = (
        select(Segment.stream_id, func.count(), func.min(Segment.received_at))
        .where(Segment.stream_id.in_(ids), Segment.status.in_(SEGMENT_UNFINISHED))
        .group_by(Segment.stream_id)
    )
    out: dict[int, Backlog] = {}
    for stream_id, count, oldest in session.execute(q).tuples():
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        out[stream_id] = Backlog(int(count), round(lag, 3))
    return out
