"""Live events between processes through a real PostgreSQL: each hub below stands for one
process (its own origin, its own LISTEN connection)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from clippy.events import EventHub, PgEventHub, make_event_hub
from clippy.events.postgres import libpq_dsn

EVENT: dict[str, Any] = {"type": "clip_created", "stream_id": 4, "clip": {"id": 11}}


async def _next(queue: asyncio.Queue[dict[str, Any]], timeout: float = 15) -> dict[str, Any]:
    return await asyncio.wait_for(queue.get(), timeout)


@contextlib.asynccontextmanager
async def _sender_and_receiver(pg_url: str) -> AsyncIterator[tuple[PgEventHub, PgEventHub]]:
    """A publisher that never starts (like a `clippy worker`) and a started receiver."""
    sender, receiver = PgEventHub(pg_url), PgEventHub(pg_url)
    await receiver.start()
    try:
        yield sender, receiver
    finally:
        sender.flush()
        await receiver.stop()


def test_the_database_picks_the_hub(db_url: str) -> None:
    hub = make_event_hub(db_url)
    expected = PgEventHub if db_url.startswith("postgresql") else EventHub
    assert type(hub) is expected


def test_dsn_drops_the_sqlalchemy_driver() -> None:
    assert libpq_dsn("postgresql+psycopg://u:p@h:5432/db") == "postgresql://u:p@h:5432/db"
    assert libpq_dsn("postgres://h/db") == "postgresql://h/db"


async def test_event_reaches_a_subscriber_of_another_process_once(pg_url: str) -> None:
    a, b = PgEventHub(pg_url), PgEventHub(pg_url)
    await a.start()
    await b.start()
    try:
        async with a.subscribe(7) as on_a, b.subscribe(7) as on_b, b.subscribe(8) as other:
            a.publish({7, 9}, EVENT)
            assert await _next(on_b.queue) == EVENT
            assert await _next(on_a.queue) == EVENT  # delivered here at once, not echoed
            a.publish(7, {"type": "export_progress", "export_id": 1, "progress": 0.5})
            assert (await _next(on_b.queue))["type"] == "export_progress"
            await asyncio.sleep(0.5)
            assert on_a.queue.qsize() == 1 and on_b.queue.empty() and other.queue.empty()
    finally:
        await a.stop()
        await b.stop()


async def test_a_worker_without_a_loop_publishes_from_its_threads(pg_url: str) -> None:
    async with _sender_and_receiver(pg_url) as (worker, server), server.subscribe(3) as sub:
        threads = [
            threading.Thread(target=worker.publish, args=(3, {"type": "t", "n": n}))
            for n in range(5)
        ]
        for t in threads:
            t.start()
        got = sorted([(await _next(sub.queue))["n"] for _ in range(5)])
        assert got == [0, 1, 2, 3, 4]


async def test_an_event_larger_than_a_notify_payload_arrives_whole(pg_url: str) -> None:
    big = {"type": "clip_created", "clip": {"id": 1, "title": "ü" * 30_000}}
    async with _sender_and_receiver(pg_url) as (a, b), b.subscribe(1) as sub:
        a.publish(1, big)
        assert await _next(sub.queue) == big


def _listener_pids(pg_url: str) -> set[int]:
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(libpq_dsn(pg_url).rsplit("/", 1)[0] + "/postgres") as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'",
            (dbname,),
        ).fetchall()
    return {int(r[0]) for r in rows}


async def test_the_listener_reconnects_after_its_connection_is_killed(pg_url: str) -> None:
    async with _sender_and_receiver(pg_url) as (a, b):
        (pid,) = _listener_pids(pg_url)
        with psycopg.connect(libpq_dsn(pg_url), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = await asyncio.to_thread(_listener_pids, pg_url)
            if pids and pid not in pids:
                break
            await asyncio.sleep(0.2)
        else:
            pytest.fail("the listener did not come back")
        async with b.subscribe(5) as sub:
            a.publish(5, EVENT)
            assert await _next(sub.queue) == EVENT


async def test_equal_events_sent_together_both_arrive(pg_url: str) -> None:
    # PostgreSQL folds identical payloads of one transaction into one notification; events
    # queued while the sender was busy go out in one transaction.
    tick = {"type": "export_progress", "export_id": 2, "progress": 0.5}
    async with _sender_and_receiver(pg_url) as (a, b), b.subscribe(6) as sub:
        for _ in range(20):
            a.publish(6, tick)
        assert [await _next(sub.queue) for _ in range(20)] == [tick] * 20
