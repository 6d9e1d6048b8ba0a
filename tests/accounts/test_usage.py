from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.usage import (
    add_clip,
    add_export,
    add_recording_seconds,
    usage_for,
    utc_day,
)
from clippy.db.models import UsageCounter, User

DAY = date(2026, 3, 1)


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("usage@example.com")


def test_nothing_counted_reads_as_zeros_without_a_row(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        u = usage_for(s, user.id, DAY)
        assert (u.recording_seconds, u.clips, u.exports) == (0.0, 0, 0)
        s.commit()
        assert s.scalar(select(func.count()).select_from(UsageCounter)) == 0


def test_increments_accumulate_per_day(session_factory: sessionmaker[Session], user: User) -> None:
    with session_factory() as s:
        add_recording_seconds(s, user.id, DAY, 10.0)
        add_recording_seconds(s, user.id, DAY, 9.5)
        add_clip(s, user.id, DAY)
        add_export(s, user.id, DAY, 2)
        add_recording_seconds(s, user.id, date(2026, 3, 2), 1.0)
        s.commit()
    with session_factory() as s:
        u = usage_for(s, user.id, DAY)
        assert (u.recording_seconds, u.clips, u.exports) == (19.5, 1, 2)
        assert usage_for(s, user.id, date(2026, 3, 2)).recording_seconds == 1.0


def test_usage_for_sees_increments_made_after_it_was_first_read(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        add_clip(s, user.id, DAY)
        assert usage_for(s, user.id, DAY).clips == 1
        add_clip(s, user.id, DAY)
        assert usage_for(s, user.id, DAY).clips == 2


def test_negative_usage_is_refused(session_factory: sessionmaker[Session], user: User) -> None:
    with session_factory() as s, pytest.raises(ValueError, match="only grows"):
        add_recording_seconds(s, user.id, DAY, -1)


def test_concurrent_sessions_all_count(session_factory: sessionmaker[Session], user: User) -> None:
    # Every writer starts on a day with no row yet: the first-insert race is the hard part.
    writers, rounds = 4, 5
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            for _ in range(rounds):
                with session_factory() as s:
                    add_recording_seconds(s, user.id, DAY, 10.0)
                    add_clip(s, user.id, DAY)
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with session_factory() as s:
        u = usage_for(s, user.id, DAY)
        assert u.recording_seconds == writers * rounds * 10.0
        assert u.clips == writers * rounds


def test_utc_day_uses_the_utc_calendar() -> None:
    from datetime import timedelta, timezone

    late_in_new_york = datetime(2026, 3, 1, 22, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert utc_day(late_in_new_york) == date(2026, 3, 2)
    assert utc_day(datetime(2026, 3, 1, 23, 59, tzinfo=UTC)) == DAY
