"""chat badges (broadcaster/moderator: one of them can clip with the viewers' command)

Revision ID: 0008_chat_badges
Revises: 0007_clip_tags
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_chat_badges"
down_revision = "0007_clip_tags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_messages") as batch:
        batch.add_column(
            sa.Column("badges", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_messages") as batch:
        batch.drop_column("badges")
