"""Ingest throughput and memory: N concurrent simulated streams of 10 s 720p WebM segments.

Starts a real server (uvicorn, SQLite, local disk, pipeline off so ingest alone is measured),
streams the same pre-generated segments from N clients at full speed, and prints
segments/s, MB/s, ack latency, and the server's RSS after 1 and after M simulated minutes.

With ``--pipeline`` the server also processes every segment (mezzanine, audio features,
speech recognition, detection) and each client sends one segment every ``--interval``
seconds: with more streams than the pipeline keeps up with, it is saturated, and the ack
latency shows whether ingestion waits for it (it must not). The per-stream processing lag is
read from the API at the end.

    .venv/bin/python benchmarks/ingest_bench.py --streams 20 --minutes 30
    .venv/bin/python benchmarks/ingest_bench.py --streams 8 --minutes 2 --pipeline --interval 2
    .venv/bin/python benchmarks/ingest_bench.py --streams 8 --minutes 1 --postgres

``--postgres`` stores rows in a fresh PostgreSQL database (``CLIPPY_TEST_PG_DSN``'s server)
instead of SQLite, as a scaled-out node would. The server's CPU seconds per segment (from
/proc, independent of the machine's load) give the ingest capacity of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.server import ServerProcess  # noqa: E402

from clippy.ingest.client import IngestClient  # noqa: E402


def make_segment(path: Path, seconds: float = 10.0) -> bytes:
    """One standalone 1280x720 30 fps VP8 + Opus WebM, like MediaRecorder produces."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1280x720:rate=30:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "2M",
            "-c:a",
            "libopus",
            "-b:a",
            "96k",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def database(tmp: str, postgres: bool) -> Iterator[str]:
    """The server's database URL: SQLite in ``tmp``, or a fresh PostgreSQL database."""
    if not postgres:
        yield f"sqlite:///{tmp}/data/clippy.db"
        return
    import psycopg

    admin = os.environ.get("CLIPPY_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"clippy_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_stream(
    url: str,
    token: str,
    idx: int,
    data: bytes,
    count: int,
    latencies: list[float],
    progress: list[int],
    interval: float = 0.0,
    phase: float = 0.0,
) -> None:
    client = IngestClient(url, token, f"bench-{idx}")
    await client.connect()
    # Live streams started at different moments: their segments do not all land at once.
    started = time.perf_counter() + phase
    for seq in range(count):
        if interval:  # a live client: the next segment exists only so much later
            await asyncio.sleep(max(0.0, started + seq * interval - time.perf_counter()))
        t = time.perf_counter()
        reply = await client.send_segment(seq, seq * 10.0, 10.0, data)
        latencies.append(time.perf_counter() - t)
        if reply["type"] != "ack":
            raise RuntimeError(reply)
        progress[idx] = seq + 1
    await client.close()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--streams", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=30.0, help="simulated stream length")
    ap.add_argument("--pipeline", action="store_true", help="process segments too")
    ap.add_argument("--interval", type=float, default=0.0, help="seconds between segments")
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = ap.parse_args()
    per_stream = int(args.minutes * 6)
    with (
        tempfile.TemporaryDirectory(prefix="clippy-bench-") as tmp,
        database(tmp, args.postgres) as db_url,
    ):
        data = make_segment(Path(tmp) / "seg.webm")
        (Path(tmp) / "data").mkdir()
        srv = ServerProcess(
            data_dir=Path(tmp) / "data",
            database_url=db_url,
            env_extra={"CLIPPY_PIPELINE_ENABLED": "true" if args.pipeline else "false"},
        )
        srv.start()
        assert srv.proc is not None
        token = srv.register("bench@example.test")["access_token"]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "clippy.cli",
                "user",
                "set-plan",
                "bench@example.test",
                "business",
            ],
            env={
                **os.environ,
                "CLIPPY_DATA_DIR": f"{tmp}/data",
                "CLIPPY_DATABASE_URL": db_url,
            },
            check=True,
            capture_output=True,
        )
        latencies: list[float] = []
        progress = [0] * args.streams
        rss_start = rss_mb(srv.proc.pid)
        cpu_start = cpu_seconds(srv.proc.pid)
        t0 = time.perf_counter()
        tasks = [
            asyncio.create_task(
                run_stream(
                    *(srv.ws, token, i, data, per_stream, latencies, progress),
                    interval=args.interval,
                    phase=i * args.interval / args.streams,
                )
            )
            for i in range(args.streams)
        ]
        rss_1min = None
        while not all(t.done() for t in tasks):
            await asyncio.sleep(0.5)
            if rss_1min is None and min(progress) >= 6:
                rss_1min = rss_mb(srv.proc.pid)
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        rss_end = rss_mb(srv.proc.pid)
        server_cpu = cpu_seconds(srv.proc.pid) - cpu_start
        streams = httpx.get(
            f"{srv.http}/api/v1/streams", headers={"Authorization": f"Bearer {token}"}
        ).json()
        srv.stop()
    n = args.streams * per_stream
    lat = sorted(latencies)
    print(
        "| streams | segments | segment MB | seconds | segments/s | MB/s"
        " | ack p50 ms | ack p95 ms |"
    )
    print(
        f"| {args.streams} | {n} | {len(data) / 1e6:.2f} | {elapsed:.1f} | {n / elapsed:.2f} |"
        f" {n * len(data) / 1e6 / elapsed:.1f} | {statistics.median(lat) * 1e3:.0f} |"
        f" {lat[int(0.95 * (len(lat) - 1))] * 1e3:.0f} |"
    )
    print(
        f"server RSS MB: start {rss_start:.0f},"
        f" after 1 simulated min {rss_1min or float('nan'):.0f},"
        f" after {args.minutes:g} simulated min {rss_end:.0f}"
    )
    print(
        f"server CPU: {server_cpu:.1f} s, {1e3 * server_cpu / n:.1f} ms per segment"
        f" ({n / server_cpu if server_cpu else float('nan'):.0f} segments/s per core;"
        f" {'PostgreSQL' if args.postgres else 'SQLite'}); load average"
        f" {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    if args.pipeline:
        lags = [s["processing_lag_seconds"] for s in streams]
        behind = [s["unprocessed_segments"] for s in streams]
        print(
            f"at the last ack: processing lag per stream {min(lags):.0f}-{max(lags):.0f} s,"
            f" {sum(behind)} of {n} segments still waiting for the pipeline"
        )
    print(
        "reproduce: .venv/bin/python benchmarks/ingest_bench.py"
        f" --streams {args.streams} --minutes {args.minutes:g}"
        + (f" --pipeline --interval {args.interval:g}" if args.pipeline else "")
        + (" --postgres" if args.postgres else "")
    )


if __name__ == "__main__":
    asyncio.run(main())
