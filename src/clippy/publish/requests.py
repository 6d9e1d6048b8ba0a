"""Asking for a publication: checks on the clip, the export and the time (pure where it
can be), the row itself, cancelling, and what the dashboard lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.db import (
    PUBLICATION_OPEN,
    ExportJob,
    ExportStatus,
    Publication,
    PublicationStatus,
    utcnow,
)
from clippy.publish.apps import PLATFORM_LABELS
from clippy.publish.errors import PublicationNotFound, PublishInvalid
from clippy.publish.upload import VideoMeta

__all__ = [
    "PRIVACY_CHOICES",
    "cancel_publication",
    "check_meta",
    "create_publication",
    "publications_by_clip",
    "published_per_platform",
]

PRIVACY_CHOICES = {"private": "Private", "unlisted": "Unlisted", "public": "Public"}
MAX_TAGS = 30


def check_meta(platform: str, meta: VideoMeta) -> None:
    """Refuse what the platforms would refuse, before anything is uploaded."""
    if "\x00" in meta.title + meta.description + "".join(meta.tags):
        raise PublishInvalid("the text may not contain NUL characters")
    if platform not in PLATFORM_LABELS:
        raise PublishInvalid(f"unknown platform {platform!r} (youtube or tiktok)")
    if not meta.title.strip():
        raise PublishInvalid("a title is needed")
    if platform == "youtube" and len(meta.title) > 100:
        raise PublishInvalid("YouTube titles are at most 100 characters")
    if platform == "youtube" and any(c in meta.title for c in "<>"):
        raise PublishInvalid("YouTube titles may not contain < or >")
    if meta.privacy not in PRIVACY_CHOICES:
        raise PublishInvalid("privacy is private, unlisted or public")
    if len(meta.tags) > MAX_TAGS:
        raise PublishInvalid(f"at most {MAX_TAGS} tags")


def create_publication(
    session: Session,
    user_id: int,
    export: ExportJob,
    platform: str,
    meta: VideoMeta,
    when: datetime | None = None,
) -> Publication:
    """Queue ``export`` (a finished single export of one of the user's clips) for
    ``platform`` at ``when`` (now when ``None``)."""
    check_meta(platform, meta)
    if export.kind != "single" or export.clip_id is None:
        raise PublishInvalid("only a single clip's export can be published")
    if export.status != ExportStatus.DONE or not export.result_key:
        raise PublishInvalid("the export is not finished; publish it once it is done")
    now = utcnow()
    if when is not None and (now - when).total_seconds() > 60:
        raise PublishInvalid("the publish time is in the past")
    pub = Publication(
        user_id=user_id,
        clip_id=export.clip_id,
        export_id=export.id,
        platform=platform,
        title=meta.title.strip(),
        description=meta.description.strip(),
        tags=list(meta.tags),
        privacy=meta.privacy,
        scheduled_at=when or now,
        status=PublicationStatus.QUEUED,
        created_at=now,
    )
    session.add(pub)
    session.flush()
    return pub


def cancel_publication(session: Session, user_ids: Iterable[int], publication_id: int) -> None:
    """Cancel a publication that has not started uploading."""
    pub = session.get(Publication, publication_id)
    if pub is None or pub.user_id not in set(user_ids):
        raise PublicationNotFound(f"no publication {publication_id}")
    if pub.status != PublicationStatus.QUEUED or pub.uploaded_bytes:
        raise PublishInvalid("only a publication that has not started can be cancelled")
    pub.status = PublicationStatus.CANCELED
    session.flush()


def publications_by_clip(session: Session, clip_ids: Iterable[int]) -> dict[int, list[Publication]]:
    """Each clip's publications, newest first (cancelled ones left out)."""
    ids = list(clip_ids)
    out: dict[int, list[Publication]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(Publication)
        .where(Publication.clip_id.in_(ids), Publication.status != PublicationStatus.CANCELED)
        .order_by(Publication.created_at.desc(), Publication.id.desc())
    )
    for pub in rows:
        out[pub.clip_id].append(pub)
    return out


def published_per_platform(session: Session, user_ids: Iterable[int]) -> dict[str, int]:
    """How many clips went out to each platform (published publications)."""
    rows = session.execute(
        select(Publication.platform, func.count())
        .where(
            Publication.user_id.in_(list(user_ids)),
            Publication.status == PublicationStatus.PUBLISHED,
        )
        .group_by(Publication.platform)
    )
    counts = {p: 0 for p in PLATFORM_LABELS}
    counts.update({str(p): int(n) for p, n in rows})
    return counts


def is_open(pub: Publication) -> bool:
    """Whether the scheduler still owns the publication."""
    return pub.status in PUBLICATION_OPEN
