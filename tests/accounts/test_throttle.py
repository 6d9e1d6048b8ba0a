"""Attempt counting: a sliding window per key, counted before the work, refunded on success,
and a bounded table."""

from __future__ import annotations

import pytest

from clippy.accounts.throttle import Limit, Throttle, Throttled, wait_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wait_seconds_is_until_the_oldest_counted_attempt_leaves() -> None:
    limit = Limit(3, 60)
    assert wait_seconds([], limit, 100) == 0
    assert wait_seconds([50, 60], limit, 100) == 0
    assert wait_seconds([50, 60, 70], limit, 100) == 10  # 50 + 60 - 100
    assert wait_seconds([10, 50, 60, 70], limit, 100) == 10  # 10 is out of the window
    assert wait_seconds([50, 60, 70], limit, 111) == 0


def test_a_key_is_refused_at_its_limit_with_retry_after() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    keys = [("log-in:a@x", Limit(2, 900))]
    throttle.take("log-in", keys)
    clock.now += 100
    throttle.take("log-in", keys)
    with pytest.raises(Throttled) as refused:
        throttle.take("log-in", keys)
    assert refused.value.retry_after == 800
    assert str(refused.value) == "too many log-in attempts; try again in 14 min"
    clock.now += 800
    throttle.take("log-in", keys)  # the first attempt left the window


def test_a_refusal_counts_nothing_and_a_success_is_refunded() -> None:
    throttle = Throttle(clock=Clock())
    account, address = ("acct", Limit(1, 60)), ("addr", Limit(5, 60))
    throttle.take("log-in", [account, address])
    for _ in range(3):
        with pytest.raises(Throttled):
            throttle.take("log-in", [account, address])
    # The refusals did not use the address's budget: four more fit on other accounts.
    for n in range(4):
        throttle.take("log-in", [(f"other{n}", Limit(1, 60)), address])
    with pytest.raises(Throttled):
        throttle.take("log-in", [("another", Limit(1, 60)), address])
    ok = Throttle(clock=Clock())
    for _ in range(5):
        ok.take("log-in", [account]).refund()


def test_the_table_is_bounded() -> None:
    throttle = Throttle(max_keys=100, clock=Clock())
    for n in range(1000):
        throttle.take("log-in", [(f"made-up-{n}@x", Limit(5, 60))])
    assert len(throttle._times) == 100
