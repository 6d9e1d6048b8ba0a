"""Export jobs as rows: create (checked up front), find, list, cancel, retry.

The row is the source of truth; the queue (``queue``) only carries job ids. Everything a
request can get wrong is refused here, before anything is queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts.plans import get_plan
from clippy.accounts.teams import visible_user_ids
from clippy.accounts.usage import add_export
from clippy.clips.service import visible_clip
from clippy.db.models import Clip, ExportJob, User
from clippy.db.types import utcnow
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.presets import ExportRefused
from clippy.ingest.streams import NotFound

ACTIVE = ("queued", "running")
MAX_BATCH_ITEMS = 100


class ExportStateError(ExportRefused):
    """The job is not in a state that allows the action (e.g. retrying a finished export)."""


def _ready_clip(session: Session, user: User, clip_id: int) -> Clip:
    clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    if clip.status != "ready" or not clip.file_key:
        raise ExportRefused(
            f"clip {clip_id} is {clip.status}, not ready; export it once it has been cut"
        )
    return clip


def check_export(session: Session, user: User, clip: Clip, options: ExportOptions) -> None:
    """Raise ``ExportRefused`` if ``clip`` cannot be exported with ``options`` on the plan."""
    ranges = [(r.start, r.end) for r in clip.ranges]
    try:
        plan_export(options, get_plan(user.plan), ranges, clip.duration)
    except ExportRefused as exc:
        # Keep the type (ClipTooLong carries ``trim_to``); name the clip for batches.
        exc.args = (f"clip {clip.id}: {exc}",)
        raise


def create_export(
    session: Session, user: User, clip_id: int, options: ExportOptions, now: datetime | None = None
) -> ExportJob:
    """Queue an export of one of the caller's clips (flushed, not committed)."""
    clip = _ready_clip(session, user, clip_id)
    check_export(session, user, clip, options)
    job = ExportJob(
        user_id=user.id,
        clip_id=clip.id,
        kind="single",
        preset=options.preset,
        options=options.to_json(),
        result={},
    )
    session.add(job)
    add_export(session, user.id, (now or utcnow()).date())
    session.flush()
    return job


def create_batch(
    session: Session,
    user: User,
    clip_ids: Sequence[int],
    presets: Sequence[str],
    options: ExportOptions,
    now: datetime | None = None,
) -> ExportJob:
    """Queue one job rendering every clip for every preset into one zip. Every pair is
    checked first: one clip too long for one preset refuses the batch, naming it."""
    clip_ids, presets = list(dict.fromkeys(clip_ids)), list(dict.fromkeys(presets))
    if not clip_ids or not presets:
        raise ExportRefused("a batch needs at least one clip and one preset")
    if len(clip_ids) * len(presets) > MAX_BATCH_ITEMS:
        raise ExportRefused(f"a batch makes at most {MAX_BATCH_ITEMS} files; split it")
    for clip_id in clip_ids:
        clip = _ready_clip(session, user, clip_id)
        for preset in presets:
            check_export(session, user, clip, _with_preset(options, preset))
    job = ExportJob(
        user_id=user.id,
        kind="batch",
        preset=",".join(presets),
        options={"clip_ids": clip_ids, "presets": presets, "options": options.to_json()},
        result={},
    )
    session.add(job)
    add_export(session, user.id, (now or utcnow()).date(), len(clip_ids) * len(presets))
    session.flush()
    return job


def _with_preset(options: ExportOptions, preset: str) -> ExportOptions:
    data: dict[str, Any] = options.to_json()
    data["preset"] = preset
    return ExportOptions.from_json(data)


def batch_items(job: ExportJob) -> list[tuple[int, ExportOptions]]:
    """The (clip id, options) pairs a batch job renders, clip by clip."""
    base = ExportOptions.from_json(job.options["options"])
    return [
        (int(clip_id), _with_preset(base, preset))
        for clip_id in job.options["clip_ids"]
        for preset in job.options["presets"]
    ]


def visible_export(session: Session, user_ids: Iterable[int], job_id: int) -> ExportJob:
    """The job if one of ``user_ids`` owns it; ``NotFound`` otherwise (no leak of ids)."""
    job = session.get(ExportJob, job_id)
    if job is None or job.user_id not in set(user_ids):
        raise NotFound(f"export {job_id} not found")
    return job


def list_exports(
    session: Session,
    user_ids: Iterable[int],
    *,
    clip_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ExportJob]:
    """Jobs of ``user_ids``, newest first."""
    q = (
        select(ExportJob)
        .where(ExportJob.user_id.in_(list(user_ids)))
        .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if clip_id is not None:
        q = q.where(ExportJob.clip_id == clip_id)
    return list(session.scalars(q))


def mark_canceled(session: Session, job: ExportJob) -> None:
    """Cancel a queued or running job (the queue kills its ffmpeg); others are refused."""
    if job.status not in ACTIVE:
        raise ExportStateError(
            f"export {job.id} is {job.status}; only queued or running exports can be canceled"
        )
    job.status = "canceled"
    job.error = "canceled by the user"
    job.finished_at = utcnow()


def mark_for_retry(session: Session, job: ExportJob) -> None:
    """Queue a failed or canceled job again from a clean slate."""
    if job.status not in ("failed", "canceled"):
        raise ExportStateError(
            f"export {job.id} is {job.status}; only failed or canceled exports can be retried"
        )
    job.status = "queued"
    job.error = None
    job.progress = 0.0
    job.attempts = 0
    job.started_at = job.finished_at = None
