"""Make a clip end to end: quota check, row, render, usage count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import add_clip, clips_allowed, get_plan, usage_for
from clippy.clips.render import ClipSourceMissing, check_sources, render_clip
from clippy.clips.service import InvalidRange, add_pending_clip, validate_ranges
from clippy.db import Clip, Stream, User, utcnow
from clippy.errors import QuotaExceeded
from clippy.storage import ObjectStore


class ClipQuotaExceeded(QuotaExceeded, RuntimeError):
    """The owner's plan allows no more clips today."""


def remaining_clips_today(
    session: Session, user_id: int, now: datetime | None = None
) -> int | None:
    """How many more clips the user may make today (``None``: unlimited)."""
    now = now or utcnow()
    user = session.get(User, user_id)
    plan = get_plan(user.plan if user else "free")
    return clips_allowed(plan, usage_for(session, user_id, now.date()).clips)


def make_clip(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    stream_id: int,
    ranges: Sequence[tuple[float, float]],
    *,
    title: str = "",
    reason: str = "",
    score: float = 0.0,
    peak_time: float | None = None,
    source: str = "manual",
    signals: dict[str, Any] | None = None,
    earlier: Sequence[tuple[int, float, float]] = (),
) -> Clip:
    """Create and render a clip of ``stream_id``; raises ``ClipQuotaExceeded``,
    ``InvalidRange`` or ``ClipSourceMissing``. ``earlier`` ranges ``(stream id, start, end)``
    of the same owner's other streams come first (a callback's setup, see clippy.memory).

    A refused request leaves nothing behind: every refusal is decided before the clip row
    exists, and the clip counts toward the day's quota only once it rendered.
    """
    now = utcnow()
    with session_factory() as session:
        stream = session.get(Stream, stream_id)
        if stream is None:
            raise LookupError(f"stream {stream_id} does not exist")
        validate_ranges(ranges, stream.received_until)
        _check_earlier(session, stream, earlier)
        left = remaining_clips_today(session, stream.user_id, now)
        if left is not None and left <= 0:
            user = session.get(User, stream.user_id)
            plan = get_plan(user.plan if user else "free")
            raise ClipQuotaExceeded(
                f"the {plan.name} plan makes {plan.clips_per_day} clips per day and today's are"
                " used; it resets at 00:00 UTC, or upgrade to Pro for unlimited clips"
            )
        check_sources(session, stream_id, ranges)
        for sid, s, e in earlier:
            check_sources(session, sid, [(s, e)])
        clip = add_pending_clip(
            session,
            stream,
            ranges,
            title=title,
            reason=reason,
            score=score,
            peak_time=peak_time,
            source=source,
            signals=signals,
            now=now,
            earlier=earlier,
        )
        session.commit()
        clip_id, user_id = clip.id, stream.user_id
    try:
        made = render_clip(session_factory, store, clip_id)
    except ClipSourceMissing:
        # The segments went away between the check and the cut (retention): refused after
        # all, so the row goes too.
        with session_factory() as session:
            row = session.get(Clip, clip_id)
            if row is not None:
                session.delete(row)
                session.commit()
        raise
    with session_factory() as session:
        add_clip(session, user_id, now.date())
        session.commit()
    return made


def _check_earlier(
    session: Session, stream: Stream, earlier: Sequence[tuple[int, float, float]]
) -> None:
    """Earlier ranges must be of the owner's other recorded streams, in order."""
    prev: tuple[int, float] | None = None
    for sid, s, e in earlier:
        other = session.get(Stream, sid)
        if other is None or other.user_id != stream.user_id or sid == stream.id:
            raise InvalidRange(f"stream {sid} is not another stream of this clip's owner")
        validate_ranges([(s, e)], other.received_until)
        if prev is not None and prev[0] == sid and s < prev[1]:
            raise InvalidRange("ranges must be in time order and must not overlap")
        prev = (sid, e)
