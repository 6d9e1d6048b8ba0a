"""Deferring procrastinate jobs through our own SQLAlchemy session.

It calls procrastinate's ``procrastinate_defer_jobs_v1`` (the function its own ``defer``
calls), so a job is inserted in the caller's transaction: the segment row and its job commit
together or not at all. The insert trigger notifies listening workers as usual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

__all__ = ["JobSpec", "defer"]

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, :lock,"
    " :queueing_lock, CAST(:args AS jsonb),"
    " now() + make_interval(secs => :delay))::procrastinate_job_to_defer_v1])"
)


@dataclass(frozen=True)
class JobSpec:
    """One job: its task, queue, arguments (ids only) and ordering/de-duplication keys."""

    task: str
    queue: str
    args: dict[str, Any] = field(default_factory=dict)
    lock: str | None = None  # jobs with one lock run one at a time, in defer order
    queueing_lock: str | None = None  # at most one such job waiting
    priority: int = 0
    delay: timedelta = timedelta(0)


def defer(session: Session, job: JobSpec) -> bool:
    """Insert ``job`` in ``session``'s transaction; ``False`` when a job with its queueing
    lock already waits (nothing inserted, the transaction goes on)."""
    params = {
        "queue": job.queue,
        "task": job.task,
        "priority": job.priority,
        "lock": job.lock,
        "queueing_lock": job.queueing_lock,
        "args": json.dumps(job.args),
        "delay": job.delay.total_seconds(),
    }
    try:
        # A savepoint: a queueing-lock clash must not abort the caller's transaction.
        with session.begin_nested():
            session.execute(_DEFER, params)
    except IntegrityError:
        if job.queueing_lock is None:
            raise
        return False
    return True
