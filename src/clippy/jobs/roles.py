"""What a process may be, checked at start-up (pure): a clear refusal beats a cluster whose
nodes cannot see each other's queue or files."""

from __future__ import annotations

from typing import Literal

from clippy.config import MIN_SECRET_KEY_LENGTH, Settings
from clippy.errors import InvalidInput

__all__ = ["JobSetupError", "Role", "check_role"]

Role = Literal["serve", "worker"]


class JobSetupError(InvalidInput):
    """The settings cannot run this role (the message says what to set)."""


def check_role(settings: Settings, role: Role) -> None:
    """Refuse settings that cannot work for ``role`` (``serve`` with or without
    ``run_jobs``, or ``worker``); returns quietly otherwise."""
    url = settings.resolved_database_url
    on_pg = url.startswith("postgresql")
    if settings.job_backend == "procrastinate" and not on_pg:
        raise JobSetupError(
            "CLIPPY_JOB_BACKEND=procrastinate needs a PostgreSQL CLIPPY_DATABASE_URL"
            " (postgresql+psycopg://...); unset it for the embedded backend"
        )
    split = role == "worker" or not settings.run_jobs
    if split and settings.job_backend != "procrastinate":
        what = "clippy worker" if role == "worker" else "clippy serve --no-worker"
        raise JobSetupError(
            f"{what} needs CLIPPY_JOB_BACKEND=procrastinate (the embedded backend runs every"
            " job inside one server)"
        )
    if split and not settings.secret_key:
        # Without it each node makes its own key, and a token or signed link made on one
        # node is refused by the next.
        raise JobSetupError(
            "several nodes need one signing key: set CLIPPY_SECRET_KEY (the same"
            f" {MIN_SECRET_KEY_LENGTH}+ random characters on every node)"
        )
    if split and not settings.s3_bucket and not settings.shared_data_dir:
        raise JobSetupError(
            "several nodes need one object store: set CLIPPY_S3_BUCKET (S3), or mount one data"
            f" dir ({settings.resolved_storage_dir}) on every node and set"
            " CLIPPY_SHARED_DATA_DIR=1"
        )
