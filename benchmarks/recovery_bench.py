"""Recovery time after a crash (``kill -9``): of a ``clippy worker`` in the middle of a job,
and of a ``clippy serve`` node while streams are connected to it.

    .venv/bin/python benchmarks/recovery_bench.py [--streams 3] [--segments 4] [--sends 12]
        [--parts worker,server]

worker: 1 ``clippy serve --no-worker`` + 2 ``clippy worker`` on PostgreSQL and one shared
data dir, fed ``--streams`` x ``--segments`` 10 s segments; worker 0 is killed while it runs a
segment job. Printed: how long until the other worker started that job again (found by
stalled-worker detection: heartbeat 1 s, stalled after 4 s here) and until every segment was
processed, and whether any segment was lost or clipped twice.

server: 2 ``clippy serve`` nodes (pipeline off: this measures ingest) on one PostgreSQL and
one shared data dir; each stream's Python client has both URLs, as a load balancer would
give, and sends ``--sends`` segments back to back; node A is killed once every stream has
three acknowledged. Printed: each stream's time from the kill to its next acknowledged
segment (on node B), and whether every acknowledged segment is stored exactly once.

Needs PostgreSQL (``CLIPPY_TEST_PG_DSN``, default the test server). Small by default: one
run, a few streams; quote its numbers from a quiet machine (the load average is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.jobs_bench import _ENGINES, _drop, _feed, _pg_db, _segments, _sql  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402

from clippy.ingest.client import IngestClient  # noqa: E402

WAIT_SECONDS = 600.0


def _until(what: str, found: Any, timeout: float = WAIT_SECONDS) -> Any:
    """Poll ``found()`` every 0.2 s until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"{what}: not within {timeout:.0f} s")


def _close(url: str) -> None:
    """Drop the bench database and the engine that polled it."""
    eng = _ENGINES.pop(url, None)
    if eng is not None:
        eng.dispose()
    _drop(url)


def _db_now(url: str) -> float:
    """The database's clock (job events are stamped with it)."""
    return float(_sql(url, "SELECT extract(epoch FROM clock_timestamp())")[0][0])


def _start_worker(env: dict[str, str], data: Path) -> subprocess.Popen[bytes]:
    data.mkdir()
    log = open(data / "worker.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "clippy.cli", "worker"],
        env={**env, "CLIPPY_DATA_DIR": str(data)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _new_worker_id(url: str, known: list[int]) -> int:
    """Wait for a worker that is not in ``known`` to register; its procrastinate id."""
    rows = _until(
        "a worker registers",
        lambda: [r[0] for r in _sql(url, "SELECT id FROM procrastinate_workers")
                 if r[0] not in known],
    )  # fmt: skip
    return int(rows[0])


def worker_kill(tmp: Path, env: dict[str, str], streams: int, segs: list[Any]) -> None:
    """Kill worker 0 while it runs a segment job; print how long the cluster took to recover."""
    url = _pg_db()
    procs: list[subprocess.Popen[bytes]] = []
    srv = ServerProcess(tmp / "node", url, env_extra=env, args=["--no-worker"])
    srv.data_dir.mkdir()
    try:
        srv.start()
        token = str(srv.register("bench@example.test")["access_token"])
        ids: list[int] = []
        for k in range(2):
            procs.append(_start_worker(srv.env(), tmp / f"worker{k}"))
            ids.append(_new_worker_id(url, ids))
        feeding = threading.Thread(
            target=lambda: asyncio.run(_feed(srv.ws, token, streams, segs)), daemon=True
        )
        feeding.start()
        job = _until(
            "worker 0 runs a segment job",
            lambda: _sql(
                url,
                "SELECT id FROM procrastinate_jobs WHERE status = 'doing'"
                f" AND task_name = 'clippy.segment' AND worker_id = {ids[0]}",
            ),
        )[0][0]
        procs[0].send_signal(signal.SIGKILL)
        killed_at = _db_now(url)
        feeding.join()
        restarted = _until(
            "the killed job starts again",
            lambda: _sql(
                url,
                "SELECT extract(epoch FROM min(at)) FROM procrastinate_events"
                f" WHERE job_id = {job} AND type = 'started'"
                f" AND at > to_timestamp({killed_at:f})",
            )[0][0],
        )
        total = streams * len(segs)
        _until(
            "every segment is processed",
            lambda: (
                _sql(url, "SELECT count(*) FROM segments WHERE status IN ('done','failed')")[0][0]
                >= total
                and not _sql(
                    url,
                    "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'clippy.segment'"
                    " AND status IN ('todo','doing')",
                )[0][0]
            ),
        )
        settled = _db_now(url)
        done = _sql(url, "SELECT count(*) FROM segments WHERE status = 'done'")[0][0]
        twice = _sql(
            url,
            "SELECT count(*) FROM (SELECT c.stream_id, r.start FROM clips c"
            " JOIN clip_ranges r ON r.clip_id = c.id GROUP BY c.stream_id, r.start"
            " HAVING count(*) > 1) d",
        )[0][0]
        print(
            f"  worker kill -9: its job started again on the other worker"
            f" {float(restarted) - killed_at:5.1f} s after the kill; every segment processed"
            f" {settled - killed_at:5.1f} s after it ({done}/{total} done, {twice} clips made"
            f" twice; heartbeat {env['CLIPPY_JOB_HEARTBEAT_SECONDS']} s, stalled after"
            f" {env['CLIPPY_JOB_STALLED_SECONDS']} s)"
        )
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(30)
        srv.stop()
        _close(url)


async def _stream(
    urls: list[str], token: str, name: str, seg: Any, sends: int, acks: list[float]
) -> int:
    """Send ``sends`` segments back to back, noting when each was acknowledged; reconnects."""
    client = IngestClient(urls, token, name, reconnect_seconds=120)
    data = seg.path.read_bytes()
    for k in range(sends):
        reply = await client.deliver(k, 10.0 * k, 10.0, data, mime="video/mp4")
        assert reply["type"] == "ack", reply
        acks.append(time.monotonic())
    await client.close()
    return client.reconnects


def server_kill(tmp: Path, streams: int, seg: Any, sends: int) -> None:
    """Kill the node every stream is connected to; print how long until each stream's next
    segment was acknowledged by the other node."""
    url = _pg_db()
    env = {"CLIPPY_PIPELINE_ENABLED": "false", "CLIPPY_STORAGE_DIR": str(tmp / "objects")}
    a, b = (ServerProcess(tmp / name, url, env_extra=env) for name in ("a", "b"))
    try:
        for node in (a, b):
            node.data_dir.mkdir()
            node.start()
        token = str(a.register("failover@example.test")["access_token"])
        acks: list[list[float]] = [[] for _ in range(streams)]

        async def run() -> tuple[float, list[int]]:
            tasks = [
                asyncio.create_task(
                    _stream([a.ws, b.ws], token, f"s{k}", seg, sends, acks[k])
                )
                for k in range(streams)
            ]  # fmt: skip
            while min(len(x) for x in acks) < 3:
                await asyncio.sleep(0.01)
            await asyncio.to_thread(a.kill)
            killed = time.monotonic()
            return killed, list(await asyncio.gather(*tasks))

        killed, reconnects = asyncio.run(run())
        outage = [min(t for t in x if t > killed) - killed for x in acks]
        rows = _sql(url, "SELECT stream_id, seq, count(*) FROM segments GROUP BY stream_id, seq")
        once = len(rows) == streams * sends and all(n == 1 for _, _, n in rows)
        print(
            f"  server kill -9: next segment acknowledged on the other node after"
            f" median {statistics.median(outage):5.2f} s, max {max(outage):5.2f} s"
            f" ({streams} streams, reconnects {reconnects}); every acknowledged segment stored"
            f" exactly once: {once}"
        )
    finally:
        for node in (a, b):
            node.stop()
        _close(url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--streams", type=int, default=3)
    ap.add_argument("--segments", type=int, default=4)
    ap.add_argument("--sends", type=int, default=12)
    ap.add_argument("--parts", default="worker,server")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    parts = args.parts.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        segs = _segments(Path(tmp), args.segments)
        if "worker" in parts:
            work = Path(tmp) / "worker"
            work.mkdir()
            env = {
                "CLIPPY_JOB_BACKEND": "procrastinate",
                "CLIPPY_TRANSCRIBER": "none",
                "CLIPPY_SHARED_DATA_DIR": "1",
                "CLIPPY_STORAGE_DIR": str(work / "shared"),
                "CLIPPY_JOB_HEARTBEAT_SECONDS": "1",
                "CLIPPY_JOB_STALLED_SECONDS": "4",
                "CLIPPY_RETENTION_INTERVAL_SECONDS": "3600",
                "CLIPPY_PUBLISH_CHECK_SECONDS": "3600",
            }
            worker_kill(work, env, args.streams, segs)
        if "server" in parts:
            serve = Path(tmp) / "server"
            serve.mkdir()
            server_kill(serve, args.streams, segs[0], args.sends)
    print(
        "reproduce: .venv/bin/python benchmarks/recovery_bench.py"
        f" --streams {args.streams} --segments {args.segments} --sends {args.sends}"
    )


if __name__ == "__main__":
    main()
