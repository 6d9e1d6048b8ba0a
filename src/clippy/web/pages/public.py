"""Pages for visitors: the landing page, sign up, log in, log out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts import (
    PLANS,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    Plan,
    Throttled,
    WeakPassword,
    authenticate,
    register,
)
from clippy.billing import plan_prices
from clippy.db import User
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import (
    CsrfChecked,
    clear_session,
    optional_user,
    start_session,
)
from clippy.web.pages.templating import render
from clippy.web.throttling import mark_throttled, take_attempt

router = APIRouter(include_in_schema=False)

# Who each plan is for; prices are not in the plan data (billing is configured per install).
_TAGLINES = {
    "free": "Try it out",
    "pro": "For regular streamers",
    "business": "For teams and agencies",
}
MaybeUser = Annotated[User | None, Depends(optional_user)]
# Made by scripts/make_landing_example.py with the real pipeline, and committed.
EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "static" / "example"


def plan_rows(prices: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The plans table, generated from ``accounts.plans.PLANS`` (one source of truth), with
    each plan's price (``Settings.price_<plan>``; the free plan is free)."""

    def limit(value: float | None, unit: str) -> str:
        return "Unlimited" if value is None else f"{value:g} {unit}"

    def retention(plan: Plan) -> str:
        hours = plan.retention.total_seconds() / 3600
        return f"{hours:g} hours" if hours <= 48 or hours % 24 else f"{hours / 24:g} days"

    rows = []
    for plan in PLANS.values():
        rows.append(
            {
                "name": plan.name.title(),
                "key": plan.name,
                "price": "Free" if plan.name == "free" else (prices or {}).get(plan.name, ""),
                "tagline": _TAGLINES.get(plan.name, ""),
                "recording": limit(plan.recording_hours_per_day, "h / day"),
                "clips": limit(plan.clips_per_day, "/ day"),
                "retention": retention(plan),
                "export": f"{plan.max_export_height}p",
                "watermark": "Yes" if plan.watermark else "No",
                "seats": "1" if plan.team_seats == 1 else f"{plan.team_seats} members",
                "api": "Yes" if plan.api_and_webhooks else "—",
            }
        )
    return rows


def free_offer() -> str:
    """One sentence on what the free plan includes, from the plan data."""
    free = PLANS["free"]
    hours = free.recording_hours_per_day
    rec = "unlimited recording" if hours is None else f"{hours:g} h of recording"
    clips = "unlimited clips" if free.clips_per_day is None else f"{free.clips_per_day} clips"
    return f"The free plan includes {rec} and {clips} a day."


@lru_cache(maxsize=1)
def example_clip() -> dict[str, Any] | None:
    """What detection said about the landing page's example clip, with its media URLs;
    ``None`` when the example files are missing (the page then shows no example)."""
    meta = EXAMPLE_DIR / "clip.json"
    if not all((EXAMPLE_DIR / name).is_file() for name in ("clip.mp4", "thumb.jpg", "clip.json")):
        return None
    card: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
    seconds = round(float(card["duration"]))
    return {
        **card,
        "clock": f"{seconds // 60}:{seconds % 60:02d}",
        "video": "/static/example/clip.mp4",
        "poster": "/static/example/thumb.jpg",
    }


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool.
    return target if target.startswith("/") and not target.startswith("//") else "/app"


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, user: MaybeUser) -> Response:
    """What Clippy does, the plans, and the calls to action."""
    prices = plan_prices(get_ctx(request).settings)
    ctx = {"user": user, "plans": plan_rows(prices), "example": example_clip()}
    return render(request, "landing.html", ctx)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, user: MaybeUser, next: str = "") -> Response:
    """The sign-up form (a logged-in user goes to the dashboard, or where ``next`` says)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), 303)
    ctx = {"email": "", "error": "", "free_offer": free_offer(), "next": _optional_next(next)}
    return render(request, "auth/signup.html", ctx)


def _optional_next(target: str) -> str:
    # Empty when there is nowhere particular to go: a new account then lands on the welcome.
    return _safe_next(target) if target else ""


@router.post("/signup", dependencies=[CsrfChecked])
def signup(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Create the account and log it in, then go where ``next`` says (an invitation, a
    browser to connect) or to the welcome; the form comes back with the reason on failure."""
    try:
        take_attempt(request, "sign-up")
        user = register(session, email, password, display_name)
    except (InvalidEmail, WeakPassword, EmailTaken, Throttled) as exc:
        session.rollback()
        ctx = {
            "email": email,
            "display_name": display_name,
            "error": _sentence(exc),
            "free_offer": free_offer(),
            "next": _optional_next(next),
        }
        return mark_throttled(render(request, "auth/signup.html", ctx, status_code=400), exc)
    response = RedirectResponse(_optional_next(next) or "/app?welcome=1", 303)
    start_session(request, response, user)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: MaybeUser, next: str = "/app") -> Response:
    """The log-in form."""
    if user is not None:
        return RedirectResponse(_safe_next(next), 303)
    return render(request, "auth/login.html", {"email": "", "error": "", "next": _safe_next(next)})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    """Check the password and start a session."""
    try:
        ticket = take_attempt(request, "log-in", email)
        user = authenticate(session, email, password)
    except (InvalidCredentials, Throttled) as exc:
        ctx = {"email": email, "error": _sentence(exc), "next": _safe_next(next)}
        return mark_throttled(render(request, "auth/login.html", ctx, status_code=400), exc)
    ticket.refund()
    response = RedirectResponse(_safe_next(next), 303)
    start_session(request, response, user)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout() -> Response:
    """End the session."""
    response = RedirectResponse("/login?bye=1", 303)
    clear_session(response)
    return response


def login_redirect(next_path: str) -> RedirectResponse:
    """Where a visitor asking for a dashboard page is sent."""
    return RedirectResponse(f"/login?next={quote(next_path, safe='/')}", 303)


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
