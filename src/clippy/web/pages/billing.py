"""Plan & billing: current plan, limits and usage; plan changes through the billing provider
(checkout for free users, the provider's subscription page for paying ones), and the Stripe
webhook that applies paid, changed and ended subscriptions."""

from __future__ import annotations

import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from clippy.accounts import UnknownPlan
from clippy.billing import (
    PAID_PLANS,
    BillingError,
    BillingProvider,
    InvalidSignature,
    apply_event,
    billing_provider,
    parse_webhook,
    plan_prices,
    plan_request,
    request_plan,
    stripe_prices,
    withdraw_request,
)
from clippy.db import User
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.dashboard import usage_summary
from clippy.web.pages.public import plan_rows
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

_NOTICES = {
    "success": "Stripe has taken your payment details. Your plan changes as soon as Stripe"
    " confirms the subscription, usually within seconds; reload to see it.",
    "cancelled": "Checkout cancelled. Nothing was charged and your plan is unchanged.",
    "requested": "Request sent. Your plan changes as soon as the administrator switches it.",
    "withdrawn": "Request withdrawn. Your plan is unchanged.",
}


def _provider(request: Request) -> BillingProvider:
    return billing_provider(get_ctx(request).settings)


def _billing_page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    provider = _provider(request)
    contact = get_ctx(request).settings.billing_contact.strip()
    ctx: dict[str, Any] = {
        "user": user,
        "usage": usage_summary(session, user),
        "plans": plan_rows(plan_prices(get_ctx(request).settings)),
        "plan_request": plan_request(user),
        "contact": contact,
        "contact_href": contact if "://" in contact else f"mailto:{contact}",
        "paid_plans": PAID_PLANS,
        "provider": provider,
        "subscription": (user.settings or {}).get("billing"),
        "notice": _NOTICES.get(request.query_params.get("checkout", ""), ""),
        "error": error,
    }
    return render(request, "app/billing.html", ctx, status_code=status_code)


@router.get("/app/billing", response_class=HTMLResponse)
def billing_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The current plan with its limits and today's usage, and how to change it."""
    return _billing_page(request, session, user)


@router.post("/app/billing/checkout", dependencies=[CsrfChecked])
def checkout(
    request: Request,
    session: SessionDep,
    user: PageUser,
    plan: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Send the user to the provider's payment page for ``plan``."""
    if plan not in PAID_PLANS:
        return _billing_page(request, session, user, error="Choose a paid plan.", status_code=400)
    if user.plan != "free":
        # A second Checkout would start a second subscription beside the running one.
        error = "You already have a paid plan; switch or cancel it with Manage subscription."
        return _billing_page(request, session, user, error=error, status_code=409)
    base = str(request.base_url).rstrip("/")
    try:
        url = _provider(request).start_checkout(
            user,
            plan,
            success_url=f"{base}/app/billing?checkout=success",
            cancel_url=f"{base}/app/billing?checkout=cancelled",
        )
    except BillingError as exc:
        return _billing_page(request, session, user, error=_sentence(exc), status_code=409)
    return RedirectResponse(url, 303)


def _sentence(exc: Exception) -> str:
    msg = str(exc)
    return msg[:1].upper() + msg[1:] + "."


@router.post("/app/billing/request", dependencies=[CsrfChecked])
def request_change(
    request: Request,
    session: SessionDep,
    user: PageUser,
    plan: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Ask this server's administrator for ``plan`` (manual billing: no payment page)."""
    if _provider(request).self_service:
        error = "Plans here are bought through the payment page: use Choose or Manage."
        return _billing_page(request, session, user, error=error, status_code=409)
    try:
        request_plan(session, user, plan)
    except (UnknownPlan, ValueError) as exc:
        return _billing_page(request, session, user, error=_sentence(exc), status_code=400)
    return RedirectResponse("/app/billing?checkout=requested", 303)


@router.post("/app/billing/request/withdraw", dependencies=[CsrfChecked])
def withdraw(session: SessionDep, user: PageUser) -> Response:
    """Drop the user's open plan request."""
    withdraw_request(session, user)
    return RedirectResponse("/app/billing?checkout=withdrawn", 303)


@router.post("/app/billing/manage", dependencies=[CsrfChecked])
def manage(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Send a paying user to the provider's page for switching or cancelling their plan."""
    if user.plan == "free":
        error = "You are on the Free plan: there is no subscription to manage. Choose a plan below."
        return _billing_page(request, session, user, error=error, status_code=400)
    base = str(request.base_url).rstrip("/")
    try:
        url = _provider(request).manage_subscription(user, return_url=f"{base}/app/billing")
    except BillingError as exc:
        return _billing_page(request, session, user, error=_sentence(exc), status_code=409)
    return RedirectResponse(url, 303)


@router.post("/billing/stripe/webhook")
async def stripe_webhook(request: Request, session: SessionDep) -> Response:
    """Stripe's event delivery: verified by its signature (no session, no CSRF token).

    Every verified event is answered 200, also those that change nothing (an unknown price,
    a replay): Stripe would otherwise retry them for days. Only a bad signature is 400.
    """
    settings = get_ctx(request).settings
    if settings.billing_provider != "stripe":
        return JSONResponse({"error": "Stripe billing is not enabled"}, status_code=404)
    payload = await request.body()
    try:
        event = parse_webhook(
            payload,
            request.headers.get("stripe-signature", ""),
            settings.stripe_webhook_secret,
            time.time(),
        )
    except (InvalidSignature, ValueError) as exc:
        log.warning("stripe webhook refused: %s", exc)
        return JSONResponse({"error": str(exc)}, status_code=400)
    outcome = apply_event(session, event, stripe_prices(settings))
    log.info("stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return JSONResponse({"received": True, "outcome": outcome})
