"""Clipping a live stream's last seconds (Home's "Clip the last 30 s")."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.clips.render import ClipSourceMissing
from clippy.db import Segment

__all__ = ["last_seconds"]


def last_seconds(session: Session, stream_id: int, seconds: float) -> tuple[float, float]:
    """The range of the stream's last ``seconds`` that the pipeline has already processed.

    It ends where the first segment still waiting or in processing begins (segments overlap
    by a few milliseconds, so the last processed one's end may reach into it). Raises
    ``ClipSourceMissing`` while nothing is processed yet (the first few seconds).
    """
    waiting = session.scalar(
        select(func.min(Segment.start_time)).where(
            Segment.stream_id == stream_id, Segment.status.in_(("pending", "processing"))
        )
    )
    done = select(func.max(Segment.start_time + Segment.duration)).where(
        Segment.stream_id == stream_id, Segment.status == "done"
    )
    if waiting is not None:
        done = done.where(Segment.start_time < waiting)
    end = session.scalar(done)
    if end is None:
        raise ClipSourceMissing(
            "nothing of this stream is processed yet; try again in a few seconds"
        )
    end = float(end) if waiting is None else min(float(end), float(waiting))
    return max(0.0, end - seconds), end
