"""The ``manual`` provider: no payments in the app; an administrator sets plans."""

from __future__ import annotations

from clippy.billing.base import BillingError
from clippy.db.models import User


class ManualBilling:
    """Plans change only through ``clippy user set-plan EMAIL PLAN`` (the embedded default)."""

    name = "manual"
    self_service = False

    def start_checkout(self, user: User, plan: str, *, success_url: str, cancel_url: str) -> str:
        """Always refuses: there is no payment page in a manually billed setup."""
        raise BillingError(
            f"plans on this server are set by its administrator: ask them to run"
            f" `clippy user set-plan {user.email} {plan}`"
        )

    def manage_subscription(self, user: User, *, return_url: str) -> str:
        """Always refuses: only the administrator changes or ends a plan here."""
        raise BillingError(
            f"plans on this server are set by its administrator: ask them to run"
            f" `clippy user set-plan {user.email} free` to cancel, or name another plan"
        )
