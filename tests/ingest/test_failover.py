"""The Python ingest client given several server URLs (what a load balancer spreads over):
a node that is down or dies mid-stream is left for the next one, and the stream resumes there
with every acknowledged segment stored exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from clippy.ingest.client import IngestClient
from clippy.storage import LocalStore
from tests.fixtures.media import SegmentFile
from tests.fixtures.server import ServerProcess, free_port
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


async def test_client_survives_a_killed_node_and_stores_each_segment_once(
    tmp_path: Path, pg_url: str, small_webm_segments: list[SegmentFile]
) -> None:
    objects = tmp_path / "objects"  # one store both nodes see (a shared volume)
    nodes = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        env = {"CLIPPY_PIPELINE_ENABLED": "false", "CLIPPY_STORAGE_DIR": str(objects)}
        nodes.append(ServerProcess(data_dir=tmp_path / name, database_url=pg_url, env_extra=env))
    a, b = nodes
    a.start()
    b.start()
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
    finally:
        a.stop()
        b.stop()
