"""Expiring segments past retention: their rows, then the originals and mezzanine copies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import Segment
from clippy.storage import ObjectStore, delete_rows_then_objects, mezzanine_key

__all__ = ["expire_segments"]


def expire_segments(
    factory: sessionmaker[Session], store: ObjectStore, stream_ids: Any, cutoff: datetime
) -> tuple[int, int, set[int]]:
    """Delete segments of ``stream_ids`` (ids or a subquery) received before ``cutoff``, then
    their objects; returns (segments, objects, ids of the streams that lost segments)."""
    query = select(Segment.id, Segment.stream_id, Segment.seq, Segment.storage_key).where(
        Segment.stream_id.in_(stream_ids), Segment.received_at < cutoff
    )
    touched: set[int] = set()

    def keys(r: Row[Any]) -> tuple[str, str]:
        touched.add(r.stream_id)
        return r.storage_key, mezzanine_key(r.stream_id, r.seq)

    rows, objects = delete_rows_then_objects(factory, store, query, keys)
    return rows, objects, touched
