"""Expiring finished export jobs past retention: their rows, then everything they wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import EXPORT_ACTIVE, ExportJob
from clippy.storage import ObjectStore, delete_rows_then_objects, export_prefix

__all__ = ["expire_exports"]


def expire_exports(
    factory: sessionmaker[Session], store: ObjectStore, user_ids: Any, cutoff: datetime
) -> tuple[int, int]:
    """Delete export jobs of ``user_ids`` (ids or a subquery) created before ``cutoff``, then
    their files; returns (jobs, objects) deleted. A queued or running job is left alone: its
    worker still writes under its prefix."""
    query = select(ExportJob.id, ExportJob.user_id).where(
        ExportJob.user_id.in_(user_ids),
        ExportJob.created_at < cutoff,
        ExportJob.status.not_in(EXPORT_ACTIVE),
    )
    return delete_rows_then_objects(
        factory, store, query, lambda r: list(store.list(export_prefix(r.user_id, r.id)))
    )
