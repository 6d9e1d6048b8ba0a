"""Glass-to-clip latency: a moment happens on stream → ``clip_created`` reaches the client.

Streams the planted 3-minute test stream to a real server in real time (each 10 s segment is
sent when it would have finished recording, its chat lines as they "happen"), offline
speech recognition, and measures, per planted moment, the time from the moment to the
``clip_created`` event that covers it.

    .venv/bin/python benchmarks/latency_bench.py [--speed 1.0] [--segment 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.media import make_planted_stream, split_webm_segments  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402

from clippy.ingest.client import IngestClient  # noqa: E402


async def stream_live(srv: ServerProcess, token: str, planted, segments, speed: float) -> dict:  # type: ignore[no-untyped-def]
    client = IngestClient(srv.ws, token, "latency", metadata={"title": "latency bench"})
    await client.connect()
    t0 = time.monotonic()
    seen: dict[int, float] = {}

    async def reader_pause(until: float) -> None:
        while (left := until - time.monotonic()) > 0:
            try:
                ev = await client.wait_event("clip_created", timeout=left)
            except TimeoutError:
                return
            seen[ev["clip"]["id"]] = time.monotonic()
            client.events.append({"type": "seen", "clip": ev["clip"], "at": time.monotonic() - t0})

    for seg in segments:
        end = seg.start_time + seg.duration
        await reader_pause(t0 + end / speed)
        lines = [
            {"time": t, "author": a, "text": x}
            for t, a, x in planted.chat_lines
            if seg.start_time <= t < end
        ]
        if lines:
            await client.request({"type": "chat", "lines": lines})
        await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
    await reader_pause(time.monotonic() + 40)
    await client.close()
    return {"t0": t0, "events": [e for e in client.events if e.get("type") == "seen"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--speed", type=float, default=1.0, help="1.0 = real time")
    ap.add_argument("--segment", type=float, default=10.0, help="segment seconds (5 or 10)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-latency-") as tmp:
        planted = make_planted_stream(Path(tmp) / "media")
        segments = split_webm_segments(planted.video, Path(tmp) / "segs", args.segment)
        (Path(tmp) / "data").mkdir()
        srv = ServerProcess(Path(tmp) / "data", f"sqlite:///{tmp}/data/clippy.db")
        srv.start()
        token = srv.register("bench@example.test")["access_token"]
        srv.set_plan("bench@example.test", "pro")
        result = asyncio.run(stream_live(srv, token, planted, segments, args.speed))
        srv.stop()
    rows = []
    for m in planted.moments:
        hits = [
            e
            for e in result["events"]
            if any(r["start"] - 1 <= m.time <= r["end"] + 1 for r in e["clip"]["ranges"])
        ]
        if hits:
            rows.append((m.kind, m.time, hits[0]["at"] - m.time / args.speed))
        else:
            rows.append((m.kind, m.time, float("nan")))
    print("| moment | stream time s | glass-to-clip s |")
    for kind, t, lat in rows:
        print(f"| {kind} | {t:.1f} | {lat:.1f} |")
    lats = sorted(x for _, _, x in rows if x == x)
    if lats:
        p95 = lats[min(len(lats) - 1, round(0.95 * (len(lats) - 1)))]
        print(
            f"p50 {statistics.median(lats):.1f} s, p95 {p95:.1f} s over {len(lats)} moments"
            f" ({args.segment:g} s segments, default engine, {len(planted.moments)} planted,"
            f" load {os.getloadavg()[0]:.1f})"
        )
    print("reproduce: .venv/bin/python benchmarks/latency_bench.py")


if __name__ == "__main__":
    main()
