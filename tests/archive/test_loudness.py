"""Loudness cache: each segment read once, new segments picked up, expired ones dropped."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from clippy.archive.loudness import LoudnessCache
from clippy.archive.media import stored_spans
from clippy.db.models import Segment, Stream, User
from tests.fixtures.rows import segment_row


def _segment(s: Session, stream_id: int, seq: int, loud: list[float] | None) -> Segment:
    features = None if loud is None else {"start": seq * 10.0, "step": 1.0, "loudness": loud}
    seg = segment_row(stream_id, seq, features=features)
    s.add(seg)
    s.flush()
    return seg


def test_cache_reads_each_segment_once(session_factory: sessionmaker[Session]) -> None:
    cache = LoudnessCache()
    with session_factory() as s:
        user = User(email="loud@example.com", password_hash="x")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="c", title="t")
        s.add(stream)
        s.flush()
        first = _segment(s, stream.id, 0, [-40.0, -12.5])
        _segment(s, stream.id, 1, None)  # not analysed: left out, not an error
        s.commit()

        got = cache.for_spans(s, stream.id, stored_spans(s, stream.id))
        assert [(x.start, x.peak) for x in got] == [(0.0, -12.5)]

        # A cached segment is not read again (the row's change is not seen) ...
        first.features = {"start": 0.0, "step": 1.0, "loudness": [-1.0]}
        _segment(s, stream.id, 2, [-20.0])  # ... while a new one is.
        s.commit()
        got = cache.for_spans(s, stream.id, stored_spans(s, stream.id))
        assert [(x.start, x.peak) for x in got] == [(0.0, -12.5), (20.0, -20.0)]

        # Expired (swept) segments drop out.
        s.delete(first)
        s.commit()
        got = cache.for_spans(s, stream.id, stored_spans(s, stream.id))
        assert [x.start for x in got] == [20.0]
