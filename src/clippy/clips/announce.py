"""The ``clip_created`` event pushed to the stream's ingest socket and the live feeds of the
owner and their teammates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import teammate_ids
from clippy.clips.links import MediaLinks
from clippy.db import Clip
from clippy.events import EventHub


def clip_urls(clip: Clip, links: MediaLinks) -> tuple[str | None, str | None]:
    """Signed, expiring (file, thumbnail) URLs of a rendered clip."""
    file_url = links.clip(clip.id, "file") if clip.file_key else None
    thumb = links.clip(clip.id, "thumbnail") if clip.thumb_key else None
    return file_url, thumb


def clip_created_event(clip: Clip, links: MediaLinks) -> dict[str, Any]:
    """The event payload for a clip that has just become ready."""
    ranges = [{"start": r.start, "end": r.end} for r in clip.ranges]
    file_url, thumb = clip_urls(clip, links)
    return {
        "type": "clip_created",
        "stream_id": clip.stream_id,
        # Teammates get the event too; the owner's ingest socket keeps only its own clips.
        "user_id": clip.user_id,
        "clip": {
            "id": clip.id,
            "title": clip.title,
            "start": ranges[0]["start"] if ranges else None,
            "end": ranges[-1]["end"] if ranges else None,
            "ranges": ranges,
            "reason": clip.reason,
            "score": clip.score,
            "duration": clip.duration,
            "source": clip.source,
            "thumbnail_url": thumb,
            "file_url": file_url,
        },
    }


def announce_clip(
    hub: EventHub | None, session_factory: sessionmaker[Session], clip: Clip, links: MediaLinks
) -> None:
    """Publish ``clip_created`` to the owner and everyone on a team with them.

    The audience is read at publish time, so a member removed a moment ago gets nothing.
    """
    if hub is None:
        return
    with session_factory() as session:
        audience = teammate_ids(session, clip.user_id)
    hub.publish(audience, clip_created_event(clip, links))
