"""dashboard: clip view/download counters, edited captions, gallery index

Revision ID: 0003_dashboard
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_dashboard"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clip_stats",
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("clip_id"),
    )
    op.create_table(
        "clip_captions",
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("style", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("clip_id"),
    )
    op.create_index("ix_clips_user_created", "clips", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_clips_user_created", table_name="clips")
    op.drop_table("clip_captions")
    op.drop_table("clip_stats")
