"""Two real ``clippy serve`` processes on one PostgreSQL and one shared object store: a clip
made through server A reaches the live feed (SSE) of a browser connected to server B."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from clippy.ingest.client import IngestClient
from tests.fixtures.media import SegmentFile
from tests.fixtures.server import ServerProcess
from tests.web.test_clips_api import _wait_processed
from tests.web.test_team_events import Feed

# Real servers and media generated at test time: minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(900)


def _node(tmp_path: Path, name: str, pg_url: str, **env: str) -> ServerProcess:
    data = tmp_path / name
    data.mkdir()
    shared = {"CLIPPY_STORAGE_DIR": str(tmp_path / "objects"), "CLIPPY_TRANSCRIBER": "none"}
    return ServerProcess(data_dir=data, database_url=pg_url, env_extra={**shared, **env})


def test_clip_made_on_one_node_reaches_a_feed_on_the_other(
    tmp_path: Path, pg_url: str, small_webm_segments: list[SegmentFile]
) -> None:
    a = _node(tmp_path, "a", pg_url)
    b = _node(tmp_path, "b", pg_url, CLIPPY_PIPELINE_ENABLED="false")
    a.start()
    b.start()
    try:
        token = a.register("two@example.test")["access_token"]  # signed with the shared key
        headers = {"Authorization": f"Bearer {token}"}
        feed_on_b = Feed(b.http, token).start()

        async def record() -> int:
            client = IngestClient(a.ws, token, "across")
            await client.connect()
            for seg in small_webm_segments[:3]:
                reply = await client.send_segment(
                    seg.seq, seg.start_time, seg.duration, seg.path.read_bytes()
                )
                assert reply["type"] == "ack"
            await client.close()
            assert client.server_stream_id is not None
            return client.server_stream_id

        sid = asyncio.run(record())
        _wait_processed(a.http, headers, sid, 3)
        r = httpx.post(
            f"{a.http}/api/v1/streams/{sid}/clips",
            headers=headers,
            json={"ranges": [{"start": 1.0, "end": 7.0}], "title": "Seen on B"},
            timeout=120,
        )
        assert r.status_code == 201, r.text
        feed_on_b.wait_for(1)
        ev = feed_on_b.events[0]
        assert ev["type"] == "clip_created"
        assert ev["clip"]["id"] == r.json()["id"] and ev["clip"]["title"] == "Seen on B"
        # B serves the clip's media from the shared store with its own signed link.
        media = httpx.get(f"{b.http}{ev['clip']['file_url']}", timeout=30)
        assert media.status_code == 200 and media.content[4:8] == b"ftyp"
    finally:
        a.stop()
        b.stop()
