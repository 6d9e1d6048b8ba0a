"""Daily usage counters (recording seconds, clips, exports) per user and UTC day.

Increments are one ``INSERT … ON CONFLICT (user_id, day) DO UPDATE SET n = n + x``
statement: atomic on SQLite and PostgreSQL, so concurrent writers (two ingest connections,
a clip job) all count and nobody hits a unique-constraint error on the first write of a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Executable, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clippy.db import UsageCounter

__all__ = ["add_clip", "add_export", "add_recording_seconds", "usage_for", "utc_day"]


def utc_day(now: datetime | None = None) -> date:
    """The UTC calendar day of ``now`` (default: the current time), the unit quotas reset on."""
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def _upsert(dialect: str, values: dict[str, Any], set_: dict[str, Any]) -> Executable:
    # Both dialects spell the same statement; SQLAlchemy keeps their constructs apart.
    keys = ["user_id", "day"]
    if dialect == "postgresql":
        pg = postgresql.insert(UsageCounter).values(**values)
        return pg.on_conflict_do_update(index_elements=keys, set_=set_)
    if dialect == "sqlite":
        lite = sqlite.insert(UsageCounter).values(**values)
        return lite.on_conflict_do_update(index_elements=keys, set_=set_)
    raise NotImplementedError(f"usage counters support SQLite and PostgreSQL, not {dialect}")


def _increment(session: Session, user_id: int, day: date, column: str, amount: float) -> None:
    if amount < 0:
        raise ValueError(f"usage only grows; got {amount} for {column}")
    zeros: dict[str, Any] = {"recording_seconds": 0.0, "clips": 0, "exports": 0}
    values = {"user_id": user_id, "day": day, **zeros, column: amount}
    set_ = {column: getattr(UsageCounter, column) + amount}
    session.execute(_upsert(session.get_bind().dialect.name, values, set_))


def add_recording_seconds(session: Session, user_id: int, day: date, seconds: float) -> None:
    """Count ``seconds`` of recording for ``user_id`` on ``day``."""
    _increment(session, user_id, day, "recording_seconds", seconds)


def add_clip(session: Session, user_id: int, day: date, n: int = 1) -> None:
    """Count ``n`` clips made for ``user_id`` on ``day``."""
    _increment(session, user_id, day, "clips", n)


def add_export(session: Session, user_id: int, day: date, n: int = 1) -> None:
    """Count ``n`` exports rendered for ``user_id`` on ``day``."""
    _increment(session, user_id, day, "exports", n)


def usage_for(session: Session, user_id: int, day: date) -> UsageCounter:
    """The user's counters for ``day``; an unsaved all-zero row when nothing was counted."""
    # populate_existing: the increments bypass the ORM, so a row already in this session's
    # identity map would otherwise be returned with its old numbers.
    row = session.scalar(
        select(UsageCounter)
        .where(UsageCounter.user_id == user_id, UsageCounter.day == day)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return UsageCounter(user_id=user_id, day=day, recording_seconds=0.0, clips=0, exports=0)
    return row
