"""Retrieval from the owner's remembered speech, bounded by retention (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.plans import retention_cutoff
from clippy.clips.make import _check_earlier
from clippy.clips.service import InvalidRange
from clippy.db.models import Stream, TranscriptSegment, User
from clippy.memory.index import matching_chunks, recent_chunks, search_words
from clippy.memory.passages import best_passage

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _said(s: Session, stream: Stream, text: str, start: float, hours_ago: float) -> None:
    words = [
        {"text": w, "start": start + i * 0.4, "end": start + i * 0.4 + 0.3}
        for i, w in enumerate(text.split())
    ]
    s.add(
        TranscriptSegment(
            stream_id=stream.id, chunk_id=f"{stream.id}:{start}", start_time=start,
            end_time=words[-1]["end"], text=text, words=words,
            created_at=NOW - timedelta(hours=hours_ago),
        )
    )  # fmt: skip


@pytest.fixture
def memory(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as s:
        me, other = (
            User(email="me@x.test", password_hash="x", plan="pro"),
            User(email="other@x.test", password_hash="x", plan="pro"),
        )
        s.add_all([me, other])
        s.flush()
        old, day1, today, theirs = (
            Stream(user_id=u.id, client_stream_id=n) for u, n in
            ((me, "old"), (me, "day1"), (me, "today"), (other, "theirs"))
        )  # fmt: skip
        s.add_all([old, day1, today, theirs])
        s.flush()
        _said(s, old, "i fell off the bridge in the old days", 5.0, 60)  # past 48 h
        _said(s, day1, "oh no i just fell off the bridge", 50.0, 20)
        _said(s, day1, "we need more wood before the night", 80.0, 19.9)
        _said(s, theirs, "i fell off the bridge too", 10.0, 1)  # another owner's
        _said(s, today, "remember yesterday when i fell off the bridge", 30.0, 0)
        _said(s, today, "i bet i win this next round", 5.0, 0.2)
        s.commit()
        return {"me": me.id, "day1": day1.id, "today": today.id, "old": old.id}


def test_retrieval_finds_the_owners_retained_passage_only(
    session_factory: sessionmaker[Session], memory: dict[str, int]
) -> None:
    with session_factory() as s:
        since = retention_cutoff("pro", NOW)
        chunks = matching_chunks(
            s, memory["me"], "i fell off the bridge", since=since, exclude=(memory["today"], 29.0)
        )
        # Not the 60 h old one (past retention), not another owner's, not the callback itself.
        assert {c.stream_id for c in chunks} == {memory["day1"]}
        p = best_passage("i fell off the bridge", chunks)
        assert p is not None and p.start == pytest.approx(50.0)
        assert p.said_at == NOW - timedelta(hours=20)
        # On the free plan (12 h) yesterday is gone too.
        free = retention_cutoff("free", NOW)
        mine = matching_chunks(s, memory["me"], "fell off the bridge", since=free)
        assert {c.stream_id for c in mine} == {memory["today"]}  # only the callback itself
        # Said in other words: no chunk holds them all, one holds most.
        other = matching_chunks(s, memory["me"], "i fell off the rope bridge", since=since,
                                exclude=(memory["today"], 29.0))  # fmt: skip
        assert {c.stream_id for c in other} == {memory["day1"]}
        # Words without anything distinctive search nothing.
        assert search_words("when i was there") == []
        assert matching_chunks(s, memory["me"], "when i was there", since=since) == []


def test_recent_chunks_are_bounded_by_time_and_leave_the_outcome_out(
    session_factory: sessionmaker[Session], memory: dict[str, int]
) -> None:
    with session_factory() as s:
        got = recent_chunks(
            s, memory["me"], since=NOW - timedelta(hours=2), before=(memory["today"], 29.0),
            limit=100,
        )  # fmt: skip
        assert [c.words[0]["text"] for c in got] == ["i"]  # the prediction, not the callback


def test_recent_chunks_read_only_the_owners_recent_chunks_with_a_prediction_word(
    session_factory: sessionmaker[Session], memory: dict[str, int]
) -> None:
    with session_factory() as s:
        day1, today = s.get(Stream, memory["day1"]), s.get(Stream, memory["today"])
        theirs = s.query(Stream).filter_by(client_stream_id="theirs").one()
        assert day1 is not None and today is not None
        _said(s, day1, "i bet i land it first try", 90.0, 19.8)  # a stream over for hours
        _said(s, theirs, "i bet i beat the boss", 20.0, 0.5)  # another owner's
        _said(s, today, "the weather is nice today", 12.0, 0.1)  # no prediction word
        _said(s, today, "if i get this one we win", 14.0, 0.1)
        s.commit()
        got = recent_chunks(
            s, memory["me"], since=NOW - timedelta(hours=2), before=(today.id, 29.0), limit=100
        )
        texts = [" ".join(str(w["text"]) for w in c.words) for c in got]
        assert sorted(texts) == ["i bet i win this next round", "if i get this one we win"]


def test_earlier_ranges_must_be_the_owners_other_recorded_streams(
    session_factory: sessionmaker[Session], memory: dict[str, int]
) -> None:
    with session_factory() as s:
        today = s.get(Stream, memory["today"])
        day1 = s.get(Stream, memory["day1"])
        assert today is not None and day1 is not None
        day1.received_until = 100.0
        with pytest.raises(InvalidRange, match="not another stream of this clip's owner"):
            _check_earlier(s, today, [(memory["today"], 0.0, 5.0)])
        with pytest.raises(InvalidRange, match="not another stream"):
            _check_earlier(s, today, [(10_000, 0.0, 5.0)])
        with pytest.raises(InvalidRange, match="ends after the recorded stream"):
            _check_earlier(s, today, [(memory["day1"], 90.0, 120.0)])
        with pytest.raises(InvalidRange, match="time order"):
            _check_earlier(s, today, [(memory["day1"], 40.0, 50.0), (memory["day1"], 30.0, 35.0)])
        _check_earlier(s, today, [(memory["day1"], 48.0, 60.0)])  # fine
