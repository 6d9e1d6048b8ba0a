"""Quota decisions, pure: may this user record more today, and how many clips are left?

Days are UTC days; the counters they are checked against live in ``accounts.usage``.
"""

from __future__ import annotations

from dataclasses import dataclass

from clippy.accounts.plans import PLANS, Plan

__all__ = ["QuotaDecision", "clips_allowed", "recording_allowed"]

# Segment durations are measured from the media, not exact: a segment that overshoots the
# allowance by a fraction of a second is still taken.
RECORDING_TOLERANCE_SECONDS = 0.5

_UPGRADE_TO = {"free": "pro", "pro": "business"}


@dataclass(frozen=True)
class QuotaDecision:
    """Whether the action may go ahead.

    ``remaining_seconds`` is what today's allowance had left before this action (``None``:
    unlimited); ``message`` explains a refusal to the user and is empty when allowed.
    """

    allowed: bool
    remaining_seconds: float | None
    message: str = ""


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" if minutes == 0 else f"{hours} h {minutes} min"


def _upgrade_hint(plan: Plan) -> str:
    better = PLANS.get(_UPGRADE_TO.get(plan.name, ""))
    if better is None:
        return ""
    hours = better.recording_hours_per_day
    offer = "unlimited recording" if hours is None else f"{hours:g} h"
    return f", or upgrade to {better.name.title()} for {offer}"


def recording_allowed(
    plan: Plan, used_seconds_today: float, adding_seconds: float
) -> QuotaDecision:
    """Whether ``adding_seconds`` more recording fit in today's allowance of ``plan``."""
    hours = plan.recording_hours_per_day
    if hours is None:
        return QuotaDecision(True, None)
    remaining = max(0.0, hours * 3600 - used_seconds_today)
    if adding_seconds <= remaining + RECORDING_TOLERANCE_SECONDS:
        return QuotaDecision(True, remaining)
    allowance = "today's hour is used up" if hours == 1 else f"today's {hours:g} hours are used up"
    if remaining > RECORDING_TOLERANCE_SECONDS:
        allowance = (
            f"only {_duration(remaining)} are left today, less than this"
            f" {_duration(adding_seconds)} segment"
        )
    message = (
        f"Your {plan.name} plan records {hours:g} h per day; {allowance}."
        f" It resets at 00:00 UTC{_upgrade_hint(plan)}."
    )
    return QuotaDecision(False, remaining, message)


def clips_allowed(plan: Plan, clips_today: int) -> int | None:
    """How many more clips ``plan`` allows today; ``None`` means unlimited."""
    if plan.clips_per_day is None:
        return None
    return max(0, plan.clips_per_day - clips_today)
