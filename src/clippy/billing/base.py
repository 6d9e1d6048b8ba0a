"""The billing-provider interface and the plan change every provider ends in."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from clippy.accounts import set_plan
from clippy.db import User
from clippy.errors import Unavailable

__all__ = ["PAID_PLANS", "BillingError", "BillingProvider", "record_subscription"]

PAID_PLANS = ("pro", "business")


class BillingError(Unavailable, RuntimeError):
    """A plan change could not be started; the message says what the user can do instead."""


class BillingProvider(Protocol):
    """Where a user goes to pay for a plan."""

    name: str
    # False: users cannot change plans themselves (the page explains who can).
    self_service: bool

    def start_checkout(self, user: User, plan: str, *, success_url: str, cancel_url: str) -> str:
        """The URL of a payment page for ``plan``; raises ``BillingError``."""
        ...

    def manage_subscription(self, user: User, *, return_url: str) -> str:
        """The URL of a page where a paying user switches or cancels; raises ``BillingError``."""
        ...


def record_subscription(
    session: Session, user: User, plan: str, *, provider: str, customer: str, subscription: str
) -> None:
    """Put ``user`` on ``plan`` and remember which subscription pays for it."""
    set_plan(session, user, plan)
    # A new dict, not an in-place edit: the JSON column only notices reassignment.
    user.settings = {
        **(user.settings or {}),
        "billing": {"provider": provider, "customer": customer, "subscription": subscription},
    }
    session.flush()
