"""Live capacity: CPU seconds per segment of each pipeline stage, and N real-time streams.

``stages`` (default) stores a speech-heavy stream's WebM segments (continuous espeak-ng
speech, 1280x720 30 fps VP8 + Opus, like MediaRecorder) in a real database and store, then
runs each stage of the live path on every segment in this process, timing CPU seconds (this
process's threads + the ffmpeg children) and wall seconds per stage; then the real
``process_segment`` + ``detect_and_clip`` per segment as a check of the total. CPU seconds do
not depend on how busy the machine is, so capacity = cores / (CPU s per media second)
(the caveat: it assumes the stages parallelise perfectly over the cores and ignores the
server's own ingest work, which the ``validate`` row shows).

``live`` starts a real ``clippy serve`` and N clients that each send one segment every
``--segment`` seconds through the WebSocket (real time), then prints every stream's
processing lag over time (from the API) and the load average.

    .venv/bin/python benchmarks/live_capacity_bench.py stages [--segments 12] [--size 1280x720]
    .venv/bin/python benchmarks/live_capacity_bench.py live --streams 8 --minutes 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.media import (  # noqa: E402
    CALM,
    SegmentFile,
    make_stream_video,
    mix_speech,
    speech_wav,
    split_webm_segments,
)
from tests.fixtures.server import ServerProcess  # noqa: E402

T = TypeVar("T")
LagRow = tuple[float, list[float], int, float]  # (seconds in, lag per stream, waiting, load)


def cpu_now() -> float:
    """CPU seconds used so far by this process (all threads) and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Meter:
    """CPU and wall seconds per named stage, summed over calls."""

    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def stage(self, name: str, per: int = 1) -> Iterator[None]:
        """Time the block; ``per`` segments share it (each gets an equal part)."""
        c, w = cpu_now(), time.perf_counter()
        yield
        cpu, wall = cpu_now() - c, time.perf_counter() - w
        self.cpu[name] += [cpu / per] * per
        self.wall[name] += [wall / per] * per

    def run(self, name: str, fn: Callable[..., T], *args: Any, per: int = 1, **kw: Any) -> T:
        with self.stage(name, per):
            return fn(*args, **kw)


def speech_segments(tmp: Path, count: int, seconds: float, size: str) -> list[SegmentFile]:
    """``count`` WebM segments of continuous speech (calm sentences, 0.8 s apart).

    One segment is encoded and sent ``count`` times: a VP8 encode of 720p costs more CPU than
    a shared 2-core machine has to spare, and every copy is processed in full all the same.
    """
    (tmp / "speech").mkdir(parents=True, exist_ok=True)
    parts: list[tuple[float, Path, float]] = []
    t = 0.0
    while t < seconds:
        wav = tmp / "speech" / f"line{len(parts):03d}.wav"
        parts.append((t, wav, 0.0))
        t += speech_wav(CALM[len(parts) % len(CALM)], wav) + 0.8
    mix_speech(parts, seconds, tmp / "speech.wav")
    video = make_stream_video(tmp / "speech.mp4", seconds, tmp / "speech.wav", size=size)
    one = split_webm_segments(video, tmp / "segs", seconds)[0]
    return [SegmentFile(one.path, k, k * seconds, one.duration) for k in range(count)]


def profile_stages(args: argparse.Namespace) -> None:
    from clippy.archive import precompute_thumbnails
    from clippy.config import Settings
    from clippy.db import Segment, Stream, User
    from clippy.detect import segment_features
    from clippy.ingest import store_segment
    from clippy.ingest.protocol import SegmentHeader
    from clippy.media.audio import decode_audio
    from clippy.media.mezzanine import transcode_to_mezzanine
    from clippy.media.probe import validate_segment
    from clippy.pipeline import stages
    from clippy.pipeline.analysis import SAMPLE_RATE
    from clippy.pipeline.detection import detect_and_clip
    from clippy.transcribe import speech_fraction
    from clippy.web.app import build_context

    with tempfile.TemporaryDirectory(prefix="clippy-capacity-") as name:
        tmp = Path(name)
        segs = speech_segments(tmp, args.segments, args.segment, args.size)
        settings = Settings(
            data_dir=tmp / "data",
            database_url=f"sqlite:///{tmp}/clippy.db",
            secret_key="x" * 40,
            whisper_threads=args.threads,
        )
        ctx = build_context(settings)
        with ctx.session_factory() as s:
            user = User(email="bench@example.test", password_hash="x", plan="business")
            s.add(user)
            s.flush()
            stream = Stream(user_id=user.id, client_stream_id="bench", status="live")
            s.add(stream)
            s.commit()
            user_id, stream_id = user.id, stream.id
        stages.init_worker(settings, watch_parent=False)
        st = stages._state()
        transcriber = st.transcriber  # load the model outside the measurement
        m = Meter()
        ids = []
        for seg in segs:
            m.run("validate (ingest)", validate_segment, seg.path, seg.duration, mime="video/webm")
            header = SegmentHeader(seq=seg.seq, start=seg.start_time, duration=seg.duration)
            stored = m.run(
                "store (ingest)", store_segment, ctx.session_factory, ctx.store, settings,
                user_id, stream_id, header, seg.path.read_bytes(),
            )  # fmt: skip
            ids.append(stored.segment_id)
        previous = None
        for seg in segs:
            mezz = tmp / f"mezz{seg.seq}.ts"
            m.run("mezzanine transcode", transcode_to_mezzanine, seg.path, mezz)
            m.run("thumbnails", precompute_thumbnails, ctx.store, 999, mezz, seg.start_time,
                  seg.duration)  # fmt: skip
            samples = m.run("audio decode", decode_audio, seg.path, SAMPLE_RATE)
            if previous is not None:
                m.run("lead-in decode", decode_audio, previous, SAMPLE_RATE)
            m.run("features", segment_features, samples, SAMPLE_RATE, seg.start_time)
            m.run("webrtc vad", speech_fraction, samples, SAMPLE_RATE)
            m.run("whisper", transcriber.transcribe, samples, start_time=seg.start_time,
                  chunk_id="x")  # fmt: skip
            previous = seg.path
        # The real thing, end to end, per segment: what a worker and the detector spend.
        for seg_id in ids:
            m.run("process_segment (all)", stages.process_segment, seg_id)
            m.run("detect_and_clip", detect_and_clip, ctx.session_factory, ctx.store, settings,
                  stream_id)  # fmt: skip
            m.run("make_mezzanine (all)", stages.make_mezzanine, seg_id)
        # A worker that fell behind takes a stream's waiting segments together.
        together = settings.pipeline_batch_segments
        for k in range(0, len(ids) - together + 1, together):
            m.run(f"process_segments ({together} together)", stages.process_segments,
                  ids[k : k + together], per=together)  # fmt: skip
        with ctx.session_factory() as s:
            done = sum(1 for x in s.query(Segment).filter_by(stream_id=stream_id) if x.features)
    n = len(segs)
    media = sum(s.duration for s in segs)
    print(f"{n} segments x {args.segment:g} s, {args.size}, continuous speech;"
          f" whisper_threads={args.threads}; {done} processed")  # fmt: skip
    print("| stage | CPU s / segment | wall s / segment | CPU s per media s |")
    print("|---|---:|---:|---:|")
    for name in m.cpu:
        cpu, wall = sum(m.cpu[name]), sum(m.wall[name])
        calls = len(m.cpu[name])
        per_media = cpu / (calls * args.segment)
        print(f"| {name} | {cpu / calls:.3f} | {wall / calls:.3f} | {per_media:.4f} |")
    detection = (
        sum(m.cpu["process_segment (all)"]) + sum(m.cpu["detect_and_clip"])
        + sum(m.cpu["validate (ingest)"]) + sum(m.cpu["store (ingest)"])
    ) / media  # fmt: skip
    mezz = sum(m.cpu["make_mezzanine (all)"]) / media
    cores = args.cores
    for what, per_media in (("detection path", detection), ("with mezzanines", detection + mezz)):
        print(
            f"{what} (ingest + process_segment + detect{' + mezzanine' * (per_media > detection)}):"
            f" {per_media:.4f} CPU s per media s -> about {cores / per_media:.1f} streams on"
            f" {cores} cores"
        )
    print(
        "(capacity assumes perfect use of every core and nothing else running;"
        f" load average {os.getloadavg()[0]:.1f})"
    )
    print("reproduce: .venv/bin/python benchmarks/live_capacity_bench.py stages",
          " ".join(sys.argv[2:]))  # fmt: skip


async def send_stream(
    url: str, token: str, idx: int, segs: list[SegmentFile], phase: float, acks: list[float]
) -> None:
    from clippy.ingest.client import IngestClient

    client = IngestClient(url, token, f"live-{idx}", metadata={"title": f"live {idx}"})
    await client.connect()
    started = time.monotonic() + phase
    for k, seg in enumerate(segs):
        # A live client: the segment exists only once it has been recorded.
        await asyncio.sleep(max(0.0, started + (k + 1) * seg.duration - time.monotonic()))
        t = time.monotonic()
        data = seg.path.read_bytes()
        reply = await client.send_segment(k, k * seg.duration, seg.duration, data)
        acks.append(time.monotonic() - t)
        if reply["type"] != "ack":
            raise RuntimeError(reply)
    await client.close()


async def watch_lag(
    srv: ServerProcess, token: str, until: Callable[[], bool], rows: list[LagRow]
) -> None:
    t0 = time.monotonic()
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=auth, timeout=60) as http:
        while not until():
            await asyncio.sleep(10)
            try:
                streams = (await http.get(f"{srv.http}/api/v1/streams")).json()
            except httpx.TransportError:  # a busy server answers late: a missed sample
                continue
            lags = [float(s["processing_lag_seconds"]) for s in streams]
            waiting = sum(int(s["unprocessed_segments"]) for s in streams)
            rows.append((time.monotonic() - t0, lags, waiting, os.getloadavg()[0]))


async def live(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="clippy-live-") as name:
        tmp = Path(name)
        count = int(args.minutes * 60 / args.segment)
        segs = speech_segments(tmp, count, args.segment, args.size)
        (tmp / "data").mkdir()
        env = {
            "CLIPPY_PIPELINE_WORKERS": str(args.workers),
            "CLIPPY_PIPELINE_BATCH_SEGMENTS": str(args.together),
        }
        if args.threads:
            env["CLIPPY_WHISPER_THREADS"] = str(args.threads)
        srv = ServerProcess(tmp / "data", f"sqlite:///{tmp}/data/clippy.db", env_extra=env)
        srv.start()
        token = srv.register("bench@example.test")["access_token"]
        srv.set_plan("bench@example.test", "business")
        cpu0 = _tree_cpu(srv)
        acks: list[float] = []
        rows: list[LagRow] = []
        senders = [
            asyncio.create_task(
                send_stream(srv.ws, token, i, segs, i * args.segment / args.streams, acks)
            )
            for i in range(args.streams)
        ]
        watcher = asyncio.create_task(
            watch_lag(srv, token, lambda: all(t.done() for t in senders), rows)
        )
        started = time.monotonic()
        await asyncio.gather(*senders)
        await watcher
        elapsed = time.monotonic() - started
        cpu = _tree_cpu(srv) - cpu0
        stage_lines = _stage_metrics(srv)
        srv.stop()
    print(f"{args.streams} streams x {count} segments of {args.segment:g} s ({args.size},"
          f" continuous speech), pipeline_workers={args.workers},"
          f" pipeline_batch_segments={args.together}")  # fmt: skip
    print("| t s | max lag s | mean lag s | segments waiting | load avg |")
    print("|---:|---:|---:|---:|---:|")
    for t, lags, waiting, load in rows:
        print(f"| {t:.0f} | {max(lags, default=0):.0f} | {statistics.fmean(lags or [0]):.1f}"
              f" | {waiting} | {load:.1f} |")  # fmt: skip
    media = args.streams * count * args.segment
    print(
        f"server CPU {cpu:.0f} s over {elapsed:.0f} s wall for {media:.0f} media s:"
        f" {cpu / media:.4f} CPU s per media s; ack p50 {statistics.median(acks) * 1e3:.0f} ms"
    )
    print("\n".join(stage_lines))
    print("reproduce: .venv/bin/python benchmarks/live_capacity_bench.py", " ".join(sys.argv[1:]))


def _stage_metrics(srv: ServerProcess) -> list[str]:
    """Wall seconds per pipeline stage and how many segments went together, from /metrics."""
    wanted = (
        "clippy_stage_seconds_sum",
        "clippy_stage_seconds_count",
        "clippy_mezzanines_deferred_total",
        "clippy_segments_recognised_together_total",
    )
    try:
        body = httpx.get(f"{srv.http}/metrics", timeout=10).text
    except httpx.HTTPError as exc:
        return [f"(no /metrics: {exc})"]
    return [line for line in body.splitlines() if line.startswith(wanted)]


def _tree_cpu(srv: ServerProcess) -> float:
    """CPU seconds of the server and every process under it (workers, ffmpeg) so far, from
    /proc (each process's own time plus that of its waited-for children)."""
    assert srv.proc is not None
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        stats[int(entry.name)] = (ppid, sum(int(x) for x in fields[11:15]) / tick)
    tree = {srv.proc.pid}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _) in stats.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(stats[p][1] for p in tree if p in stats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", choices=("stages", "live"), default="stages")
    ap.add_argument("--segments", type=int, default=12, help="stages: segments to profile")
    ap.add_argument("--segment", type=float, default=10.0, help="segment seconds")
    ap.add_argument("--size", default="1280x720", help="video size of the sent segments")
    ap.add_argument("--threads", type=int, default=0, help="CLIPPY_WHISPER_THREADS (0: default)")
    ap.add_argument("--cores", type=int, default=2, help="stages: cores for the capacity figure")
    ap.add_argument("--streams", type=int, default=8, help="live: concurrent streams")
    ap.add_argument("--minutes", type=float, default=3.0, help="live: minutes per stream")
    ap.add_argument("--workers", type=int, default=2, help="live: CLIPPY_PIPELINE_WORKERS")
    ap.add_argument(
        "--together", type=int, default=3, help="live: CLIPPY_PIPELINE_BATCH_SEGMENTS (1: off)"
    )
    args = ap.parse_args()
    if args.mode == "stages":
        profile_stages(args)
    else:
        asyncio.run(live(args))


if __name__ == "__main__":
    main()
