"""Expiring clips past retention: their rows, then their files and thumbnails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import Clip
from clippy.storage import ObjectStore, delete_rows_then_objects

__all__ = ["expire_clips"]


def expire_clips(
    factory: sessionmaker[Session], store: ObjectStore, stream_ids: Any, cutoff: datetime
) -> tuple[int, int]:
    """Delete clips of ``stream_ids`` (ids or a subquery) made before ``cutoff``, then their
    objects; returns (clips, objects) deleted."""
    query = select(Clip.id, Clip.file_key, Clip.thumb_key).where(
        Clip.stream_id.in_(stream_ids), Clip.created_at < cutoff
    )
    return delete_rows_then_objects(factory, store, query, lambda r: (r.file_key, r.thumb_key))
