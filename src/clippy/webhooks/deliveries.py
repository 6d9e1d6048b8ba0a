"""The webhook delivery log: a row per event sent to a webhook, updated after every attempt.

``transport.deliver`` does the HTTP and reports each attempt; this module turns those reports
into rows (pending → delivered | failed), lists them, and trims them to the retention rule
defined here (the last 100 per webhook, none older than 30 days).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import Label

from clippy.db import DeliveryStatus, WebhookDelivery, utcnow
from clippy.webhooks.transport import Attempt

__all__ = [
    "DELIVERIES_PER_WEBHOOK",
    "DELIVERY_RETENTION",
    "INTERRUPTED",
    "apply_attempt",
    "open_delivery",
    "prune_deliveries",
    "recent_deliveries",
    "record_attempt",
]

# Webhook delivery log: enough history to debug a receiver (a month, or the last 100 events
# of a busy one) without the log outgrowing the data it reports on. The same for every plan:
# a delivery row is a few hundred bytes, not media.
DELIVERY_RETENTION = timedelta(days=30)
DELIVERIES_PER_WEBHOOK = 100


def delivery_cutoff(now: datetime) -> datetime:
    """Webhook deliveries logged before this instant are dropped."""
    return now - DELIVERY_RETENTION


# A delivery still pending this long after it began was cut off by a restart: even five
# attempts with 10 s timeouts and doubling pauses from 2 s end within ~80 s.
_STALE_PENDING = timedelta(hours=1)
INTERRUPTED = "interrupted: the server stopped before the delivery finished"


def _newest_first_rank() -> Label[int]:
    # 1 for each webhook's newest delivery, 2 for the next, ... (window functions: SQLite
    # 3.25+ and PostgreSQL alike).
    return (
        func.row_number()
        .over(
            partition_by=WebhookDelivery.webhook_id,
            order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        )
        .label("rank")
    )


def open_delivery(session: Session, webhook_id: int, event: str, event_id: str) -> int:
    """Log a new pending delivery of ``event`` to the webhook; returns its id."""
    row = WebhookDelivery(webhook_id=webhook_id, event=event, event_id=event_id)
    session.add(row)
    session.flush()
    return row.id


def apply_attempt(row: WebhookDelivery, attempt: Attempt, now: datetime) -> None:
    """Set ``row`` from one attempt's outcome (no I/O)."""
    row.attempts = attempt.number
    row.status_code = attempt.status_code
    row.error = None if attempt.delivered else (attempt.error or "failed")[:2000]
    row.duration_ms = attempt.duration_ms
    if attempt.delivered:
        row.status, row.finished_at = DeliveryStatus.DELIVERED, now
    elif attempt.final:
        row.status, row.finished_at = DeliveryStatus.FAILED, now
    else:
        row.status = DeliveryStatus.PENDING


def record_attempt(
    session_factory: sessionmaker[Session], delivery_id: int, attempt: Attempt
) -> None:
    """Store one attempt on its delivery row (its own short transaction)."""
    with session_factory() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:  # the webhook was removed meanwhile: nothing to record
            return
        apply_attempt(row, attempt, utcnow())
        session.commit()


def recent_deliveries(
    session: Session, webhook_ids: Iterable[int], limit: int = 10
) -> dict[int, list[WebhookDelivery]]:
    """Each webhook's latest ``limit`` deliveries, newest first (one query)."""
    ids = list(webhook_ids)
    if not ids:
        return {}
    ranked = (
        select(WebhookDelivery.id, _newest_first_rank())
        .where(WebhookDelivery.webhook_id.in_(ids))
        .subquery()
    )
    q = (
        select(WebhookDelivery)
        .join(ranked, ranked.c.id == WebhookDelivery.id)
        .where(ranked.c.rank <= limit)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    out: dict[int, list[WebhookDelivery]] = {i: [] for i in ids}
    for row in session.scalars(q):
        out[row.webhook_id].append(row)
    return out


def prune_deliveries(session: Session, now: datetime) -> int:
    """Apply the retention rule; pending rows a restart cut off become failed. Returns the
    number of rows deleted."""
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.created_at < now - _STALE_PENDING,
        )
        .values(status=DeliveryStatus.FAILED, error=INTERRUPTED, finished_at=now)
    )
    old = session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.created_at < delivery_cutoff(now))
    )
    ranked = select(WebhookDelivery.id, _newest_first_rank()).subquery()
    beyond = select(ranked.c.id).where(ranked.c.rank > DELIVERIES_PER_WEBHOOK)
    many = session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(beyond)))
    return int(old.rowcount or 0) + int(many.rowcount or 0)  # type: ignore[attr-defined]
