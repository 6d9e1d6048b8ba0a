"""Server memory under request floods: one huge unauthenticated log-in body, and N
concurrent log-ins with wrong passwords (each an argon2 verification of 64 MiB).

Starts a real server (uvicorn, SQLite, pipeline off), samples its RSS every 10 ms while
each flood runs and prints the peak growth over the idle RSS.

    .venv/bin/python benchmarks/flood_bench.py --body-mb 100 --logins 20
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.memory import MB, peak_rss, post_huge, rss  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-mb", type=int, default=100)
    parser.add_argument("--logins", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-flood-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        srv = ServerProcess(
            data_dir=data,
            database_url=f"sqlite:///{data / 'clippy.db'}",
            env_extra={"CLIPPY_PIPELINE_ENABLED": "false"},
        )
        srv.start()
        try:
            assert srv.proc is not None
            pid = srv.proc.pid
            srv.register("flood@example.com")
            rows = []

            idle = rss(pid)
            started = time.monotonic()
            with peak_rss(pid) as peak:
                answer = post_huge(srv.port, "/api/v1/auth/login", args.body_mb * MB)
            status = answer.split(b" ", 2)[1].decode() if answer else "no answer"
            rows.append((f"{args.body_mb} MB log-in body", status, time.monotonic() - started,
                         idle, peak()))  # fmt: skip

            def bad_login(n: int) -> int:
                email = f"guess{n}@example.com" if n % 2 else "flood@example.com"
                body = {"email": email, "password": f"wrong guess {n}"}
                url = f"{srv.http}/api/v1/auth/login"
                return httpx.post(url, json=body, timeout=300).status_code

            idle = rss(pid)
            started = time.monotonic()
            with peak_rss(pid) as peak, ThreadPoolExecutor(args.logins) as pool:
                codes = list(pool.map(bad_login, range(args.logins)))
            summary = ", ".join(f"{codes.count(c)}x{c}" for c in sorted(set(codes)))
            rows.append((f"{args.logins} concurrent bad log-ins", summary,
                         time.monotonic() - started, idle, peak()))  # fmt: skip
        finally:
            srv.stop()
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"{'flood':30} {'answers':>16} {'seconds':>8} {'idle MB':>8} {'peak +MB':>9}")
    for name, answers, seconds, idle_rss, peak_value in rows:
        grew = (peak_value - idle_rss) / MB
        print(f"{name:30} {answers:>16} {seconds:8.2f} {idle_rss / MB:8.1f} {grew:9.1f}")
    print("reproduce: .venv/bin/python benchmarks/flood_bench.py", " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
