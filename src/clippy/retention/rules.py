"""Retention and hot-window rules (pure: no database, no files)."""

from __future__ import annotations

from datetime import datetime

from clippy.accounts.plans import get_plan


def retention_cutoff(plan_name: str, now: datetime) -> datetime:
    """Data received before this instant is past the plan's retention and must go."""
    return now - get_plan(plan_name).retention


def leaves_hot_window(
    start_time: float, duration: float, received_until: float, hot_window_seconds: float
) -> bool:
    """Whether a segment's end is more than the hot window behind the stream's newest data."""
    return received_until - (start_time + duration) > hot_window_seconds
