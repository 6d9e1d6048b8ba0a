"""Clips API against a real server with the pipeline on: manual clips, live events (WebSocket
and SSE), media links, scoping, deletion."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx

from clippy.ingest.client import IngestClient
from tests.fixtures.media import SegmentFile


def _wait_processed(http: str, headers: dict[str, str], stream_id: int, n: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        segs = httpx.get(f"{http}/api/v1/streams/{stream_id}/segments", headers=headers).json()
        if len(segs) == n and all(s["status"] == "done" for s in segs):
            return
        time.sleep(0.5)
    raise AssertionError("segments were not processed in time")


def test_manual_clip_events_media_and_scoping(
    server_factory: Any, webm_segments: list[SegmentFile]
) -> None:
    srv = server_factory()
    srv.start()
    token = srv.register("a@example.test")["access_token"]
    other = srv.register("b@example.test")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sse_events: list[dict[str, Any]] = []

    def listen() -> None:
        with httpx.stream("GET", f"{srv.http}/api/v1/events", headers=headers, timeout=60) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    sse_events.append(json.loads(line[6:]))
                    return

    async def scenario() -> tuple[int, dict[str, Any], dict[str, Any]]:
        client = IngestClient(srv.ws, token, "manual")
        await client.connect()
        for seg in webm_segments[:3]:
            await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        sid = client.server_stream_id
        assert sid is not None
        await asyncio.to_thread(_wait_processed, srv.http, headers, sid, 3)
        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        await asyncio.sleep(1.0)  # let the SSE subscription start
        async with httpx.AsyncClient(base_url=srv.http, headers=headers, timeout=60) as api:
            r = await api.post(
                f"/api/v1/streams/{sid}/clips",
                json={"ranges": [{"start": 4.0, "end": 24.5}], "title": "Mine"},
            )
            assert r.status_code == 201, r.text
            created = r.json()
        event = await client.wait_event("clip_created", timeout=30)
        await asyncio.to_thread(listener.join, 30)
        await client.close()
        return sid, created, event

    sid, created, event = asyncio.run(scenario())
    assert created["status"] == "ready" and abs(created["duration"] - 20.5) <= 1 / 30 + 0.01
    assert event["clip"]["id"] == created["id"] and event["stream_id"] == sid
    assert sse_events and sse_events[0]["clip"]["id"] == created["id"]

    video = httpx.get(srv.http + created["file_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    part = httpx.get(srv.http + created["file_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    forged = created["file_url"].replace("sig=", "sig=0")
    assert httpx.get(srv.http + forged).status_code == 403

    # Bad ranges and another user's stream or clip.
    bad = httpx.post(
        f"{srv.http}/api/v1/streams/{sid}/clips",
        headers=headers,
        json={"ranges": [{"start": 20, "end": 10}]},
    )
    assert bad.status_code == 422
    late = httpx.post(
        f"{srv.http}/api/v1/streams/{sid}/clips",
        headers=headers,
        json={"ranges": [{"start": 20, "end": 900}]},
    )
    assert late.status_code == 422 and "recorded" in late.json()["detail"]
    b = {"Authorization": f"Bearer {other}"}
    assert (
        httpx.post(
            f"{srv.http}/api/v1/streams/{sid}/clips",
            headers=b,
            json={"ranges": [{"start": 0, "end": 10}]},
        ).status_code
        == 404
    )
    assert httpx.get(f"{srv.http}/api/v1/clips/{created['id']}", headers=b).status_code == 404
    assert httpx.delete(f"{srv.http}/api/v1/clips/{created['id']}", headers=b).status_code == 404
    assert httpx.get(f"{srv.http}/api/v1/clips", headers=b).json() == []

    assert (
        httpx.delete(f"{srv.http}/api/v1/clips/{created['id']}", headers=headers).status_code == 204
    )
    assert httpx.get(f"{srv.http}/api/v1/clips/{created['id']}", headers=headers).status_code == 404
    assert httpx.get(srv.http + created["file_url"]).status_code == 404
