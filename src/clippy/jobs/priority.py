"""Job priority from the owner's plan (pure): a paying plan's work goes first."""

from __future__ import annotations

from clippy.accounts import PLANS

__all__ = ["job_priority"]


def job_priority(plan: str) -> int:
    """Higher runs first: the plans' order in ``PLANS`` (free 0, pro 1, business 2)."""
    names = list(PLANS)
    return names.index(plan) if plan in names else 0
