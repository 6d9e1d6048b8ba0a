"""Plans and their limits: the one place these numbers live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from clippy.errors import InvalidInput


@dataclass(frozen=True)
class Plan:
    """What a plan allows. ``None`` means unlimited."""

    name: str
    recording_hours_per_day: float | None
    clips_per_day: int | None
    retention: timedelta
    max_export_height: int
    watermark: bool
    team_seats: int
    api_and_webhooks: bool
    custom_detection: bool = False  # own key phrases and a prompt for the LLM judge
    custom_branding: bool = False  # own logo burned into exports
    # The largest segment frame accepted (bytes): a free plan records at most 720p.
    max_segment_bytes: int = 50 * 1024 * 1024
    # Channels the server records by URL at once for one user (record/).
    recording_channels: int = 1


PLANS: dict[str, Plan] = {
    "free": Plan(
        "free", 1, 3, timedelta(hours=12), 720, True, 1, False, max_segment_bytes=20 * 1024 * 1024
    ),
    "pro": Plan("pro", 4, None, timedelta(hours=48), 1080, False, 1, False, recording_channels=3),
    "business": Plan(
        "business",
        None,
        None,
        timedelta(days=7),
        2160,
        False,
        5,
        True,
        custom_detection=True,
        custom_branding=True,
        recording_channels=10,
    ),
}


class UnknownPlan(InvalidInput):
    """Raised for a plan name that is not one of ``PLANS``."""


def get_plan(name: str) -> Plan:
    """The plan called ``name``; raises ``UnknownPlan`` listing the valid names."""
    try:
        return PLANS[name]
    except KeyError:
        raise UnknownPlan(f"unknown plan {name!r}; choose one of {', '.join(PLANS)}") from None


def retention_cutoff(plan_name: str, now: datetime) -> datetime:
    """Data received before this instant is past the plan's retention and must go."""
    return now - get_plan(plan_name).retention
