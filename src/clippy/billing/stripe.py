"""Stripe adapter: Checkout Sessions over Stripe's HTTP API, and webhook events applied.

Only two events change a plan: ``checkout.session.completed`` (paid: move to the plan the
session was created for) and ``customer.subscription.deleted`` (ended: back to free). The
user and plan travel in the objects' metadata, set when the session is created, so an event
needs no lookup in Stripe.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from sqlalchemy.orm import Session

from clippy.accounts.users import set_plan
from clippy.billing.base import PAID_PLANS, BillingError, record_subscription
from clippy.billing.signature import verify_signature
from clippy.db.models import User

__all__ = ["StripeBilling", "apply_event", "parse_webhook"]

log = logging.getLogger(__name__)


class StripeBilling:
    """Pay for a plan on a Stripe Checkout page (subscription mode)."""

    name = "stripe"
    self_service = True

    def __init__(
        self,
        api_key: str,
        prices: dict[str, str],
        *,
        api_base: str = "https://api.stripe.com",
        timeout: float = 15.0,
    ) -> None:
        self._api_key = api_key
        self._prices = prices
        self._api_base = api_base.rstrip("/")
        self._timeout = timeout

    def start_checkout(self, user: User, plan: str, *, success_url: str, cancel_url: str) -> str:
        """Create a Checkout Session for ``plan`` and return the URL to send the user to."""
        price = self._prices.get(plan, "")
        if plan not in PAID_PLANS or not price:
            raise BillingError(f"the {plan} plan cannot be bought here (no Stripe price set)")
        if not self._api_key:
            raise BillingError("Stripe is not configured on this server (CLIPPY_STRIPE_API_KEY)")
        form = {
            "mode": "subscription",
            "line_items[0][price]": price,
            "line_items[0][quantity]": "1",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(user.id),
            "customer_email": user.email,
            "metadata[user_id]": str(user.id),
            "metadata[plan]": plan,
            # Copied onto the subscription, so its deletion event names the user too.
            "subscription_data[metadata][user_id]": str(user.id),
            "subscription_data[metadata][plan]": plan,
        }
        try:
            r = httpx.post(
                f"{self._api_base}/v1/checkout/sessions",
                data=form,
                auth=(self._api_key, ""),
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise BillingError(f"could not reach Stripe ({exc}); try again in a minute") from exc
        body = _json(r)
        if r.status_code != 200 or not isinstance(body.get("url"), str):
            message = body.get("error", {}).get("message") or f"HTTP {r.status_code}"
            log.warning("stripe checkout refused for user %s: %s", user.id, message)
            raise BillingError(f"Stripe refused the checkout: {message}")
        return str(body["url"])


def _json(r: httpx.Response) -> dict[str, Any]:
    try:
        body = r.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def parse_webhook(payload: bytes, header: str, secret: str, now: float) -> dict[str, Any]:
    """The event of a webhook request whose signature is valid (``InvalidSignature`` if not)."""
    verify_signature(payload, header, secret, now)
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise ValueError("the webhook body is not JSON") from exc
    if not isinstance(event, dict):
        raise ValueError("the webhook body is not a JSON object")
    return event


def _user(session: Session, metadata: dict[str, Any]) -> User | None:
    raw = str(metadata.get("user_id", ""))
    return session.get(User, int(raw)) if raw.isdigit() else None


def apply_event(session: Session, event: dict[str, Any]) -> str:
    """Apply a verified Stripe event to a user's plan; returns what was done (for the log).

    Safe to apply twice: Stripe retries deliveries, and both changes are idempotent.
    """
    kind = str(event.get("type", ""))
    obj = event.get("data", {}).get("object", {})
    if not isinstance(obj, dict):
        return "ignored: no object"
    metadata = obj.get("metadata") or {}
    if kind == "checkout.session.completed":
        user, plan = _user(session, metadata), str(metadata.get("plan", ""))
        if user is None or plan not in PAID_PLANS:
            return "ignored: the session names no user or plan of ours"
        if obj.get("payment_status") not in (None, "paid", "no_payment_required"):
            return f"ignored: payment is {obj.get('payment_status')}"
        record_subscription(
            session,
            user,
            plan,
            provider="stripe",
            customer=str(obj.get("customer") or ""),
            subscription=str(obj.get("subscription") or ""),
        )
        return f"user {user.id} is now on {plan}"
    if kind == "customer.subscription.deleted":
        user = _user(session, metadata)
        if user is None:
            return "ignored: the subscription names no user of ours"
        current = (user.settings or {}).get("billing", {}).get("subscription")
        if current and current != obj.get("id"):
            # An older subscription ended after the user bought a new one: keep the new plan.
            return f"ignored: user {user.id} pays through {current}, not {obj.get('id')}"
        set_plan(session, user, "free")
        user.settings = {k: v for k, v in (user.settings or {}).items() if k != "billing"}
        return f"user {user.id} is back on free"
    return f"ignored: {kind or 'untyped'} events do not change plans"
