"""Plan requests on a manually billed server: the user asks in the dashboard, the admin acts.

Without a payment provider a user cannot pay in the app, but they should not have to e-mail
a shell command to anyone either: "Request Pro" records the wish on the account, the billing
page shows it as pending, ``clippy user requests`` lists them for the administrator, and a
plan change (``clippy user set-plan``) settles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts import get_plan
from clippy.db import User, utcnow

__all__ = ["PlanRequest", "pending_requests", "plan_request", "request_plan", "withdraw_request"]

_KEY = "plan_request"


@dataclass(frozen=True)
class PlanRequest:
    """A user's wish to move to ``plan``, made at ``at``."""

    email: str
    plan: str
    at: datetime


def plan_request(user: User) -> PlanRequest | None:
    """The user's open request, or ``None`` (none made, or settled by a plan change)."""
    raw = (user.settings or {}).get(_KEY)
    if not isinstance(raw, dict) or raw.get("plan") == user.plan:
        return None
    try:
        return PlanRequest(user.email, str(raw["plan"]), datetime.fromisoformat(str(raw["at"])))
    except (KeyError, ValueError):
        return None


def request_plan(session: Session, user: User, plan: str, now: datetime | None = None) -> None:
    """Record that ``user`` asks for ``plan``; ``UnknownPlan`` or ``ValueError`` when it is
    not a plan or is already theirs."""
    name = get_plan(plan).name
    if name == user.plan:
        raise ValueError(f"you are already on the {name.title()} plan")
    at = (now or utcnow()).isoformat()
    # A new dict: the JSON column only notices reassignment.
    user.settings = {**(user.settings or {}), _KEY: {"plan": name, "at": at}}
    session.flush()


def withdraw_request(session: Session, user: User) -> None:
    """Drop the user's open request (idempotent)."""
    settings = dict(user.settings or {})
    if settings.pop(_KEY, None) is not None:
        user.settings = settings
        session.flush()


def pending_requests(session: Session) -> list[PlanRequest]:
    """Every open request, oldest first (for the administrator)."""
    out = [r for u in session.scalars(select(User)) if (r := plan_request(u)) is not None]
    return sorted(out, key=lambda r: r.at)
