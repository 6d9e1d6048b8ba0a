"""Clip tags: parse what the user typed, store them, and read them for many clips at once.

Tags are the user's own labels ("fails", "boss fight", "sponsor"): lower-case, trimmed,
at most ``MAX_TAGS`` per clip. They live in their own table so the gallery can filter on
one with an index on every database instead of digging through JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from clippy.db import Clip, ClipTag
from clippy.errors import InvalidInput

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "TagError",
    "parse_tags",
    "set_tags",
    "tags_by_clip",
    "user_tags",
]

MAX_TAGS = 20
MAX_TAG_LENGTH = 30
# Letters (any script), digits, spaces, hyphens and underscores: what reads well as a chip
# and in a URL; a leading "#" is dropped, as people type hashtags out of habit.
_TAG = re.compile(r"^[\w][\w \-]*$")


class TagError(InvalidInput):
    """The tags cannot be saved as typed; the message says which one and why."""


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags -> clean, distinct tags in the order typed.

    Empty entries are skipped; a tag that is too long or holds other characters, or more
    than ``MAX_TAGS`` tags, raises ``TagError``.
    """
    out: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.strip().lstrip("#").split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise TagError(f"the tag {tag[:40]!r} is longer than {MAX_TAG_LENGTH} characters")
        if not _TAG.match(tag):
            raise TagError(
                f"the tag {tag!r} may hold only letters, digits, spaces, - and _ "
                "(separate tags with commas)"
            )
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise TagError(f"a clip takes at most {MAX_TAGS} tags; you gave {len(out)}")
    return out


def set_tags(session: Session, clip: Clip, tags: Iterable[str]) -> None:
    """Replace the clip's tags with ``tags`` (already parsed)."""
    session.execute(delete(ClipTag).where(ClipTag.clip_id == clip.id))
    session.add_all(ClipTag(clip_id=clip.id, position=i, tag=t) for i, t in enumerate(tags))
    session.flush()


def tags_by_clip(session: Session, clip_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each clip's tags in the order they were typed (clips without tags are left out)."""
    ids = list(clip_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    q = (
        select(ClipTag.clip_id, ClipTag.tag)
        .where(ClipTag.clip_id.in_(ids))
        .order_by(ClipTag.clip_id, ClipTag.position)
    )
    for clip_id, tag in session.execute(q):
        out.setdefault(clip_id, []).append(tag)
    return out


def user_tags(session: Session, user_ids: Iterable[int], limit: int = 200) -> list[str]:
    """The distinct tags on the clips of ``user_ids``, most used first (the gallery filter)."""
    q = (
        select(ClipTag.tag)
        .join(Clip, Clip.id == ClipTag.clip_id)
        .where(Clip.user_id.in_(list(user_ids)))
        .group_by(ClipTag.tag)
        .order_by(func.count().desc(), ClipTag.tag)
        .limit(limit)
    )
    return list(session.scalars(q))
