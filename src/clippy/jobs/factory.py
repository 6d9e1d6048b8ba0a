"""Choosing the job backend from ``Settings``."""

from __future__ import annotations

from clippy.jobs.base import JobParts, Jobs
from clippy.jobs.embedded import EmbeddedJobs

__all__ = ["make_jobs"]


def make_jobs(parts: JobParts) -> Jobs:
    """The backend ``CLIPPY_JOB_BACKEND`` names (``embedded`` unless set)."""
    if parts.settings.job_backend == "procrastinate":
        from clippy.jobs.pg_backend import ProcrastinateJobs

        return ProcrastinateJobs(parts)
    return EmbeddedJobs(parts)
