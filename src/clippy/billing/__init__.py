"""Plan changes through a billing provider: ``manual`` (an admin sets plans) or Stripe.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.billing.base import PAID_PLANS, BillingError, BillingProvider
from clippy.billing.factory import billing_provider, stripe_prices
from clippy.billing.prices import plan_prices
from clippy.billing.requests import pending_requests, plan_request, request_plan, withdraw_request
from clippy.billing.signature import InvalidSignature
from clippy.billing.stripe import apply_event, parse_webhook

__all__ = [
    "PAID_PLANS",
    "BillingError",
    "BillingProvider",
    "InvalidSignature",
    "apply_event",
    "billing_provider",
    "parse_webhook",
    "pending_requests",
    "plan_prices",
    "plan_request",
    "request_plan",
    "stripe_prices",
    "withdraw_request",
]
