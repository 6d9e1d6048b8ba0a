"""Export jobs as rows: create (checked up front), find, list, cancel, retry.

The row is the source of truth; the queue (``queue``) only carries job ids. Everything a
request can get wrong is refused here, before anything is queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts import add_export, get_plan, teammate_ids, visible_user_ids
from clippy.branding import SETTINGS_KEY as BRANDING_KEY
from clippy.branding import job_branding
from clippy.clips import visible_clip
from clippy.db import EXPORT_ACTIVE, Clip, ClipStatus, ExportJob, ExportStatus, User, utcnow
from clippy.errors import Conflict, NotFound
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.presets import ClipTooLong, ExportRefused

MAX_BATCH_ITEMS = 100


class ExportStateError(Conflict, ExportRefused):
    """The job is not in a state that allows the action (e.g. retrying a finished export)."""


def _ready_clip(session: Session, user: User, clip_id: int) -> Clip:
    clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    if clip.status != ClipStatus.READY or not clip.file_key:
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
        options=_with_branding(user, options.to_json()),
        result={},
    )
    session.add(job)
    add_export(session, user.id, (now or utcnow()).date())
    session.flush()
    return job


@dataclass(frozen=True)
class BatchProblem:
    """One clip of a batch that cannot be exported for one preset (``preset`` is empty when
    the clip cannot be exported at all, e.g. it is not ready)."""

    clip_id: int
    preset: str
    error: ExportRefused

    @property
    def trim_to(self) -> float | None:
        """The longest the clip may be for the preset, when length is the problem."""
        return self.error.trim_to if isinstance(self.error, ClipTooLong) else None


def check_batch(
    session: Session,
    user: User,
    clip_ids: Sequence[int],
    presets: Sequence[str],
    options: ExportOptions,
) -> list[BatchProblem]:
    """Every (clip, preset) pair of a batch that would be refused, so a user can fix them all
    at once. A clip the caller cannot see raises ``NotFound``; a batch that is empty or too
    big raises ``ExportRefused``."""
    clip_ids, presets = list(dict.fromkeys(clip_ids)), list(dict.fromkeys(presets))
    if not clip_ids or not presets:
        raise ExportRefused("a batch needs at least one clip and one preset")
    if len(clip_ids) * len(presets) > MAX_BATCH_ITEMS:
        raise ExportRefused(f"a batch makes at most {MAX_BATCH_ITEMS} files; split it")
    problems: list[BatchProblem] = []
    for clip_id in clip_ids:
        try:
            clip = _ready_clip(session, user, clip_id)
        except ExportRefused as exc:
            problems.append(BatchProblem(clip_id, "", exc))
            continue
        for preset in presets:
            try:
                check_export(session, user, clip, _with_preset(options, preset))
            except ExportRefused as exc:
                problems.append(BatchProblem(clip_id, preset, exc))
    return problems


def create_batch(
    session: Session,
    user: User,
    clip_ids: Sequence[int],
    presets: Sequence[str],
    options: ExportOptions,
    now: datetime | None = None,
) -> ExportJob:
    """Queue one job rendering every clip for every preset into one zip. Every pair is
    checked first (``check_batch``): one clip too long for one preset refuses the batch,
    naming it."""
    problems = check_batch(session, user, clip_ids, presets, options)
    if problems:
        raise problems[0].error
    return queue_batch(session, user, clip_ids, presets, options, now)


def queue_batch(
    session: Session,
    user: User,
    clip_ids: Sequence[int],
    presets: Sequence[str],
    options: ExportOptions,
    now: datetime | None = None,
) -> ExportJob:
    """Queue the batch job without checking it again: only for a batch ``check_batch`` has
    just found no problems in (``create_batch`` does both)."""
    clip_ids, presets = list(dict.fromkeys(clip_ids)), list(dict.fromkeys(presets))
    job = ExportJob(
        user_id=user.id,
        kind="batch",
        preset=",".join(presets),
        options=_with_branding(
            user, {"clip_ids": clip_ids, "presets": presets, "options": options.to_json()}
        ),
        result={},
    )
    session.add(job)
    add_export(session, user.id, (now or utcnow()).date(), len(clip_ids) * len(presets))
    session.flush()
    return job


def _with_branding(user: User, options: dict[str, Any]) -> dict[str, Any]:
    # The logo is recorded as it is now, so a retry renders the same picture even if the
    # logo changes in between (``clippy.branding.logos`` keeps that version while needed).
    branding = job_branding(user)
    return {**options, BRANDING_KEY: branding} if branding is not None else options


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


def _job_clip_ids(job: ExportJob) -> list[int]:
    if job.kind == "batch":
        return [int(i) for i in job.options.get("clip_ids", [])]
    return [job.clip_id] if job.clip_id is not None else []


def exporters_may_see(session: Session, jobs: Sequence[ExportJob]) -> list[bool]:
    """For each job, whether its exporter may still see every clip in it.

    An export of a teammate's clip is the exporter's only while they are on the team: once
    removed, the export (and any download link already handed out) stops working.
    """
    clip_ids = {i for job in jobs for i in _job_clip_ids(job)}
    owners = dict(
        session.execute(select(Clip.id, Clip.user_id).where(Clip.id.in_(clip_ids))).tuples().all()
    )
    mates: dict[int, set[int]] = {}
    out = []
    for job in jobs:
        if job.user_id not in mates:
            mates[job.user_id] = teammate_ids(session, job.user_id)
        # A clip deleted since is not a reason to hide the export (its rows cascade anyway).
        out.append(
            all(owners.get(i, job.user_id) in mates[job.user_id] for i in _job_clip_ids(job))
        )
    return out


def visible_export(session: Session, user_ids: Iterable[int], job_id: int) -> ExportJob:
    """The job if one of ``user_ids`` owns it and its owner may still see its clips;
    ``NotFound`` otherwise (no leak of ids)."""
    job = session.get(ExportJob, job_id)
    if job is None or job.user_id not in set(user_ids) or not exporters_may_see(session, [job])[0]:
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
    jobs = list(session.scalars(q))
    return [job for job, ok in zip(jobs, exporters_may_see(session, jobs), strict=True) if ok]


def mark_canceled(session: Session, job: ExportJob) -> None:
    """Cancel a queued or running job (the queue kills its ffmpeg); others are refused."""
    if job.status not in EXPORT_ACTIVE:
        raise ExportStateError(
            f"export {job.id} is {job.status}; only queued or running exports can be canceled"
        )
    job.status = ExportStatus.CANCELED
    job.error = "canceled by the user"
    job.finished_at = utcnow()


def mark_for_retry(session: Session, job: ExportJob) -> None:
    """Queue a failed or canceled job again from a clean slate."""
    if job.status not in (ExportStatus.FAILED, ExportStatus.CANCELED):
        raise ExportStateError(
            f"export {job.id} is {job.status}; only failed or canceled exports can be retried"
        )
    job.status = ExportStatus.QUEUED
    job.error = None
    job.progress = 0.0
    job.attempts = 0
    job.started_at = job.finished_at = None
