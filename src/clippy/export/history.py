"""What has been exported: clips with a finished export per platform, counts per platform.

A single export names its clip in ``clip_id``; a batch keeps its clips in
``options["clip_ids"]`` and its presets comma-joined in ``preset``. Both are read here, in
SQL for the gallery filter (a JSON array expanded per finished batch: SQLite ``json_each``,
PostgreSQL ``json_array_elements_text``), so the gallery never loads job rows to filter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, Select, and_, cast, func, literal, select, true, union
from sqlalchemy.orm import Session

from clippy.db import ExportJob, ExportStatus
from clippy.export.presets import PRESETS

__all__ = ["count_per_preset", "exported_clip_ids", "exports_per_platform"]


def exported_clip_ids(dialect: str, user_ids: Iterable[int], preset: str) -> Select[Any]:
    """A subquery of the ids of clips with a finished export to ``preset`` by ``user_ids``
    (single exports and batches alike). ``preset`` must be a preset name (no commas)."""
    ids = list(user_ids)
    done = and_(ExportJob.user_id.in_(ids), ExportJob.status == ExportStatus.DONE)
    single = select(ExportJob.clip_id.label("clip_id")).where(
        done, ExportJob.kind == "single", ExportJob.preset == preset
    )
    # Batch presets are stored as "shorts,tiktok": match the name between commas.
    in_batch = (literal(",") + ExportJob.preset + literal(",")).like(f"%,{preset},%")
    items: Any
    if dialect == "sqlite":
        items = func.json_each(ExportJob.options, "$.clip_ids").table_valued("value")
    else:
        items = func.json_array_elements_text(
            func.json_extract_path(ExportJob.options, "clip_ids")
        ).table_valued("value")
    # A set-returning function in FROM may read the row before it (implicitly lateral).
    batch = (
        select(cast(items.c.value, Integer).label("clip_id"))
        .select_from(ExportJob)
        .join(items, true())
        .where(done, ExportJob.kind == "batch", in_batch)
    )
    return select(union(single, batch).subquery().c.clip_id)


def count_per_preset(
    singles: Iterable[tuple[str, int]], batches: Iterable[tuple[str, dict[str, Any]]]
) -> list[tuple[str, int]]:
    """Files made per platform from finished jobs: ``singles`` are (preset, jobs) counts,
    ``batches`` are (preset, options) of batch jobs, each counting one file per clip for
    each of its presets. Labelled, most first."""
    counts: Counter[str] = Counter()
    for preset, n in singles:
        counts[preset] += n
    for preset, options in batches:
        per = len(options.get("clip_ids", []))
        for name in options.get("presets", preset.split(",")):
            counts[name] += per
    labelled = [(PRESETS[name].label if name in PRESETS else name, n) for name, n in counts.items()]
    return sorted(((label, n) for label, n in labelled if n), key=lambda kv: (-kv[1], kv[0]))


def exports_per_platform(session: Session, user_ids: Iterable[int]) -> list[tuple[str, int]]:
    """Finished export files of ``user_ids`` per platform (analytics), most first."""
    done = and_(ExportJob.user_id.in_(list(user_ids)), ExportJob.status == ExportStatus.DONE)
    singles = session.execute(
        select(ExportJob.preset, func.count())
        .where(done, ExportJob.kind == "single")
        .group_by(ExportJob.preset)
    ).tuples()
    # Batches are few (each holds up to 100 files), so their options are read as rows.
    batches = session.execute(
        select(ExportJob.preset, ExportJob.options).where(done, ExportJob.kind == "batch")
    ).tuples()
    return count_per_preset(singles, batches)
