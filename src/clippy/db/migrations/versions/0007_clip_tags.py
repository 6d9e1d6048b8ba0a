"""clip tags (the user's own labels; the gallery filters on one)

Revision ID: 0007_clip_tags
Revises: 0006_search_vectors
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_clip_tags"
down_revision = "0006_search_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clip_tags",
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("clip_id", "tag"),
    )
    op.create_index("ix_clip_tags_tag", "clip_tags", ["tag", "clip_id"])


def downgrade() -> None:
    op.drop_index("ix_clip_tags_tag", table_name="clip_tags")
    op.drop_table("clip_tags")
