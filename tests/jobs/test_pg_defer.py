"""Deferring procrastinate jobs in our own transaction (PostgreSQL): a segment's job commits
with its row or not at all, and a queueing-lock clash never aborts the caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import Stream, User
from clippy.db.session import make_engine, make_session_factory
from clippy.jobs.pg_backend import ProcrastinateJobs
from clippy.jobs.pg_defer import defer
from clippy.jobs.pg_specs import final_detect_job, segment_job
from tests.fixtures.db import _fresh_db


@pytest.fixture
def pg_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    gen = _fresh_db("postgresql", tmp_path, request)
    engine = make_engine(next(gen))
    yield make_session_factory(engine)
    engine.dispose()
    next(gen, None)


def _jobs(factory: sessionmaker[Session]) -> list[tuple[str, str, str | None, int, dict]]:  # type: ignore[type-arg]
    with factory() as s:
        rows = s.execute(
            text(
                "SELECT task_name, queue_name, lock, priority, args FROM procrastinate_jobs"
                " ORDER BY id"
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_job_commits_with_its_row_or_not_at_all(pg_factory: sessionmaker[Session]) -> None:
    with pg_factory() as s:
        user = User(email="a@example.test", password_hash="x", plan="business")
        s.add(user)
        s.flush()
        s.add(Stream(user_id=user.id, client_stream_id="s", status="live"))
        defer(s, segment_job(41, 7, "business"))
        s.rollback()
    assert _jobs(pg_factory) == []
    with pg_factory() as s:
        defer(s, segment_job(42, 7, "business"))
        s.commit()
    assert _jobs(pg_factory) == [
        (
            "clippy.segment",
            "media",
            "stream:7",
            2,
            {"segment_id": 42, "stream_id": 7, "plan": "business"},
        )
    ]


def test_a_queueing_lock_clash_keeps_the_transaction(pg_factory: sessionmaker[Session]) -> None:
    with pg_factory() as s:
        assert defer(s, final_detect_job(7, "free"))
        assert not defer(s, final_detect_job(7, "free"))  # one final pass waiting is enough
        user = User(email="b@example.test", password_hash="x")
        s.add(user)
        s.commit()  # the transaction survived the clash
    assert [j[0] for j in _jobs(pg_factory)] == ["clippy.final_detect"]
    with pg_factory() as s:
        assert s.query(User).count() == 1


def test_a_stream_has_jobs_pending_while_any_is_to_do_or_running(
    pg_factory: sessionmaker[Session],
) -> None:
    jobs = ProcrastinateJobs(SimpleNamespace(session_factory=pg_factory))  # type: ignore[arg-type]
    with pg_factory() as s:
        defer(s, segment_job(42, 7, "free"))
        s.commit()
    assert jobs.stream_jobs_pending(7) and not jobs.stream_jobs_pending(8)

    def set_status(task: str, status: str) -> None:
        with pg_factory() as s:
            s.execute(
                text("UPDATE procrastinate_jobs SET status = :st WHERE task_name = :t"),
                {"st": status, "t": task},
            )
            s.commit()

    set_status("clippy.segment", "doing")
    assert jobs.stream_jobs_pending(7)
    set_status("clippy.segment", "succeeded")
    assert not jobs.stream_jobs_pending(7)
    with pg_factory() as s:
        defer(s, final_detect_job(7, "free"))  # the final pass is the stream's job too
        s.commit()
    assert jobs.stream_jobs_pending(7)
    set_status("clippy.final_detect", "failed")
    assert not jobs.stream_jobs_pending(7)
