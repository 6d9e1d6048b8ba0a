"""clip-level transcript text with a full-text index (gallery search)

Revision ID: 0004_clip_search
Revises: 0003_dashboard
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_clip_search"
down_revision = "0003_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "clips", sa.Column("transcript_text", sa.Text(), nullable=False, server_default="")
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Existing clips: the text of the transcript chunks their ranges overlap (new clips get
    # exactly the words inside their ranges when they are rendered).
    concat = "group_concat(t.text, ' ')" if sqlite else "string_agg(t.text, ' ')"
    op.execute(
        f"UPDATE clips SET transcript_text = COALESCE((SELECT {concat} "
        "FROM transcript_segments t JOIN clip_ranges r ON r.clip_id = clips.id "
        'WHERE t.stream_id = clips.stream_id AND t.start_time < r."end" '
        "AND t.end_time > r.start), '')"
    )
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE clip_fts USING fts5(transcript_text, content='clips', "
            "content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute("INSERT INTO clip_fts(clip_fts) VALUES ('rebuild')")
        op.execute(
            "CREATE TRIGGER clip_fts_ai AFTER INSERT ON clips BEGIN "
            "INSERT INTO clip_fts(rowid, transcript_text) VALUES (new.id, new.transcript_text); "
            "END"
        )
        op.execute(
            "CREATE TRIGGER clip_fts_ad AFTER DELETE ON clips BEGIN "
            "INSERT INTO clip_fts(clip_fts, rowid, transcript_text) "
            "VALUES ('delete', old.id, old.transcript_text); END"
        )
        # Only a change of the text re-indexes: clips are updated often (status, file keys).
        op.execute(
            "CREATE TRIGGER clip_fts_au AFTER UPDATE OF transcript_text ON clips BEGIN "
            "INSERT INTO clip_fts(clip_fts, rowid, transcript_text) "
            "VALUES ('delete', old.id, old.transcript_text); "
            "INSERT INTO clip_fts(rowid, transcript_text) VALUES (new.id, new.transcript_text); "
            "END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_clip_fts ON clips USING gin (to_tsvector('english', transcript_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trig in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS clip_fts_{trig}")
        op.execute("DROP TABLE IF EXISTS clip_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_clip_fts")
    op.drop_column("clips", "transcript_text")
