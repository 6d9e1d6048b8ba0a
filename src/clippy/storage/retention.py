"""Retention and hot-window rules (pure: no database, no files)."""

from __future__ import annotations

from datetime import datetime, timedelta

from clippy.accounts.plans import get_plan

# Webhook delivery log: enough history to debug a receiver (a month, or the last 100 events
# of a busy one) without the log outgrowing the data it reports on. The same for every plan:
# a delivery row is a few hundred bytes, not media.
DELIVERY_RETENTION = timedelta(days=30)
DELIVERIES_PER_WEBHOOK = 100


def retention_cutoff(plan_name: str, now: datetime) -> datetime:
    """Data received before this instant is past the plan's retention and must go."""
    return now - get_plan(plan_name).retention


def delivery_cutoff(now: datetime) -> datetime:
    """Webhook deliveries logged before this instant are dropped."""
    return now - DELIVERY_RETENTION


def leaves_hot_window(
    start_time: float, duration: float, received_until: float, hot_window_seconds: float
) -> bool:
    """Whether a segment's end is more than the hot window behind the stream's newest data."""
    return received_until - (start_time + duration) > hot_window_seconds
