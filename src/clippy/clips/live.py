"""Clipping a live stream's last seconds (Home's "Clip the last 30 s")."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.clips.render import ClipSourceMissing
from clippy.db.models import Segment

__all__ = ["last_seconds"]


def last_seconds(session: Session, stream_id: int, seconds: float) -> tuple[float, float]:
    """The range of the stream's last ``seconds`` that the pipeline has already processed.

    Raises ``ClipSourceMissing`` while no segment is processed yet (the first ~10 s).
    """
    end = session.scalar(
        select(func.max(Segment.start_time + Segment.duration)).where(
            Segment.stream_id == stream_id, Segment.status == "done"
        )
    )
    if end is None:
        raise ClipSourceMissing(
            "nothing of this stream is processed yet; try again in a few seconds"
        )
    return max(0.0, float(end) - seconds), float(end)
