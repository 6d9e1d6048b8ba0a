"""The job layer: one interface for all background work (pipeline stages, exports, webhook
deliveries, retention) and its backends, chosen by ``CLIPPY_JOB_BACKEND``: ``embedded``
(in-process, the default) or ``procrastinate`` (PostgreSQL, ``clippy worker`` processes).

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.jobs.base import JobParts, Jobs
from clippy.jobs.embedded import EmbeddedJobs
from clippy.jobs.factory import make_jobs
from clippy.jobs.pg_specs import QUEUES
from clippy.jobs.pg_worker import run_worker
from clippy.jobs.priority import job_priority
from clippy.jobs.roles import JobSetupError, Role, check_role

__all__ = [
    "QUEUES",
    "EmbeddedJobs",
    "JobParts",
    "JobSetupError",
    "Jobs",
    "Role",
    "check_role",
    "job_priority",
    "make_jobs",
    "run_worker",
]
