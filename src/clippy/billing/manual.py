"""The ``manual`` provider: no payments in the app; an administrator sets plans."""

from __future__ import annotations

from clippy.billing.base import BillingError
from clippy.db import User


class ManualBilling:
    """Plans change only through ``clippy user set-plan EMAIL PLAN`` (the embedded default);
    users ask for one on the billing page (``billing.requests``)."""

    name = "manual"
    self_service = False

    def start_checkout(self, user: User, plan: str, *, success_url: str, cancel_url: str) -> str:
        """Always refuses: there is no payment page in a manually billed setup."""
        raise BillingError(
            f"plans on this server are set by its administrator: press Request {plan.title()}"
            " on the billing page and they will switch your account"
        )

    def manage_subscription(self, user: User, *, return_url: str) -> str:
        """Always refuses: only the administrator changes or ends a plan here."""
        raise BillingError(
            "plans on this server are set by its administrator: request another plan (or"
            " Free, to cancel) on the billing page"
        )
