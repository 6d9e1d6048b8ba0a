"""The whole live path: a generated 3-minute stream with planted moments, streamed over the
WebSocket to a real server, becomes clips of those moments (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from clippy.ingest.client import IngestClient
from tests.fixtures.media import PlantedStream, SegmentFile
from tests.fixtures.speech import spoken_title_words

# Real-time streaming and media generation: minutes on a loaded 2-core machine (measured
# 254 s of fixture set-up under contention), so allow more than the suite's default.
pytestmark = pytest.mark.timeout(900)


def covers(ranges: list[dict[str, float]], moment: float, slack: float = 1.0) -> bool:
    """Whether any range contains ``moment`` (stream seconds)."""
    return any(r["start"] - slack <= moment <= r["end"] + slack for r in ranges)


async def stream_planted(
    url: str, token: str, planted: PlantedStream, segments: list[SegmentFile]
) -> IngestClient:
    """Send segments in order, each preceded by the chat lines of its time span, then stop."""
    client = IngestClient(url, token, "planted", metadata={"title": "Planted moments"})
    await client.connect()
    chat = list(planted.chat_lines)
    for seg in segments:
        end = seg.start_time + seg.duration
        lines = [
            {"time": t, "author": a, "text": x} for t, a, x in chat if seg.start_time <= t < end
        ]
        if lines:
            assert (await client.request({"type": "chat", "lines": lines}))["type"] == "chat_ack"
        ack = await client.send_segment(
            seg.seq, seg.start_time, seg.duration, seg.path.read_bytes()
        )
        assert ack["type"] == "ack", ack
    assert (await client.request({"type": "stop"}))["type"] == "stopped"
    return client


def wait_for_clips(http: str, headers: dict[str, str], stream_id: int, timeout: float) -> list[Any]:
    """Poll until every segment is processed and the clip list has settled."""
    deadline = time.monotonic() + timeout
    last: list[Any] = []
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        segs = httpx.get(f"{http}/api/v1/streams/{stream_id}/segments", headers=headers).json()
        clips = httpx.get(f"{http}/api/v1/clips", headers=headers).json()
        if [c["id"] for c in clips] != [c["id"] for c in last]:
            stable_since = time.monotonic()
        last = clips
        done = all(s["status"] in ("done", "failed") for s in segs)
        if (
            done
            and all(c["status"] != "pending" for c in clips)
            and time.monotonic() - stable_since > 8
        ):
            return clips
        time.sleep(1)
    raise AssertionError(f"pipeline did not settle; segments: {[s['status'] for s in segs]}")


def test_planted_moments_become_clips(
    server_factory: Any, planted_stream: PlantedStream, planted_segments: list[SegmentFile]
) -> None:
    srv = server_factory()
    srv.start()
    token = srv.register("streamer@example.test")["access_token"]
    srv.set_plan("streamer@example.test", "pro")
    client = asyncio.run(stream_planted(srv.ws, token, planted_stream, planted_segments))
    stream_id = client.server_stream_id
    headers = {"Authorization": f"Bearer {token}"}
    clips = wait_for_clips(srv.http, headers, stream_id, timeout=300)

    segs = httpx.get(f"{srv.http}/api/v1/streams/{stream_id}/segments", headers=headers).json()
    assert all(s["status"] == "done" for s in segs), [s["error"] for s in segs]
    for moment in planted_stream.moments:
        assert any(covers(c["ranges"], moment.time) for c in clips), (moment, clips)
    others = [
        c for c in clips if not any(covers(c["ranges"], m.time) for m in planted_stream.moments)
    ]
    assert len(others) <= 1, others
    for c in clips:
        assert c["status"] == "ready" and c["reason"] and c["title"], c["error"]
        start, end = c["ranges"][0]["start"], c["ranges"][-1]["end"]
        assert len(c["title"]) <= 60
        assert spoken_title_words(c["title"], planted_stream.script, start, end) >= 2, c
        assert 15 - 0.1 <= c["duration"] <= 60 + 0.1
        thumb = httpx.get(srv.http + c["thumbnail_url"])
        assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"
        video = httpx.get(srv.http + c["file_url"])
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"

    # Transcript search finds a spoken word at its stream time (within 1 s).
    spoken = planted_stream.times_of_line_starting("yesterday")
    hits = httpx.get(
        f"{srv.http}/api/v1/search/transcripts", params={"q": "yesterday"}, headers=headers
    ).json()
    assert hits, "no transcript hit for 'yesterday'"
    assert any(abs(h["match_time"] - t) <= 1.0 for h in hits for t in spoken), (hits, spoken)
