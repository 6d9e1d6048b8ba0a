"""Retention and hot-window rules (pure: no database, no files)."""

from __future__ import annotations


def leaves_hot_window(
    start_time: float, duration: float, received_until: float, hot_window_seconds: float
) -> bool:
    """Whether a segment's end is more than the hot window behind the stream's newest data."""
    return received_until - (start_time + duration) > hot_window_seconds
