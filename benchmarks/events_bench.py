"""Live events between two processes through PostgreSQL LISTEN/NOTIFY: latency and rate.

Two ``PgEventHub``s (each its own origin and LISTEN connection, as two ``clippy serve``
processes) on a fresh database; one publishes ``clip_created``-sized events from a thread to
``--users`` users in turn, one subscriber per user on the other measures publish-to-delivery
latency. (A subscriber keeps the newest 256 events: a burst of more for one user drops the
oldest, by design, so the load is spread as many users' clips would be.) Prints events/s,
p50/p95/max latency and the CPU seconds of this process (load-independent), for ``--events``
events sent as fast as possible and for a paced run.

    .venv/bin/python benchmarks/events_bench.py --events 5000
    CLIPPY_TEST_PG_DSN=postgresql://postgres@127.0.0.1:5432/test  (the admin database used)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from clippy.events import PgEventHub  # noqa: E402

ADMIN = os.environ.get("CLIPPY_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def _event(n: int, user: int) -> dict[str, object]:
    return {
        "type": "clip_created",
        "stream_id": 12,
        "user_id": user,
        "sent": time.perf_counter(),
        "clip": {
            "id": n,
            "title": "An unbelievable clutch in the last round",
            "ranges": [{"start": 120.0, "end": 150.0}],
            "file_url": "/media/clips/123/file?exp=1796110745&sig=" + "a" * 64,
            "thumbnail_url": "/media/clips/123/thumbnail?exp=1796110745&sig=" + "b" * 64,
        },
    }


async def _run(url: str, count: int, users: int, pace: float) -> tuple[float, list[float]]:
    sender, receiver = PgEventHub(url), PgEventHub(url)
    await receiver.start()
    latencies: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(receiver.subscribe(u)) for u in range(users)]

        async def collect(queue: asyncio.Queue[dict[str, object]], n: int) -> None:
            for _ in range(n):
                ev = await queue.get()
                latencies.append(time.perf_counter() - float(ev["sent"]))  # type: ignore[arg-type]

        def publish_all() -> None:
            for n in range(count):
                sender.publish(n % users, _event(n, n % users))
                if pace:
                    time.sleep(pace)

        started = time.perf_counter()
        shares = [len(range(u, count, users)) for u in range(users)]
        collectors = [collect(s.queue, n) for s, n in zip(subs, shares, strict=True)]
        await asyncio.wait_for(asyncio.gather(asyncio.to_thread(publish_all), *collectors), 300)
        elapsed = time.perf_counter() - started
    sender.flush()
    await receiver.stop()
    return elapsed, latencies


def _report(label: str, count: int, elapsed: float, lat: list[float]) -> None:
    lat_ms = sorted(x * 1000 for x in lat)
    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))]
    print(
        f"{label:>10} {count:>7} {count / elapsed:>9.0f} {statistics.median(lat_ms):>8.2f} "
        f"{p95:>8.2f} {lat_ms[-1]:>8.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--paced", type=int, default=500, help="events in the paced run (100/s)")
    ap.add_argument("--users", type=int, default=20, help="users (subscribers) sent to in turn")
    args = ap.parse_args()
    name = f"clippy_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        cpu0 = time.process_time()
        heads = ("run", "events", "events/s", "p50 ms", "p95 ms", "max ms")
        print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (10, 7, 9, 8, 8, 8), strict=True)))
        elapsed, lat = asyncio.run(_run(url, args.events, args.users, 0.0))
        _report("flat out", args.events, elapsed, lat)
        elapsed, lat = asyncio.run(_run(url, args.paced, args.users, 0.01))
        _report("100/s", args.paced, elapsed, lat)
        cpu = time.process_time() - cpu0
        total = args.events + args.paced
        print(f"CPU of both hubs (one process): {cpu:.2f} s, {1e6 * cpu / total:.0f} us/event")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
