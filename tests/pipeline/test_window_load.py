"""The detection window read from the database: where processing stops, and only the
window's segments (a long stream's history is not read per segment)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.users import register
from clippy.config import Settings
from clippy.db.models import Stream
from clippy.pipeline.detection import load_window
from tests.fixtures.rows import segment_row


@pytest.fixture
def stream_id(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as s:
        user = register(s, "window@example.com", "correct horse battery")
        stream = Stream(user_id=user.id, client_stream_id="w-1", title="W")
        s.add(stream)
        s.commit()
        return stream.id


def _features(seq: int) -> dict[str, list[float]]:
    return {"loudness": [float(seq)] * 10}


def test_window_ends_before_the_first_unprocessed_segment(
    session_factory: sessionmaker[Session], stream_id: int, settings: Settings
) -> None:
    statuses = ["done"] * 3 + ["failed", "done", "processing", "done", "pending"]
    with session_factory() as s:
        for seq, status in enumerate(statuses):
            s.add(segment_row(stream_id, seq, status=status, features=_features(seq)))
        s.commit()
        window = load_window(s, s.get(Stream, stream_id), settings)  # type: ignore[arg-type]
    assert window is not None
    assert window.t1 == 50.0  # segment 5 is still processing: 6 (done) waits behind it
    assert [start for start, _ in window.features] == [0.0, 10.0, 20.0, 40.0]  # no failed 3


def test_long_stream_reads_only_the_window(
    session_factory: sessionmaker[Session], stream_id: int, settings: Settings
) -> None:
    with session_factory() as s:
        for seq in range(200):  # 2000 s of processed stream
            s.add(segment_row(stream_id, seq, features=_features(seq)))
        s.commit()
        window = load_window(s, s.get(Stream, stream_id), settings)  # type: ignore[arg-type]
    assert window is not None and window.t1 == 2000.0
    assert window.t0 == 2000.0 - settings.detect_window_seconds
    starts = [start for start, _ in window.features]
    assert starts == [float(t) for t in range(1850, 2000, 10)]
    assert window.features[-1][1] == _features(199)


def test_nothing_processed_yet(
    session_factory: sessionmaker[Session], stream_id: int, settings: Settings
) -> None:
    with session_factory() as s:
        s.add(segment_row(stream_id, 0, status="pending"))
        s.add(segment_row(stream_id, 1, status="done"))
        s.commit()
        assert load_window(s, s.get(Stream, stream_id), settings) is None  # type: ignore[arg-type]
