"""What the clip page's publish panel and the gallery show about publications (no routes:
``pages.publishing`` has them, ``pages.clip`` and ``pages.dashboard`` render with these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from clippy.db import PUBLICATION_OPEN, Publication, utcnow
from clippy.publish import PLATFORM_LABELS, PRIVACY_CHOICES, PublishConfig, connections_of

__all__ = ["publication_row", "publish_panel"]


def publication_row(pub: Publication) -> dict[str, Any]:
    """One publication as the dashboard lists it."""
    waiting = pub.status == "queued" and pub.scheduled_at > utcnow()
    percent = round(100 * pub.uploaded_bytes / pub.total_bytes) if pub.total_bytes else 0
    return {
        "id": pub.id,
        "clip_id": pub.clip_id,
        "platform": pub.platform,
        "label": PLATFORM_LABELS.get(pub.platform, pub.platform),
        "title": pub.title,
        "status": "scheduled" if waiting else pub.status,
        "scheduled_at": pub.scheduled_at,
        "published_at": pub.published_at,
        "video_url": pub.video_url,
        "error": pub.error,
        "attempts": pub.attempts,
        "percent": percent,
        "open": pub.status in PUBLICATION_OPEN,
        "cancellable": pub.status == "queued" and not pub.uploaded_bytes,
    }


def publish_panel(
    session: Session, user_id: int, config: PublishConfig, publications: list[Publication]
) -> dict[str, Any]:
    """The clip page's publish panel: which platforms can be posted to, and the clip's
    publications."""
    connected = connections_of(session, user_id)
    platforms = [
        {
            "name": name,
            "label": label,
            "configured": config.app(name).configured,
            "account": connected[name].account_name if name in connected else None,
        }
        for name, label in PLATFORM_LABELS.items()
    ]
    rows = [publication_row(p) for p in publications]
    return {
        "platforms": platforms,
        "can_post": any(p["account"] for p in platforms),
        "privacy_choices": PRIVACY_CHOICES,
        "publications": rows,
        "active": any(r["open"] for r in rows),
    }
