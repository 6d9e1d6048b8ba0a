"""The whole live path: a generated 3-minute stream with planted moments, streamed over the
WebSocket to a real server, becomes clips of those moments (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from clippy.ingest.client import IngestClient

pytestmark = pytest.mark.slow


def covers(clip: dict[str, Any], moment: float, slack: float = 2.0) -> bool:
    """Whether the clip's ranges contain ``moment`` (stream seconds)."""
    return any(r["start"] - slack <= moment <= r["end"] + slack for r in clip["ranges"])


async def stream_planted(srv: Any, planted: Any, segments: list[Any], token: str) -> IngestClient:
    """Send segments in order with each segment's chat lines just before it, like a live client."""
    client = IngestClient(srv.ws, token, "planted", metadata={"title": "Planted moments"})
    await client.connect()
    chat = sorted(planted.chat_lines)
    ci = 0
    for seg in segments:
        end = seg.start_time + seg.duration
        lines = []
        while ci < len(chat) and chat[ci][0] < end:
            t, author, text = chat[ci]
            lines.append({"time": t, "author": author, "text": text})
            ci += 1
        if lines:
            reply = await client.request({"type": "chat", "lines": lines})
            assert reply["type"] == "chat_ack"
        ack = await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        assert ack["type"] == "ack", ack
    return client


def test_planted_moments_become_clips(server_factory: Any, planted_stream: Any,
                                      planted_segments: list[Any]) -> None:
    srv = server_factory()
    srv.start()
    reg = srv.register("streamer@example.test")
    token = reg["access_token"]
    srv.set_plan("streamer@example.test", "pro")

    async def run() -> tuple[list[dict[str, Any]], int]:
        client = await stream_planted(srv, planted_stream, planted_segments, token)
        assert client.server_stream_id is not None
        reply = await client.request({"type": "stop"})
        assert reply["type"] == "stopped"
        return client.events, client.server_stream_id

    events, stream_id = asyncio.run(run())
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 240
    clips: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        segs = httpx.get(f"{srv.http}/api/v1/streams/{stream_id}/segments", headers=headers).json()
        clips = httpx.get(f"{srv.http}/api/v1/clips", headers=headers).json()
        if all(s["status"] in ("done", "failed") for s in segs) and all(
            c["status"] != "pending" for c in clips
        ) and srv.stream_finished(stream_id, headers):
            break
        time.sleep(1)
    assert all(s["status"] == "done" for s in segs), [s["error"] for s in segs if s["error"]]
    for moment in planted_stream.moments:
        assert any(covers(c, moment.time) for c in clips), (moment, [c["ranges"] for c in clips])
    others = [c for c in clips if not any(covers(c, m.time) for m in planted_stream.moments)]
    assert len(others) <= 1, others
    for c in clips:
        assert c["status"] == "ready" and c["reason"] and c["file_url"] and c["thumbnail_url"]
        assert 5 <= c["duration"] <= 61
    # Transcript search finds a phrase spoken in the stream, at its stream time (±1 s).
    probe = planted_stream.search_probe
    hits = httpx.get(f"{srv.http}/api/v1/search/transcripts", params={"q": probe.word},
                     headers=headers).json()
    assert hits, f"no transcript hit for {probe.word!r}"
    assert any(abs(h["match_time"] - probe.time) <= 1.0 for h in hits), (probe, hits)
