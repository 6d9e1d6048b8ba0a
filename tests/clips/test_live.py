"""The processed end of a live stream, for "Clip the last 30 s"."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.users import register
from clippy.clips.live import last_seconds
from clippy.clips.render import ClipSourceMissing, check_sources
from clippy.db.models import Stream
from tests.fixtures.rows import segment_row


@pytest.fixture
def stream_id(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as s:
        user = register(s, "live@example.com", "correct horse battery")
        stream = Stream(user_id=user.id, client_stream_id="live-1", title="Live")
        s.add(stream)
        s.commit()
        return stream.id


def _segments(s: Session, stream_id: int, statuses: list[str], overlap: float = 0.02) -> None:
    # MediaRecorder segments overlap by a few ms: each lasts a bit longer than its slot.
    for seq, status in enumerate(statuses):
        s.add(segment_row(stream_id, seq, status=status, duration=10.0 + overlap))
    s.flush()


def test_ends_where_processing_stops_even_with_overlapping_segments(
    session_factory: sessionmaker[Session], stream_id: int
) -> None:
    with session_factory() as s:
        _segments(s, stream_id, ["done"] * 5 + ["processing", "done", "pending"])
        start, end = last_seconds(s, stream_id, 30.0)
        assert (start, end) == (20.0, 50.0)
        # Exactly the processed segments are needed: the cut can go ahead.
        check_sources(s, stream_id, [(start, end)])


def test_all_processed_ends_at_the_last_segment(
    session_factory: sessionmaker[Session], stream_id: int
) -> None:
    with session_factory() as s:
        _segments(s, stream_id, ["done", "done"], overlap=0.0)
        assert last_seconds(s, stream_id, 30.0) == (0.0, 20.0)


def test_nothing_processed_yet_says_to_wait(
    session_factory: sessionmaker[Session], stream_id: int
) -> None:
    with session_factory() as s:
        with pytest.raises(ClipSourceMissing, match="try again in a few seconds"):
            last_seconds(s, stream_id, 30.0)
        _segments(s, stream_id, ["processing", "done"])
        with pytest.raises(ClipSourceMissing):
            last_seconds(s, stream_id, 30.0)
