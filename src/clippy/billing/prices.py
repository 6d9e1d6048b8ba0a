"""What each plan costs, as configured (``CLIPPY_PRICE_PRO``, ``CLIPPY_PRICE_BUSINESS``)."""

from __future__ import annotations

from clippy.config import Settings

__all__ = ["plan_prices"]


def plan_prices(settings: Settings) -> dict[str, str]:
    """Display prices by plan name; a plan left empty shows no price."""
    return {"pro": settings.price_pro.strip(), "business": settings.price_business.strip()}
