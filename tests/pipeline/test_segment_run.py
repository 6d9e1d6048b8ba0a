"""Which waiting segments a procrastinate segment job takes along (``stages.segment_run``):
the stream's next ones still pending, without a hole, up to the limit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import Segment, Stream, User, make_engine, make_session_factory
from clippy.pipeline import segment_run

Runs = tuple[sessionmaker[Session], list[int]]


@pytest.fixture
def stream_segments(db_url: str) -> Runs:
    """Six 10 s segments of one live stream (seq 4 starts after a 5 s hole); their ids."""
    factory = make_session_factory(make_engine(db_url))
    with factory() as s:
        user = User(email="run@example.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="run", status="live")
        s.add(stream)
        s.flush()
        segs = [
            Segment(
                stream_id=stream.id,
                seq=k,
                start_time=10.0 * k + (5.0 if k >= 4 else 0.0),
                duration=10.0,
                mime="video/webm",
                size=1,
                sha256="0" * 64,
                storage_key=f"streams/{stream.id}/segments/{k:08d}.webm",
            )
            for k in range(6)
        ]
        s.add_all(segs)
        s.commit()
        return factory, [seg.id for seg in segs]


def _set(factory: sessionmaker[Session], seg_id: int, status: str) -> None:
    with factory() as s:
        seg = s.get(Segment, seg_id)
        assert seg is not None
        seg.status = status
        s.commit()


def test_a_job_takes_the_waiting_segments_after_its_own(
    stream_segments: Runs,
) -> None:
    factory, ids = stream_segments
    assert segment_run(factory, ids[0], 3) == ids[0:3]
    assert segment_run(factory, ids[0], 1) == ids[0:1]
    assert segment_run(factory, ids[2], 3) == ids[2:4]  # a hole ends it
    _set(factory, ids[1], "processing")  # a crashed attempt of its own: its job retries it
    assert segment_run(factory, ids[0], 3) == ids[0:1]


def test_a_segment_processed_with_an_earlier_one_is_not_processed_again(
    stream_segments: Runs,
) -> None:
    factory, ids = stream_segments
    _set(factory, ids[1], "done")
    assert segment_run(factory, ids[1], 3) is None
    assert segment_run(factory, 10**9, 3) == [10**9]  # gone: the stage says so
