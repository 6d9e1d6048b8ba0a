"""Per-stream queues served round-robin (pure)."""

from __future__ import annotations

import pytest

from clippy.jobs.fair_queue import FairQueue


def test_streams_take_turns_whatever_their_backlog() -> None:
    q = FairQueue()
    for seg in range(100):  # a heavy stream flushes 100 segments at once
        q.push(1, seg, now=0.0)
    q.push(2, 1000, now=1.0)
    q.push(3, 2000, now=2.0)
    order = [q.pop() for _ in range(5)]
    assert order == [(1, 0), (2, 1000), (3, 2000), (1, 1), (1, 2)]
    assert q.depth() == 97


def test_a_segment_is_queued_once_until_done() -> None:
    q = FairQueue()
    assert q.push(1, 7, now=0.0) and not q.push(1, 7, now=1.0)
    assert q.pop() == (1, 7)
    assert not q.push(1, 7, now=2.0)  # still running
    assert q.pending(1) == 1
    assert q.done(1, 7) == 0 and q.pending(1) == 0
    assert q.push(1, 7, now=3.0)  # finished: may be queued again (a retry after restart)
    assert q.pop() == (1, 7) and q.pop() is None


def test_lag_is_the_wait_of_the_oldest_unfinished_segment() -> None:
    q = FairQueue()
    assert q.lag(1, now=5.0) == 0.0
    q.push(1, 1, now=10.0)
    q.push(1, 2, now=20.0)
    q.push(2, 3, now=25.0)
    assert q.lag(1, now=30.0) == pytest.approx(20.0)
    assert q.pop() == (1, 1)
    assert q.lag(1, now=30.0) == pytest.approx(20.0)  # running still counts
    q.done(1, 1)
    assert q.lags(now=30.0) == pytest.approx({1: 10.0, 2: 5.0})


def test_oldest_wait_counts_only_segments_not_started() -> None:
    q = FairQueue()
    assert q.oldest_wait(now=5.0) == 0.0
    q.push(1, 1, now=10.0)
    q.push(2, 2, now=12.0)
    q.push(1, 3, now=14.0)
    assert q.oldest_wait(now=20.0) == pytest.approx(10.0)
    assert q.pop() == (1, 1)  # running now: the mezzanine decision looks past it
    assert q.oldest_wait(now=20.0) == pytest.approx(8.0)
    assert q.pop() == (2, 2) and q.pop() == (1, 3)
    assert q.oldest_wait(now=20.0) == 0.0


def test_paying_streams_go_first_and_depth_is_counted_per_stream_and_plan() -> None:
    q = FairQueue()
    q.push(1, 10, now=0.0)  # free
    q.push(1, 11, now=0.0)
    q.push(2, 20, now=1.0, priority=1, plan="pro")
    q.push(3, 30, now=2.0, priority=1, plan="business")
    assert q.waiting_by_stream() == {1: 2, 2: 1, 3: 1}
    assert q.waiting_by_plan() == {"free": 2, "pro": 1, "business": 1}
    # Paying streams take turns among themselves before the free stream's backlog.
    assert [q.pop() for _ in range(4)] == [(2, 20), (3, 30), (1, 10), (1, 11)]
    assert q.waiting_by_plan() == {}


def test_a_streams_waiting_segments_are_taken_together_and_others_keep_their_turn() -> None:
    q = FairQueue()
    for seg in range(5):
        q.push(1, seg, now=float(seg))
    q.push(2, 100, now=0.5)
    assert q.pop() == (1, 0)
    assert q.pop_more(1, 2) == [1, 2]
    assert q.pending(1) == 5 and q.depth() == 3  # two still wait; three run
    assert q.pop() == (2, 100)  # the other stream's turn is next, as before
    assert q.pop() == (1, 3)
    assert q.pop_more(1, 2) == [4]
    assert q.pop() is None  # stream 1 has nothing waiting: it left the line
    assert q.pop_more(1, 2) == [] and q.pop_more(99, 2) == []
    assert [q.done(1, s) for s in range(5)] == [4, 3, 2, 1, 0]
    assert q.lag(1, now=10.0) == 0.0


def test_taking_a_streams_last_waiting_segments_ends_its_turn() -> None:
    q = FairQueue()
    q.push(1, 1, now=0.0)
    q.push(1, 2, now=1.0)
    q.push(2, 3, now=2.0)
    assert q.pop() == (1, 1) and q.pop_more(1, 5) == [2]
    assert q.pop() == (2, 3) and q.pop() is None
