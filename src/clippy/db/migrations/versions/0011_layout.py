"""stream settings (the export layout and clip length chosen for a stream)

Revision ID: 0011_layout
Revises: 0010_browsers
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_layout"
down_revision = "0010_browsers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("streams") as batch:
        batch.add_column(sa.Column("settings", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("streams") as batch:
        batch.drop_column("settings")
