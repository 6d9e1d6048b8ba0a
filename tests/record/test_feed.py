"""A recording's feed on the durable job backend (PostgreSQL, procrastinate): each stored
segment commits with its job, as a WebSocket segment does, and ending the stream defers its
final detection pass, so the stream has jobs pending until a worker has run them all."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clippy.config import Settings
from clippy.db import Segment, Stream, User, make_engine, make_session_factory, session_scope
from clippy.ingest import LiveConnections
from clippy.jobs.pg_backend import ProcrastinateJobs
from clippy.record import RecordingKind, StreamFeed, create_recording
from clippy.storage import ObjectStore, make_store
from tests.fixtures.media import SegmentFile


@dataclass
class Parts:
    """What a feed needs (``RecordParts``), with the real procrastinate ``Jobs``."""

    settings: Settings
    session_factory: sessionmaker[Session]
    store: ObjectStore
    jobs: ProcrastinateJobs = field(init=False)
    ingest_live: LiveConnections = field(default_factory=LiveConnections)

    def __post_init__(self) -> None:
        self.jobs = ProcrastinateJobs(self)  # type: ignore[arg-type]


@pytest.fixture
def parts(tmp_path: Path, pg_url: str) -> Iterator[Parts]:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=pg_url, job_backend="procrastinate"
    )
    engine = make_engine(pg_url)
    yield Parts(settings, make_session_factory(engine), make_store(settings))
    engine.dispose()


def _jobs(factory: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    with factory() as s:
        rows = s.execute(text("SELECT task_name, args FROM procrastinate_jobs ORDER BY id"))
        return [(name, args) for name, args in rows]


def test_each_segment_commits_with_its_job_and_the_end_defers_the_final_pass(
    parts: Parts, small_webm_segments: list[SegmentFile]
) -> None:
    with session_scope(parts.session_factory) as s:
        user = User(email="rec@example.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        url = "https://example.test/live.m3u8"
        rec_id = create_recording(s, user, url, RecordingKind.CHANNEL).id

    async def record() -> tuple[int, list[int]]:
        feed = await StreamFeed.open(parts, rec_id, "hls")
        ids = []
        for seg in small_webm_segments[:2]:
            stored = await feed.store(seg.path.read_bytes(), seg.duration, "video/webm")
            ids.append(stored.segment_id)
        assert parts.jobs.stream_jobs_pending(feed.stream_id)
        await feed.end()
        feed.close()
        return feed.stream_id, ids

    stream_id, segment_ids = asyncio.run(record())
    seg_jobs = [{"segment_id": i, "stream_id": stream_id, "plan": "pro"} for i in segment_ids]
    assert _jobs(parts.session_factory) == [
        *(("clippy.segment", args) for args in seg_jobs),
        ("clippy.final_detect", {"stream_id": stream_id}),
    ]
    with parts.session_factory() as s:
        stream = s.get(Stream, stream_id)
        assert stream is not None and stream.status == "ended"
        assert s.query(Segment).filter(Segment.stream_id == stream_id).count() == 2
    assert parts.jobs.stream_jobs_pending(stream_id)
    with parts.session_factory() as s:  # a worker ran them all
        s.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded'"))
        s.commit()
    assert not parts.jobs.stream_jobs_pending(stream_id)
