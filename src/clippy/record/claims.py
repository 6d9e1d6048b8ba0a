"""Which node runs a recording: on PostgreSQL, a session advisory lock per recording.

Every server resumes the recordings the database shows as under way. With several servers on
one database, the lock makes exactly one of them run each recording. A node holds all its
locks on one connection of its own, and PostgreSQL releases them when that connection closes,
also when the process dies (or, through the session's idle timeout and TCP keepalives, when
it hangs or is cut off), which is what lets another node take its recordings over. SQLite is
one node's file: every claim is granted.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

__all__ = ["Claim", "Claims"]

log = logging.getLogger(__name__)

# First key of the two-key advisory lock: "rec" in ASCII, so the recording's id is the second.
LOCK_SPACE = 0x726563
# A node that stops answering loses its claims this long after its last check (its watch
# pings every few seconds), and a peer that vanished from the network is noticed by TCP.
IDLE_SESSION_TIMEOUT = "60s"
_CONNECT_ARGS = {"connect_timeout": 10, "keepalives_idle": 10, "keepalives_interval": 5,
                 "keepalives_count": 3, "tcp_user_timeout": 20_000}  # fmt: skip


class Claim:
    """This process's hold on one recording."""

    def __init__(self, claims: Claims, recording_id: int, generation: int) -> None:
        self._claims = claims
        self.recording_id = recording_id
        self._generation = generation

    def alive(self) -> bool:
        """Whether the hold still stands (blocking): the connection that holds it answers.
        A lost connection is a lost lock, and another node may already run the recording."""
        return self._claims.alive(self._generation)

    def release(self) -> None:
        """Let go (blocking); safe to call twice, and after the connection was lost."""
        self._claims.release(self.recording_id, self._generation)
        self._generation = -1


class Claims:
    """Takes claims on the recordings of one database. Blocking calls (run them in a thread);
    one lock serialises them on the node's one connection."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._shared = make_url(database_url).get_backend_name() == "postgresql"
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        # Bumped with every new connection: claims taken on an older one were lost with it.
        self._generation = 0

    def take(self, recording_id: int) -> Claim | None:
        """A claim on ``recording_id``, or ``None`` when another process holds it; raises
        when the database cannot be asked."""
        if not self._shared:
            return Claim(self, recording_id, 0)
        with self._lock:
            conn = self._connection()
            try:
                got = conn.execute(select(func.pg_try_advisory_lock(LOCK_SPACE, recording_id)))
                taken = bool(got.scalar())
            except Exception:
                self._drop()
                raise
            return Claim(self, recording_id, self._generation) if taken else None

    def alive(self, generation: int) -> bool:
        """Whether claims of ``generation`` still stand (their connection answers)."""
        if not self._shared:
            return generation >= 0
        with self._lock:
            if self._conn is None or generation != self._generation:
                return False
            try:
                self._conn.execute(text("SELECT 1"))
            except Exception:
                self._drop()
                return False
            return True

    def release(self, recording_id: int, generation: int) -> None:
        """Unlock ``recording_id`` if it is still held on this node's current connection."""
        if not self._shared:
            return
        with self._lock:
            if self._conn is None or generation != self._generation:
                return  # the lock went with the connection that held it
            try:
                self._conn.execute(select(func.pg_advisory_unlock(LOCK_SPACE, recording_id)))
            except Exception:
                self._drop()

    def held(self) -> set[int] | None:
        """Ids of the recordings some process (this one too) holds now, ``None`` on SQLite where
        claims mean nothing: one query, so a node need not try every lock to find a free one."""
        if not self._shared:
            return None
        q = text(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = :space AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with self._lock:
            try:
                return {int(r[0]) for r in self._connection().execute(q, {"space": LOCK_SPACE})}
            except Exception:
                # The connection was cut (its claims went with it): ask again on a new one.
                self._drop()
            return {int(r[0]) for r in self._connection().execute(q, {"space": LOCK_SPACE})}

    def close(self) -> None:
        """Close the connection, releasing every claim still held."""
        with self._lock:
            self._drop()

    def _connection(self) -> Connection:
        if self._conn is None:
            engine = create_engine(self._url, poolclass=NullPool, connect_args=_CONNECT_ARGS)
            conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with contextlib.suppress(Exception):  # PostgreSQL 14+; older servers rely on TCP
                conn.execute(text(f"SET idle_session_timeout = '{IDLE_SESSION_TIMEOUT}'"))
            self._conn = conn
            self._generation += 1
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
