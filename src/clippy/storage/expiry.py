"""Deleting expired rows and then their objects, in batches: the order every capability's
``expire_*`` function relies on.

Rows go first, objects after the commit: a crash in between leaves only orphan objects
(invisible, and removed by ``retention.sweeper.sweep_orphans``), never a row pointing at a
deleted object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Row, Select, delete
from sqlalchemy.orm import Session, sessionmaker

from clippy.storage.base import ObjectStore

__all__ = ["BATCH", "delete_rows_then_objects"]

BATCH = 500


def delete_rows_then_objects(
    factory: sessionmaker[Session],
    store: ObjectStore,
    query: Select[*tuple[Any, ...]],
    row_keys: Callable[[Row[*tuple[Any, ...]]], Iterable[str | None]],
) -> tuple[int, int]:
    """Delete ``query``'s rows (first column: id) in batches of ``BATCH``, then the objects
    ``row_keys`` names for each row. Returns (rows deleted, objects deleted)."""
    table = query.column_descriptions[0]["entity"]
    rows_done = objects_done = 0
    while True:
        with factory() as session:
            rows = session.execute(query.limit(BATCH)).all()
            if not rows:
                return rows_done, objects_done
            session.execute(delete(table).where(table.id.in_([r[0] for r in rows])))
            session.commit()
        rows_done += len(rows)
        for r in rows:
            for key in row_keys(r):
                if key:
                    store.delete(key)
                    objects_done += 1
