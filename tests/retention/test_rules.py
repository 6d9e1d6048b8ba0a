"""Pure retention and hot-window rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clippy.accounts.plans import UnknownPlan, retention_cutoff
from clippy.retention.rules import leaves_hot_window

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("plan", "kept"),
    [("free", timedelta(hours=12)), ("pro", timedelta(hours=48)), ("business", timedelta(days=7))],
)
def test_cutoff_is_now_minus_plan_retention(plan: str, kept: timedelta) -> None:
    assert retention_cutoff(plan, NOW) == NOW - kept


def test_unknown_plan_names_the_valid_ones() -> None:
    with pytest.raises(UnknownPlan, match="free, pro, business"):
        retention_cutoff("platinum", NOW)


@pytest.mark.parametrize(
    ("start", "duration", "received_until", "window", "leaves"),
    [
        (0.0, 10.0, 310.0, 300.0, False),  # end exactly the window behind: still hot
        (0.0, 10.0, 310.5, 300.0, True),  # just past it
        (600.0, 10.0, 610.0, 300.0, False),  # the newest segment
        (0.0, 10.0, 5.0, 300.0, False),  # received_until behind the segment (clock skew)
        (0.0, 10.0, 20.0, 0.0, True),  # zero window archives everything finished
    ],
)
def test_leaves_hot_window(
    start: float, duration: float, received_until: float, window: float, leaves: bool
) -> None:
    assert leaves_hot_window(start, duration, received_until, window) is leaves
