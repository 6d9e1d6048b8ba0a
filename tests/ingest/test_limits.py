"""Per-connection ingest limits (pure)."""

from __future__ import annotations

import pytest

from clippy.accounts.plans import get_plan
from clippy.ingest.limits import TokenBucket, segment_limit


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=10.0, burst=100.0)
    assert bucket.take(100, now=0.0) == 0.0
    assert bucket.take(10, now=0.0) == pytest.approx(1.0)  # refused: wait a second
    assert bucket.take(10, now=1.0) == 0.0
    assert bucket.take(5, now=1.0) == pytest.approx(0.5)
    assert bucket.take(100, now=1000.0) == 0.0  # refills up to the burst, not beyond
    assert bucket.take(1, now=1000.0) == pytest.approx(0.1)


def test_segment_limit_is_the_plans_never_above_the_operators() -> None:
    free = get_plan("free").max_segment_bytes
    assert segment_limit("free", 50 * 1024 * 1024) == free
    assert segment_limit("pro", 50 * 1024 * 1024) == 50 * 1024 * 1024 > free
    assert segment_limit("business", 1_000_000) == 1_000_000
