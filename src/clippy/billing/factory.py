"""The billing provider the settings ask for."""

from __future__ import annotations

from clippy.billing.base import BillingProvider
from clippy.billing.manual import ManualBilling
from clippy.billing.stripe import StripeBilling
from clippy.config import Settings


def stripe_prices(settings: Settings) -> dict[str, str]:
    """Plan name -> the Stripe price id configured for it (empty when not sold)."""
    return {"pro": settings.stripe_price_pro, "business": settings.stripe_price_business}


def billing_provider(settings: Settings) -> BillingProvider:
    """``manual`` (the embedded default) or the Stripe adapter configured by ``settings``."""
    if settings.billing_provider == "stripe":
        return StripeBilling(
            settings.stripe_api_key, stripe_prices(settings), api_base=settings.stripe_api_base
        )
    return ManualBilling()
