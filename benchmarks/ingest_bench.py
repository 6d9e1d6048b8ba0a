"""Ingest throughput and memory: N concurrent simulated streams of 10 s 720p WebM segments.

Starts a real server (uvicorn, SQLite, local disk, pipeline off so ingest alone is measured),
streams the same pre-generated segments from N clients at full speed, and prints
segments/s, MB/s, ack latency, and the server's RSS after 1 and after M simulated minutes.

    .venv/bin/python benchmarks/ingest_bench.py --streams 20 --minutes 30
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
from pathlib import Path

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
) -> None:
    client = IngestClient(url, token, f"bench-{idx}")
    await client.connect()
    for seq in range(count):
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
    args = ap.parse_args()
    per_stream = int(args.minutes * 6)
    with tempfile.TemporaryDirectory(prefix="clippy-bench-") as tmp:
        data = make_segment(Path(tmp) / "seg.webm")
        (Path(tmp) / "data").mkdir()
        srv = ServerProcess(
            data_dir=Path(tmp) / "data",
            database_url=f"sqlite:///{tmp}/data/clippy.db",
            env_extra={"CLIPPY_PIPELINE_ENABLED": "false"},
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
                "CLIPPY_DATABASE_URL": f"sqlite:///{tmp}/data/clippy.db",
            },
            check=True,
            capture_output=True,
        )
        latencies: list[float] = []
        progress = [0] * args.streams
        rss_start = rss_mb(srv.proc.pid)
        t0 = time.perf_counter()
        tasks = [
            asyncio.create_task(run_stream(srv.ws, token, i, data, per_stream, latencies, progress))
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
        "reproduce: .venv/bin/python benchmarks/ingest_bench.py"
        f" --streams {args.streams} --minutes {args.minutes:g}"
    )


if __name__ == "__main__":
    asyncio.run(main())
