"""Business webhook endpoints: register, list, look up and remove (the dashboard and the
API both use these; signing and HTTP are in ``webhooks``, the delivery log in ``deliveries``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from pydantic import HttpUrl, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts import get_plan
from clippy.db import User, Webhook
from clippy.errors import InvalidInput, NotFound, Refused
from clippy.webhooks.egress import EgressPolicy, EgressRefused, check_url

__all__ = [
    "WEBHOOK_EVENTS",
    "WebhookError",
    "WebhookNotAllowed",
    "WebhookNotFound",
    "add_endpoint",
    "get_endpoint",
    "list_endpoints",
    "remove_endpoint",
    "require_webhooks",
]

# Every event type a webhook can subscribe to, with what it means (shown on the settings
# page). A ``ping`` test event is sent on request to one webhook and needs no subscription.
WEBHOOK_EVENTS = {
    "export.completed": "An export finished rendering (with its download link)",
    "clip.created": "A clip was made, automatically or by hand (with its links)",
}
_URL = TypeAdapter(HttpUrl)


class WebhookError(InvalidInput):
    """The endpoint cannot be added or removed; the message says why."""


class WebhookNotAllowed(Refused, WebhookError):
    """The account's plan has no webhooks."""


class WebhookNotFound(NotFound, WebhookError):
    """No such webhook among the caller's."""


def require_webhooks(user: User) -> None:
    """Raise ``WebhookNotAllowed`` unless the user's plan includes webhooks (Business)."""
    if not get_plan(user.plan).api_and_webhooks:
        raise WebhookNotAllowed(
            f"webhooks come with the Business plan; you are on {user.plan.title()}"
        )


def add_endpoint(
    session: Session,
    user: User,
    url: str,
    events: Sequence[str],
    *,
    policy: EgressPolicy | None = None,
) -> Webhook:
    """Register ``url`` for ``events`` with a fresh signing secret (business plan only);
    a URL the egress ``policy`` (default: public addresses only) can never call is refused."""
    require_webhooks(user)
    try:
        clean = str(_URL.validate_python(url.strip()))
    except ValidationError:
        raise WebhookError(f"{url!r} is not an http(s) URL") from None
    try:
        check_url(clean, policy or EgressPolicy())
    except EgressRefused as exc:
        raise WebhookError(str(exc)) from None
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise WebhookError(f"unknown event type {', '.join(unknown)}")
    if not events:
        raise WebhookError("choose at least one event type")
    # Order and duplicates as in WEBHOOK_EVENTS, whatever order the form or API sent.
    chosen = [e for e in WEBHOOK_EVENTS if e in events]
    hook = Webhook(user_id=user.id, url=clean, secret=secrets.token_hex(32), events=chosen)
    session.add(hook)
    session.flush()
    return hook


def list_endpoints(session: Session, user_id: int) -> list[Webhook]:
    """The user's webhooks, oldest first."""
    q = select(Webhook).where(Webhook.user_id == user_id).order_by(Webhook.id)
    return list(session.scalars(q))


def get_endpoint(session: Session, user_id: int, hook_id: int) -> Webhook:
    """One of the user's webhooks; ``WebhookNotFound`` if there is none or it is not theirs."""
    hook = session.get(Webhook, hook_id)
    if hook is None or hook.user_id != user_id:
        raise WebhookNotFound(f"webhook {hook_id} not found")
    return hook


def remove_endpoint(session: Session, user_id: int, hook_id: int) -> None:
    """Remove one of the user's webhooks (its delivery log goes with it)."""
    session.delete(get_endpoint(session, user_id, hook_id))
    session.flush()
