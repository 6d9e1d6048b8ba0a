"""Publishing on the procrastinate backend (real PostgreSQL, the app's in-process worker,
the fake platforms): a queued publication is a ``publish`` job deferred to its scheduled time,
and the periodic sweep finds the rest (one whose job was never deferred, one the platform is
still processing)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from clippy.db import Publication, utcnow
from clippy.jobs import Jobs
from tests.fixtures.app import procrastinate_client
from tests.publish.conftest import (
    World,
    add_finished_export,
    connect,
    platform_settings,
    queue_publication,
)
from tests.publish.fake_platforms import FakePlatforms


@pytest.fixture
def world_on_jobs(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakePlatforms, short_mp4: Path
) -> Iterator[tuple[World, Jobs]]:
    """A started app on PostgreSQL with procrastinate jobs (and its job layer), and a user
    with a finished export and both platforms connected."""
    for client in procrastinate_client(request, tmp_path, **platform_settings(fake)):
        ctx: Any = client.app.state.ctx  # type: ignore[attr-defined]
        with ctx.session_factory() as session:
            ids = add_finished_export(session, ctx.store, short_mp4, "pub@example.com")
        world = World(ctx.publisher, ctx.session_factory, *ids, ctx.publisher.config)
        for platform in ("youtube", "tiktok"):
            connect(world, platform)
        yield world, ctx.jobs


def _queue(world: World, platform: str, delay: float = 0.0) -> int:
    when = utcnow() + timedelta(seconds=delay) if delay else None
    return queue_publication(world, platform, when=when)


def _status(world: World, pid: int) -> str:
    with world.session_factory() as session:
        pub = session.get(Publication, pid)
        assert pub is not None
        return str(pub.status)


def _wait(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def _publish_jobs(world: World, pid: int) -> list[tuple[str, Any]]:
    """(status, scheduled_at) of the publication's ``publish`` jobs, oldest first."""
    with world.session_factory() as session:
        rows = session.execute(
            text(
                "SELECT status, scheduled_at FROM procrastinate_jobs"
                " WHERE task_name = 'clippy.publish' AND (args->>'publication_id')::int = :pid"
                " ORDER BY id"
            ),
            {"pid": pid},
        )
        return [(str(s), at) for s, at in rows]


def test_publications_are_published_by_jobs_and_the_sweep(
    world_on_jobs: tuple[World, Jobs], fake: FakePlatforms
) -> None:
    world, jobs = world_on_jobs
    # Queued now: its job runs at once.
    now_id = _queue(world, "youtube")
    jobs.publication_queued(now_id)
    _wait(lambda: _status(world, now_id) == "published")
    assert [s for s, _ in _publish_jobs(world, now_id)] == ["succeeded"]

    # Scheduled: the job waits for its time, and nothing goes out before it.
    later_id = _queue(world, "youtube", delay=3.0)
    jobs.publication_queued(later_id)
    ((status, at),) = _publish_jobs(world, later_id)
    with world.session_factory() as session:
        pub = session.get(Publication, later_id)
        assert pub is not None
        assert status == "todo" and abs((at - pub.scheduled_at).total_seconds()) < 1
    time.sleep(1.0)
    assert _status(world, later_id) == "queued"
    _wait(lambda: _status(world, later_id) == "published")
    assert len(fake.uploads) == 2

    # Never deferred (its node died after the commit), and TikTok still processing at the
    # first look: the periodic sweep defers an attempt each time it is due.
    fake.processing_polls = 1
    lost_id = _queue(world, "tiktok")
    _wait(lambda: _status(world, lost_id) == "published")
    assert len(_publish_jobs(world, lost_id)) >= 2  # uploaded, then looked again
