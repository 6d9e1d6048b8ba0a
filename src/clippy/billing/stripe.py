"""Stripe adapter: Checkout and Billing Portal sessions over Stripe's HTTP API, and webhook
events applied to plans.

Three events change a plan: ``checkout.session.completed`` (paid: move to the plan the
session was created for), ``customer.subscription.updated`` (switched or lapsed in the
portal: the plan follows the subscription's price and status) and
``customer.subscription.deleted`` (ended: back to free). The user travels in the objects'
metadata, set when the Checkout Session is created, so an event needs no lookup in Stripe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy.orm import Session

from clippy.accounts import set_plan
from clippy.billing.base import PAID_PLANS, BillingError, record_subscription
from clippy.billing.signature import verify_signature
from clippy.db import User

__all__ = ["StripeBilling", "apply_event", "parse_webhook", "plan_of_price"]

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
            # Copied onto the subscription, so its update and deletion events name the user.
            "subscription_data[metadata][user_id]": str(user.id),
            "subscription_data[metadata][plan]": plan,
        }
        return self._session_url("/v1/checkout/sessions", form, user, "checkout")

    def manage_subscription(self, user: User, *, return_url: str) -> str:
        """A Billing Portal session for the user's Stripe customer (switch plan, change card,
        cancel); returns its URL. The portal's own configuration says which plans it offers."""
        customer = str((user.settings or {}).get("billing", {}).get("customer") or "")
        if not customer:
            raise BillingError(
                "your plan is not paid through Stripe here, so there is no subscription to"
                " manage; ask the server's administrator"
            )
        form = {"customer": customer, "return_url": return_url}
        return self._session_url("/v1/billing_portal/sessions", form, user, "billing portal")

    def _session_url(self, path: str, form: dict[str, str], user: User, what: str) -> str:
        if not self._api_key:
            raise BillingError("Stripe is not configured on this server (CLIPPY_STRIPE_API_KEY)")
        try:
            r = httpx.post(
                f"{self._api_base}{path}",
                data=form,
                auth=(self._api_key, ""),
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise BillingError(f"could not reach Stripe ({exc}); try again in a minute") from exc
        body = _json(r)
        if r.status_code != 200 or not isinstance(body.get("url"), str):
            message = body.get("error", {}).get("message") or f"HTTP {r.status_code}"
            log.warning("stripe %s refused for user %s: %s", what, user.id, message)
            raise BillingError(f"Stripe refused the {what}: {message}")
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


# Subscription statuses that mean "paid up" and "over for good". Others (past_due while
# Stripe retries the card, incomplete, paused) leave the plan as it is until one of these.
_LIVE = ("active", "trialing")
_ENDED = ("canceled", "unpaid", "incomplete_expired")
_SUBSCRIPTION_EVENTS = ("customer.subscription.updated", "customer.subscription.deleted")
_SEEN_KEY = "stripe_events"  # in User.settings: ids of the events already applied
_SEEN_KEEP = 50  # Stripe retries a delivery for up to 3 days; a user gets few events


def plan_of_price(prices: Mapping[str, str], price: str) -> str | None:
    """The plan whose configured Stripe price is ``price``; ``None`` for an unknown price."""
    return next((plan for plan, p in prices.items() if p and p == price), None)


def _price(subscription: dict[str, Any]) -> str:
    items = (subscription.get("items") or {}).get("data") or []
    first = items[0] if items and isinstance(items[0], dict) else {}
    return str((first.get("price") or {}).get("id") or "")


def _end_billing(session: Session, user: User) -> None:
    set_plan(session, user, "free")
    user.settings = {k: v for k, v in (user.settings or {}).items() if k != "billing"}


def _completed(session: Session, user: User, obj: dict[str, Any]) -> str:
    plan = str((obj.get("metadata") or {}).get("plan", ""))
    if plan not in PAID_PLANS:
        return "ignored: the session names no plan of ours"
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


def _other_subscription(user: User, obj: dict[str, Any]) -> str | None:
    """The subscription the user pays through when it is not the event's, else ``None``."""
    current = (user.settings or {}).get("billing", {}).get("subscription")
    return current if current and current != obj.get("id") else None


def _updated(session: Session, user: User, obj: dict[str, Any], prices: Mapping[str, str]) -> str:
    if (current := _other_subscription(user, obj)) is not None:
        return f"ignored: user {user.id} pays through {current}, not {obj.get('id')}"
    status = str(obj.get("status", ""))
    if status in _ENDED:
        _end_billing(session, user)
        return f"user {user.id} is back on free (subscription {status})"
    if status not in _LIVE:
        return f"ignored: subscription is {status or 'without status'}; the plan stays"
    price = _price(obj)
    plan = plan_of_price(prices, price)
    if plan is None:
        log.warning("stripe subscription %s has unknown price %r", obj.get("id"), price)
        return f"ignored: price {price or '(none)'} is not one of the configured plan prices"
    record_subscription(
        session,
        user,
        plan,
        provider="stripe",
        customer=str(obj.get("customer") or ""),
        subscription=str(obj.get("id") or ""),
    )
    return f"user {user.id} is now on {plan}"


def _deleted(session: Session, user: User, obj: dict[str, Any]) -> str:
    if (current := _other_subscription(user, obj)) is not None:
        # An older subscription ended after the user bought a new one: keep the new plan.
        return f"ignored: user {user.id} pays through {current}, not {obj.get('id')}"
    _end_billing(session, user)
    return f"user {user.id} is back on free"


def apply_event(
    session: Session, event: dict[str, Any], prices: Mapping[str, str] | None = None
) -> str:
    """Apply a verified Stripe event to a user's plan; returns what was done (for the log).

    ``prices`` maps plan names to their Stripe price ids (for subscription updates). Safe to
    deliver twice: an event id already applied to the user is skipped, and each change
    sets a state rather than stepping from one.
    """
    kind = str(event.get("type", ""))
    obj = event.get("data", {}).get("object", {})
    if not isinstance(obj, dict):
        return "ignored: no object"
    if kind not in ("checkout.session.completed", *_SUBSCRIPTION_EVENTS):
        return f"ignored: {kind or 'untyped'} events do not change plans"
    user = _user(session, obj.get("metadata") or {})
    if user is None:
        return "ignored: the event names no user of ours"
    event_id = str(event.get("id") or "")
    seen = list((user.settings or {}).get(_SEEN_KEY, []))
    if event_id and event_id in seen:
        return f"ignored: event {event_id} was already applied"
    if kind == "checkout.session.completed":
        outcome = _completed(session, user, obj)
    elif kind == "customer.subscription.updated":
        outcome = _updated(session, user, obj, prices or {})
    else:
        outcome = _deleted(session, user, obj)
    if event_id and not outcome.startswith("ignored"):
        user.settings = {**(user.settings or {}), _SEEN_KEY: [*seen, event_id][-_SEEN_KEEP:]}
        session.flush()
    return outcome
