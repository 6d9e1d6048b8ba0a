"""full-text search over transcripts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5 table kept in step with triggers: the text lives once in
        # transcript_segments, the index alone in the FTS shadow tables.
        op.execute(
            "CREATE VIRTUAL TABLE transcript_fts USING fts5("
            "text, content='transcript_segments', content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER transcript_fts_ai AFTER INSERT ON transcript_segments BEGIN "
            "INSERT INTO transcript_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER transcript_fts_ad AFTER DELETE ON transcript_segments BEGIN "
            "INSERT INTO transcript_fts(transcript_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER transcript_fts_au AFTER UPDATE ON transcript_segments BEGIN "
            "INSERT INTO transcript_fts(transcript_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); "
            "INSERT INTO transcript_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_transcript_fts ON transcript_segments "
            "USING gin (to_tsvector('english', text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trig in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS transcript_fts_{trig}")
        op.execute("DROP TABLE IF EXISTS transcript_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_transcript_fts")
