"""procrastinate's job queue schema (PostgreSQL only; the embedded backend needs no tables)

Revision ID: 0012_jobs
Revises: 0011_layout
Create Date: 2026-12-01

The schema is procrastinate's own ``schema.sql`` of the pinned version (pyproject pins
``procrastinate>=3.10,<3.11``): a later procrastinate needs its SQL migrations applied in a
new revision. SQLite databases are left untouched.
"""

from __future__ import annotations

import re
from importlib import resources

from alembic import op

revision = "0012_jobs"
down_revision = "0011_layout"
branch_labels = None
depends_on = None

_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
           "procrastinate_workers")  # fmt: skip
_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type",
          "procrastinate_job_status")  # fmt: skip


def _schema() -> str:
    return (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The driver's own execute without parameters: the SQL holds '%' signs that a
    # parameterised execute would read as placeholders.
    bind.connection.driver_connection.execute(_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    functions = sorted(set(re.findall(r"CREATE FUNCTION (procrastinate_\w+)", _schema())))
    for table in _TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for fn in functions:
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
    for typ in _TYPES:
        op.execute(f"DROP TYPE IF EXISTS {typ} CASCADE")
