"""One export attempt as a plain step: claim the queued row, render, record the outcome.

The row is the truth (``queued`` → ``running`` → ``done``/``failed``/``queued`` again for a
retry); a job carries only the export id, so the step is safe to run again after a crash and
on any worker. The job layer (``clippy.jobs``) decides where and when attempts run.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.clips import MediaLinks
from clippy.db import EXPORT_ACTIVE, ExportJob, ExportStatus, utcnow
from clippy.export.progress import RenderCanceled
from clippy.export.worker import run_job
from clippy.storage import ObjectStore

__all__ = [
    "ExportConfig",
    "ExportOutcome",
    "attempt_export",
    "completed_webhook",
    "export_event",
    "reclaim_export",
    "requeue_unfinished",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportConfig:
    """Export knobs (from ``Settings``)."""

    concurrency: int = 1
    max_attempts: int = 2
    retry_seconds: float = 2.0
    link_seconds: int = 24 * 3600
    public_url: str = ""


@dataclass(frozen=True)
class ExportOutcome:
    """What one attempt did: ``done``, ``retry`` (queued again), ``failed``, ``canceled``
    (killed; queued again when it was a shutdown) or ``skipped`` (not queued any more)."""

    result: str
    user_id: int | None = None
    error: str = ""


def requeue_unfinished(session_factory: sessionmaker[Session]) -> list[int]:
    """Put jobs left queued or running by a dead process back to ``queued``; their ids."""
    with session_factory() as session:
        left = list(session.scalars(select(ExportJob).where(ExportJob.status.in_(EXPORT_ACTIVE))))
        for job in left:
            job.status = ExportStatus.QUEUED
        session.commit()
        return sorted(j.id for j in left)


def reclaim_export(session_factory: sessionmaker[Session], job_id: int) -> bool:
    """Put export ``job_id`` back to ``queued`` if an attempt died while ``running`` (the
    caller holds the export's lock, so no live attempt can be running); whether it did."""
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status != ExportStatus.RUNNING:
            return False
        job.status = ExportStatus.QUEUED
        session.commit()
        return True


def _claim(session_factory: sessionmaker[Session], job_id: int) -> int | None:
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status != ExportStatus.QUEUED:
            return None
        job.status = ExportStatus.RUNNING
        job.attempts += 1
        job.started_at = utcnow()
        session.commit()
        return job.attempts


def _requeue(session_factory: sessionmaker[Session], job_id: int) -> None:
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is not None and job.status == ExportStatus.RUNNING:
            job.status = ExportStatus.QUEUED
            job.attempts = max(0, job.attempts - 1)
            session.commit()


def _failed(
    session_factory: sessionmaker[Session], job_id: int, attempt: int, exc: Exception, most: int
) -> ExportOutcome:
    reason = str(exc)[:1500] or type(exc).__name__
    retry = attempt < most
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status != ExportStatus.RUNNING:
            return ExportOutcome("skipped")
        if retry:
            job.status = ExportStatus.QUEUED
            job.error = f"attempt {attempt} failed, retrying: {reason}"
        else:
            job.status = ExportStatus.FAILED
            job.error = f"export failed after {attempt} attempt(s): {reason}"
            job.finished_at = utcnow()
        session.commit()
        user_id = job.user_id
    log.warning("export %s attempt %d failed: %s", job_id, attempt, reason)
    return ExportOutcome("retry" if retry else "failed", user_id, reason)


def attempt_export(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    config: ExportConfig,
    cancel: threading.Event,
    *,
    stopping: Callable[[], bool] = lambda: False,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> ExportOutcome:
    """Claim export ``job_id`` if it is queued, render it and record the outcome."""
    attempt = _claim(session_factory, job_id)
    if attempt is None:
        return ExportOutcome("skipped")
    try:
        job = run_job(
            session_factory, store, job_id, cancel, on_start=on_start, on_progress=on_progress
        )
    except RenderCanceled:
        if stopping():
            _requeue(session_factory, job_id)
        return ExportOutcome("canceled")
    except Exception as exc:
        return _failed(session_factory, job_id, attempt, exc, config.max_attempts)
    if job is None:
        return ExportOutcome("canceled")
    return ExportOutcome("done", job.user_id)


def export_event(
    session_factory: sessionmaker[Session], job_id: int, kind: str, **data: Any
) -> tuple[int, dict[str, Any]] | None:
    """(owner, live event) telling the owner's pages about export ``job_id``."""
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None:
            return None
        return job.user_id, {"type": kind, "export_id": job_id, **data}


def completed_webhook(
    session_factory: sessionmaker[Session], links: MediaLinks, config: ExportConfig, job_id: int
) -> tuple[int, dict[str, Any]] | None:
    """(owner, ``export.completed`` webhook data) of a finished export."""
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status != ExportStatus.DONE:
            return None
        url = config.public_url.rstrip("/") + links.export(job.id, "main", config.link_seconds)
        return job.user_id, {
            "export_id": job.id,
            "kind": job.kind,
            "clip_id": job.clip_id,
            "preset": job.preset,
            "size": job.result_size,
            "download_url": url,
            "expires_in": config.link_seconds,
        }
