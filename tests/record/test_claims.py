"""Recordings with several servers on one database (``record.claims`` and ``Recorders``):
each recording runs on exactly one node; a stop made through another node reaches it; a node
whose database connection is gone (it died) hands its recordings to another.

The recording itself is a small runner that waits for its stop (the real HLS recorder is
``test_record_live.py``'s); the claims are real PostgreSQL advisory locks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.config import Settings
from clippy.db import Recording, User, make_engine, make_session_factory, session_scope
from clippy.record import Recorders, RecordingKind, create_recording, mark_stopped


@dataclass
class Parts:
    settings: Settings
    session_factory: sessionmaker[Session]


class Node:
    """One server's ``Recorders``, with a runner that records which node ran what."""

    def __init__(
        self, name: str, parts: Parts, ran: list[tuple[str, int]], takeover_after: float = 0.0
    ) -> None:
        async def run(_parts: object, recording_id: int, stop: asyncio.Event) -> None:
            ran.append((name, recording_id))
            await stop.wait()

        runners = {RecordingKind.CHANNEL: run, RecordingKind.IMPORT: run}
        loop = asyncio.get_running_loop()
        self.recorders = Recorders(
            parts,  # type: ignore[arg-type]
            loop,
            runners=runners,  # type: ignore[arg-type]
            takeover_after=takeover_after,
        )


@pytest.fixture
def parts(tmp_path: Path, db_url: str) -> Iterator[Parts]:
    engine = make_engine(db_url)
    yield Parts(Settings(data_dir=tmp_path, database_url=db_url), make_session_factory(engine))
    engine.dispose()


def _recording(parts: Parts) -> int:
    with session_scope(parts.session_factory) as s:
        user = User(email="rec@example.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        return create_recording(s, user, "https://example.test/live.m3u8", "channel").id


async def _settle() -> None:
    for _ in range(50):  # the claim is taken in a thread
        await asyncio.sleep(0.02)


def _postgres(parts: Parts) -> bool:
    return parts.settings.resolved_database_url.startswith("postgresql")


def test_each_recording_runs_on_one_node_and_a_dead_nodes_is_taken_over(parts: Parts) -> None:
    if not _postgres(parts):
        pytest.skip("several nodes share PostgreSQL; SQLite is one node's file")
    rec = _recording(parts)

    async def scenario() -> list[tuple[str, int]]:
        ran: list[tuple[str, int]] = []
        a, b = Node("a", parts, ran), Node("b", parts, ran)
        await a.recorders.resume_active()
        await _settle()
        await b.recorders.resume_active()  # B starts second: A holds it
        await b.recorders.check()
        await _settle()
        assert ran == [("a", rec)]
        assert a.recorders.running() == {rec} and b.recorders.running() == set()
        assert rec in b.recorders.refused and rec not in a.recorders.refused

        # A's database connection dies (its process was killed): PostgreSQL drops its lock.
        url = parts.settings.resolved_database_url.replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = %s AND objsubid = 2",
                (rec,),
            )
        await a.recorders.check()  # A notices and lets go without finishing the recording
        await _settle()
        assert a.recorders.running() == set()
        await b.recorders.check()
        await _settle()
        assert ran == [("a", rec), ("b", rec)]
        assert b.recorders.running() == {rec}
        with session_scope(parts.session_factory) as s:
            assert s.get(Recording, rec).status == "starting"  # still under way
        await a.recorders.close()
        await b.recorders.close()
        return ran

    asyncio.run(scenario())


def test_a_stop_made_through_another_node_reaches_the_recording(parts: Parts) -> None:
    rec = _recording(parts)

    async def scenario() -> None:
        ran: list[tuple[str, int]] = []
        a = Node("a", parts, ran)
        await a.recorders.resume_active()
        await _settle()
        assert a.recorders.running() == {rec}
        with session_scope(parts.session_factory) as s:  # what another node's API does
            mark_stopped(s.get(Recording, rec))
        await a.recorders.check()
        await asyncio.wait_for(a.recorders.wait(rec), 5)
        assert a.recorders.running() == set()
        await a.recorders.check()  # stopped: nobody takes it up again
        await _settle()
        assert ran == [("a", rec)]
        await a.recorders.close()

    asyncio.run(scenario())


def test_a_new_recording_is_left_to_the_node_that_made_it(parts: Parts) -> None:
    """A watch that finds a recording under way and unclaimed waits ``takeover_after`` before
    taking it: the node that just made it claims it in the meantime."""
    if not _postgres(parts):
        pytest.skip("nothing is taken over on SQLite")
    rec = _recording(parts)

    async def scenario() -> None:
        ran: list[tuple[str, int]] = []
        watcher = Node("watcher", parts, ran, takeover_after=30.0)
        await watcher.recorders.check()  # first sight: unclaimed, but only just
        await _settle()
        maker = Node("maker", parts, ran)
        maker.recorders.start(rec, "channel")
        await _settle()
        await watcher.recorders.check()
        await _settle()
        assert ran == [("maker", rec)]
        await watcher.recorders.close()
        await maker.recorders.close()

    asyncio.run(scenario())


def test_a_recording_that_finished_meanwhile_is_not_started_again(parts: Parts) -> None:
    rec = _recording(parts)
    with session_scope(parts.session_factory) as s:
        s.get(Recording, rec).status = "ended"

    async def scenario() -> None:
        ran: list[tuple[str, int]] = []
        node = Node("a", parts, ran)
        node.recorders.start(rec, "channel")  # as a watch that read it still under way would
        await _settle()
        assert ran == [] and node.recorders.running() == set()
        assert rec not in node.recorders.refused
        await node.recorders.close()

    asyncio.run(scenario())
