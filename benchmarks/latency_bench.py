"""Glass-to-clip latency: a moment happens on stream → ``clip_created`` reaches the client.

Streams the planted 3-minute test stream to a real server in real time (each 10 s segment is
sent when it would have finished recording, its chat lines as they "happen"), offline
speech recognition, and measures, per planted moment, the time from the moment to the
``clip_created`` event that covers it.

``--replay`` runs the same segments through the real stages and detection in this process,
one after another, and adds to the segment's end (when its clip could be made) the CPU
seconds its processing, detection and cut took: the glass-to-clip an otherwise idle core
gives, measurable on a shared, overloaded machine where real time is not.

    .venv/bin/python benchmarks/latency_bench.py [--speed 1.0] [--segment 10] [--replay]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.glass_to_clip import print_glass_to_clip  # noqa: E402
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


def cpu_now() -> float:
    """CPU seconds of this process (all threads) and its finished children (ffmpeg)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def replay(tmp: Path, planted, segments) -> list[tuple[str, float, float, float]]:  # type: ignore[no-untyped-def]
    """Each segment through the real stages and detection in this process, in order; per
    moment: (kind, time, segment end when its clip was made, CPU s of that segment's
    processing + detection + cut). CPU seconds stand for the wall time on an idle core."""
    from clippy.config import Settings
    from clippy.db import ChatMessage, Clip, Stream, User
    from clippy.ingest import store_segment
    from clippy.ingest.protocol import SegmentHeader
    from clippy.pipeline import stages
    from clippy.pipeline.detection import detect_and_clip
    from clippy.web.app import build_context

    settings = Settings(
        data_dir=tmp / "data", database_url=f"sqlite:///{tmp}/replay.db", secret_key="x" * 40
    )
    ctx = build_context(settings)
    with ctx.session_factory() as s:
        user = User(email="bench@example.test", password_hash="x", plan="pro")
        s.add(user)
        s.flush()
        stream = Stream(user_id=user.id, client_stream_id="replay", status="live")
        s.add(stream)
        s.commit()
        user_id, stream_id = user.id, stream.id
    stages.init_worker(settings, watch_parent=False)
    stages._state().transcriber  # noqa: B018 - the model loads once, outside the timing
    made: dict[int, tuple[float, float, list[tuple[float, float]]]] = {}
    for seg in segments:
        end = seg.start_time + seg.duration
        with ctx.session_factory() as s:
            s.add_all(
                ChatMessage(stream_id=stream_id, author=a, text=x, time=t)
                for t, a, x in planted.chat_lines
                if seg.start_time <= t < end
            )
            s.commit()
        header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
        stored = store_segment(ctx.session_factory, ctx.store, settings, user_id, stream_id,
                               header, seg.path.read_bytes())  # fmt: skip
        cpu = cpu_now()
        stages.process_segment(stored.segment_id)
        clip_ids = detect_and_clip(ctx.session_factory, ctx.store, settings, stream_id)
        cpu = cpu_now() - cpu
        with ctx.session_factory() as s:
            for cid in clip_ids:
                clip = s.get(Clip, cid)
                assert clip is not None
                made[cid] = (end, cpu, [(r.start, r.end) for r in clip.ranges])
        stages.make_mezzanine(stored.segment_id)  # nothing waits in a replay: made now
    rows = []
    for m in planted.moments:
        hits = sorted(
            (at, cpu) for at, cpu, ranges in made.values()
            if any(a - 1 <= m.time <= b + 1 for a, b in ranges)
        )  # fmt: skip
        rows.append((m.kind, m.time, *(hits[0] if hits else (float("nan"), float("nan")))))
    ctx.engine.dispose()
    return rows


def report_replay(rows: list[tuple[str, float, float, float]], seconds: float) -> None:
    print("| moment | stream time s | made after segment ending s | processing CPU s"
          " | glass-to-clip s (idle core) |")  # fmt: skip
    lats = []
    for kind, t, at, cpu in rows:
        lat = at - t + cpu
        if lat == lat:
            lats.append(lat)
        print(f"| {kind} | {t:.1f} | {at:.1f} | {cpu:.2f} | {lat:.1f} |")
    if lats:
        lats.sort()
        p95 = lats[min(len(lats) - 1, round(0.95 * (len(lats) - 1)))]
        print(f"p50 {statistics.median(lats):.1f} s, p95 {p95:.1f} s over {len(lats)} moments"
              f" ({seconds:g} s segments, replayed; CPU seconds stand for wall on an idle core;"
              f" load {os.getloadavg()[0]:.1f})")  # fmt: skip


def planted_media(args: argparse.Namespace, tmp: Path):  # type: ignore[no-untyped-def]
    """The planted stream and its segments, from ``--media`` when made there before."""
    base = Path(args.media) if args.media else tmp
    cached = base / f"planted-{args.segment:g}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    planted = make_planted_stream(base / "media")
    segments = split_webm_segments(planted.video, base / f"segs-{args.segment:g}", args.segment)
    if args.media:
        cached.write_bytes(pickle.dumps((planted, segments)))
    return planted, segments


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--speed", type=float, default=1.0, help="1.0 = real time")
    ap.add_argument("--segment", type=float, default=10.0, help="segment seconds (5 or 10)")
    ap.add_argument("--replay", action="store_true", help="in process, segment after segment")
    ap.add_argument("--media", help="keep the generated media here and reuse it next time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-latency-") as tmp:
        planted, segments = planted_media(args, Path(tmp))
        if args.replay:
            report_replay(replay(Path(tmp), planted, segments), args.segment)
            print("reproduce: .venv/bin/python benchmarks/latency_bench.py", *sys.argv[1:])
            return
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
    print_glass_to_clip(
        rows,
        f"{args.segment:g} s segments, default engine, {len(planted.moments)} planted",
    )
    print("reproduce: .venv/bin/python benchmarks/latency_bench.py")


if __name__ == "__main__":
    main()
