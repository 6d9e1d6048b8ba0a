"""Webhooks of the caller (business plan): add (secret shown once), list, remove, send a
test event, and each one's recent deliveries."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from clippy.db import Webhook, WebhookDelivery
from clippy.web.deps import CurrentUser, SessionDep, get_ctx, webhook_policy
from clippy.web.openapi import refusals
from clippy.web.params import IdPath, StrictBody
from clippy.webhooks import (
    DELIVERIES_PER_WEBHOOK,
    WEBHOOK_EVENTS,
    add_endpoint,
    get_endpoint,
    list_endpoints,
    recent_deliveries,
    remove_endpoint,
    require_webhooks,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


class WebhookIn(StrictBody):
    """A new endpoint and the events it wants."""

    url: str = Field(max_length=2000, examples=["https://example.com/clippy-webhook"])
    events: list[str] = Field(
        default=["export.completed"], description=f"any of {', '.join(WEBHOOK_EVENTS)}"
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime
    secret: str | None = Field(
        default=None, description="signing secret, shown once when the webhook is created"
    )


class DeliveryOut(BaseModel):
    """One event sent to the webhook, as of its latest attempt."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    event_id: str = Field(description="the body's id, the same on every retry")
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    status_code: int | None = Field(description="HTTP status of the last attempt, if any came")
    error: str | None = Field(description="why the last attempt failed")
    duration_ms: int | None = Field(description="how long the last attempt took")
    created_at: datetime
    finished_at: datetime | None


def _hook_out(hook: Webhook, *, with_secret: bool = False) -> WebhookOut:
    """The API view of a webhook; its secret only in the response that created it."""
    return WebhookOut(
        id=hook.id,
        url=hook.url,
        events=hook.events,
        created_at=hook.created_at,
        secret=hook.secret if with_secret else None,
    )


_PLAN = refusals(**{"403": "webhooks come with the Business plan"})


@router.post("", response_model=WebhookOut, status_code=201, responses=_PLAN)
def add_webhook(
    body: WebhookIn, request: Request, session: SessionDep, user: CurrentUser
) -> WebhookOut:
    """Register an endpoint for signed events (business plan); a URL that is not a public
    internet address is refused with 422."""
    # Refusals answer by family (errors.py): plan 403, not yours 404, bad input 422.
    hook = add_endpoint(session, user, body.url, body.events, policy=webhook_policy(request))
    return _hook_out(hook, with_secret=True)


@router.get("", response_model=list[WebhookOut])
def get_webhooks(session: SessionDep, user: CurrentUser) -> list[WebhookOut]:
    """The caller's webhooks (secrets are not shown again)."""
    return [_hook_out(h) for h in list_endpoints(session, user.id)]


@router.delete("/{hook_id}", status_code=204, responses=_PLAN)
def delete_webhook(hook_id: IdPath, session: SessionDep, user: CurrentUser) -> Response:
    """Remove one of the caller's webhooks and its delivery log."""
    remove_endpoint(session, user.id, hook_id)
    return Response(status_code=204)


@router.get("/{hook_id}/deliveries", response_model=list[DeliveryOut], responses=_PLAN)
def get_deliveries(
    hook_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    limit: int = Query(20, ge=1, le=DELIVERIES_PER_WEBHOOK),
) -> list[DeliveryOut]:
    """The webhook's recent deliveries, newest first (the last 100 of 30 days are kept)."""
    get_endpoint(session, user.id, hook_id)
    rows = recent_deliveries(session, [hook_id], limit)[hook_id]
    return [DeliveryOut.model_validate(r) for r in rows]


@router.post("/{hook_id}/test", response_model=DeliveryOut, status_code=202, responses=_PLAN)
def send_test(
    hook_id: IdPath, request: Request, session: SessionDep, user: CurrentUser
) -> DeliveryOut:
    """Send a signed ``ping`` event to the webhook now; poll its deliveries for the outcome."""
    hook = get_endpoint(session, user.id, hook_id)
    require_webhooks(user)
    row = session.get(WebhookDelivery, get_ctx(request).jobs.ping_webhook(hook))
    return DeliveryOut.model_validate(row)
