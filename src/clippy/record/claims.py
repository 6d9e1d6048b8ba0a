"""Which node runs a recording: on PostgreSQL, a session advisory lock per recording.

Every server resumes the recordings the database shows as under way. With several servers on
one database, the lock makes exactly one of them run each recording: it is held on a
connection of its own for as long as the recording runs here, and PostgreSQL releases it when
that connection closes, also when the process dies, which is what lets another node take the
recording over. SQLite is one node's file: every claim is granted.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

__all__ = ["Claim", "Claims"]

log = logging.getLogger(__name__)

# First key of the two-key advisory lock: "rec" in ASCII, so the recording's id is the second.
LOCK_SPACE = 0x726563


class Claim:
    """This process's hold on one recording (``None`` connection: SQLite, nothing to hold)."""

    def __init__(self, conn: Connection | None) -> None:
        self._conn = conn

    def alive(self) -> bool:
        """Whether the hold still stands: its connection answers (a lost connection is a
        lost lock, and another node may already run the recording)."""
        if self._conn is None:
            return True
        try:
            self._conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def release(self) -> None:
        """Let go (closing the connection drops its locks); safe to call twice."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


class Claims:
    """Takes claims on the recordings of one database; blocking calls (run them in a thread)."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._shared = make_url(database_url).get_backend_name() == "postgresql"
        # One connection per claim, opened and closed with it: a pool would keep a dead
        # recording's lock alive in a pooled connection.
        self._engine: Engine | None = None

    def take(self, recording_id: int) -> Claim | None:
        """A claim on ``recording_id``, or ``None`` when another process holds it."""
        if not self._shared:
            return Claim(None)
        if self._engine is None:
            self._engine = create_engine(self._url, poolclass=NullPool)
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(select(func.pg_try_advisory_lock(LOCK_SPACE, recording_id)))
            if got.scalar():
                return Claim(conn)
        except Exception:
            conn.close()
            raise
        conn.close()
        return None

    def held(self) -> set[int] | None:
        """Ids of the recordings some process (this one too) holds now, ``None`` on SQLite where
        claims mean nothing: one query, so a node need not try every lock to find a free one."""
        if not self._shared:
            return None
        if self._engine is None:
            self._engine = create_engine(self._url, poolclass=NullPool)
        q = text(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = :space AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with self._engine.connect() as conn:
            return {int(r[0]) for r in conn.execute(q, {"space": LOCK_SPACE})}

    def close(self) -> None:
        """Drop the engine (claims still held keep their own connections until released)."""
        if self._engine is not None:
            self._engine.dispose()
