"""Business webhook endpoints: register, list and remove (the deliveries are ``webhooks``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from pydantic import HttpUrl, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts.plans import get_plan
from clippy.db.models import User, Webhook

__all__ = [
    "WEBHOOK_EVENTS",
    "WebhookError",
    "add_endpoint",
    "list_endpoints",
    "remove_endpoint",
]

# Every event type Clippy can deliver today, with what it means (shown on the settings page).
WEBHOOK_EVENTS = {"export.completed": "An export finished rendering (with its download link)"}
_URL = TypeAdapter(HttpUrl)


class WebhookError(ValueError):
    """The endpoint cannot be added or removed; the message says why."""


def add_endpoint(session: Session, user: User, url: str, events: Sequence[str]) -> Webhook:
    """Register ``url`` for ``events`` with a fresh signing secret (business plan only)."""
    if not get_plan(user.plan).api_and_webhooks:
        raise WebhookError(f"webhooks come with the Business plan; you are on {user.plan.title()}")
    try:
        clean = str(_URL.validate_python(url.strip()))
    except ValidationError:
        raise WebhookError(f"{url!r} is not an http(s) URL") from None
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise WebhookError(f"unknown event type {', '.join(unknown)}")
    if not events:
        raise WebhookError("choose at least one event type")
    hook = Webhook(user_id=user.id, url=clean, secret=secrets.token_hex(32), events=list(events))
    session.add(hook)
    session.flush()
    return hook


def list_endpoints(session: Session, user_id: int) -> list[Webhook]:
    """The user's webhooks, oldest first."""
    q = select(Webhook).where(Webhook.user_id == user_id).order_by(Webhook.id)
    return list(session.scalars(q))


def remove_endpoint(session: Session, user_id: int, hook_id: int) -> None:
    """Remove one of the user's webhooks; ``WebhookError`` if it is not theirs."""
    hook = session.get(Webhook, hook_id)
    if hook is None or hook.user_id != user_id:
        raise WebhookError(f"webhook {hook_id} not found")
    session.delete(hook)
    session.flush()
