"""The Python ingest client given several server URLs (what a load balancer spreads over):
a node that is down or dies mid-stream is left for the next one, and the stream resumes there
with every acknowledged segment stored exactly once and, on a cluster of ``--no-worker``
nodes and a ``clippy worker``, processed exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from clippy.ingest.client import IngestClient
from clippy.storage import LocalStore
from tests.fixtures.media import SegmentFile
from tests.fixtures.server import ServerProcess, WorkerProcess, free_port
from tests.ingest.test_durability import _stored

# Real servers and media generated at test time: minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(900)


async def _deliver(client: IngestClient, seg: SegmentFile) -> dict[str, Any]:
    return await client.deliver(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())


async def test_a_node_that_is_down_is_skipped(
    server_factory: Any, db_url: str, small_webm_segments: list[SegmentFile]
) -> None:
    srv = server_factory(CLIPPY_PIPELINE_ENABLED="false")
    srv.start()
    token = srv.register("down@example.test")["access_token"]
    down = f"ws://127.0.0.1:{free_port()}/ws/ingest"
    client = IngestClient([down, srv.ws], token, "skip-down", reconnect_seconds=120)
    for seg in small_webm_segments[:2]:
        assert (await _deliver(client, seg))["type"] == "ack"
    await client.close()
    assert client.current_url == srv.ws and client.reconnects == 1
    assert [s.seq for s in _stored(db_url)] == [0, 1]


def _segment_jobs(url: str) -> dict[int, list[str]]:
    """Each segment's ``clippy.segment`` procrastinate jobs: their statuses, by segment id."""
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT (args->>'segment_id')::int, status::text FROM procrastinate_jobs"
                    " WHERE task_name = 'clippy.segment' ORDER BY id"
                )
            )
            out: dict[int, list[str]] = {}
            for seg_id, status in rows:
                out.setdefault(int(seg_id), []).append(str(status))
            return out
    finally:
        eng.dispose()


async def test_client_survives_a_killed_node_and_each_segment_is_stored_and_processed_once(
    tmp_path: Path, pg_url: str, small_webm_segments: list[SegmentFile]
) -> None:
    objects = tmp_path / "objects"  # one store every node sees (a shared volume)
    shared = {
        "CLIPPY_JOB_BACKEND": "procrastinate",
        "CLIPPY_STORAGE_DIR": str(objects),
        "CLIPPY_SHARED_DATA_DIR": "1",
        "CLIPPY_TRANSCRIBER": "none",  # the jobs are under test, not the words
        "CLIPPY_RETENTION_INTERVAL_SECONDS": "3600",
        "CLIPPY_PUBLISH_CHECK_SECONDS": "3600",
    }
    nodes = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        nodes.append(
            ServerProcess(
                data_dir=tmp_path / name,
                database_url=pg_url,
                env_extra=shared,
                args=["--no-worker"],
            )
        )
    a, b = nodes
    worker = WorkerProcess(
        env={**a.env(), "CLIPPY_DATA_DIR": str(tmp_path / "worker")}, log=tmp_path / "worker.log"
    )
    a.start()
    b.start()
    worker.start()
    try:
        token = a.register("failover@example.test")["access_token"]
        client = IngestClient([a.ws, b.ws], token, "failover", reconnect_seconds=120)
        for seg in small_webm_segments[:3]:
            assert (await _deliver(client, seg))["type"] == "ack"
        assert client.current_url == a.ws
        # The node dies while the next segment is on its way: stored and acked or not,
        # the client cannot know; it resumes on B, which answers from the database.
        in_flight = asyncio.create_task(_deliver(client, small_webm_segments[3]))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(a.kill)
        assert (await in_flight)["type"] == "ack"
        for seg in small_webm_segments[4:]:
            assert (await _deliver(client, seg))["type"] == "ack"
        await client.close()
        assert client.current_url == b.ws and client.reconnects >= 1
        assert client.acked == {s.seq for s in small_webm_segments} and not client.pending
        rows = _stored(pg_url)
        assert [r.seq for r in rows] == [s.seq for s in small_webm_segments]  # once each
        store = LocalStore(objects)
        for row, seg in zip(rows, small_webm_segments, strict=True):
            assert store.get_bytes(row.storage_key) == seg.path.read_bytes()
        # Each acknowledged segment's job was deferred with its row (whichever node stored
        # it, the in-flight one included) and the worker ran it once.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            rows, jobs = _stored(pg_url), _segment_jobs(pg_url)
            running = {"todo", "doing"} & {s for statuses in jobs.values() for s in statuses}
            if all(r.status == "done" for r in rows) and not running:
                break
            await asyncio.sleep(0.5)
        assert [r.status for r in rows] == ["done"] * len(small_webm_segments)
        assert _segment_jobs(pg_url) == {r.id: ["succeeded"] for r in rows}
    finally:
        worker.stop()
        a.stop()
        b.stop()
