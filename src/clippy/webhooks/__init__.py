"""Webhooks (business plan): endpoints, signed deliveries with retries (plain steps that
``clippy.jobs`` runs), the delivery log.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.webhooks.deliveries import (
    DELIVERIES_PER_WEBHOOK,
    DELIVERY_RETENTION,
    prune_deliveries,
    recent_deliveries,
)
from clippy.webhooks.egress import EgressPolicy, EgressRefused
from clippy.webhooks.egress import resolve as resolve_egress
from clippy.webhooks.endpoints import (
    WEBHOOK_EVENTS,
    WebhookError,
    WebhookNotAllowed,
    WebhookNotFound,
    add_endpoint,
    get_endpoint,
    list_endpoints,
    remove_endpoint,
    require_webhooks,
)
from clippy.webhooks.fanout import (
    CLIP_CREATED,
    PING,
    Delivery,
    SenderConfig,
    clip_created_data,
    deliver_one,
    live_event_webhook,
    open_ping,
    plan_deliveries,
)

__all__ = [
    "CLIP_CREATED",
    "DELIVERIES_PER_WEBHOOK",
    "DELIVERY_RETENTION",
    "PING",
    "WEBHOOK_EVENTS",
    "Delivery",
    "EgressPolicy",
    "EgressRefused",
    "SenderConfig",
    "WebhookError",
    "WebhookNotAllowed",
    "WebhookNotFound",
    "add_endpoint",
    "clip_created_data",
    "deliver_one",
    "get_endpoint",
    "list_endpoints",
    "live_event_webhook",
    "open_ping",
    "plan_deliveries",
    "prune_deliveries",
    "recent_deliveries",
    "remove_endpoint",
    "require_webhooks",
    "resolve_egress",
]
