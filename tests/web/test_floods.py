"""Memory under floods, measured on a real server process: a 100 MB unauthenticated log-in
body and 20 concurrent bad log-ins each leave the server's RSS within +100 MB (peak,
sampled every 10 ms while the flood runs)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fixtures.memory import MB, peak_rss, post_huge, rss
from tests.fixtures.server import ServerProcess, pages_only_server


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    yield from pages_only_server(tmp_path, sqlite_url)


def test_a_100_mb_login_body_is_refused_without_being_read(server: ServerProcess) -> None:
    assert server.proc is not None
    before = rss(server.proc.pid)
    started = time.monotonic()
    with peak_rss(server.proc.pid) as peak:
        answer = post_huge(server.port, "/api/v1/auth/login", 100 * MB)
    took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"the request body is too large" in answer
    grew = peak() - before
    print(f"100 MB body: 413 in {took:.2f} s, peak RSS +{grew / MB:.1f} MB")
    assert grew < 100 * MB
    # The server still answers normally.
    assert httpx.get(f"{server.http}/health", timeout=10).status_code == 200


def test_twenty_concurrent_bad_logins_stay_within_100_mb(server: ServerProcess) -> None:
    assert server.proc is not None
    server.register("flood@example.com")
    before = rss(server.proc.pid)

    def bad_login(n: int) -> int:
        email = f"guess{n}@example.com" if n % 2 else "flood@example.com"
        r = httpx.post(
            f"{server.http}/api/v1/auth/login",
            json={"email": email, "password": f"wrong guess {n}"},
            timeout=120,
        )
        return r.status_code

    started = time.monotonic()
    with peak_rss(server.proc.pid) as peak, ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(bad_login, range(20)))
    took = time.monotonic() - started
    grew = peak() - before
    print(f"20 bad log-ins: {sorted(codes)} in {took:.2f} s, peak RSS +{grew / MB:.1f} MB")
    assert set(codes) <= {401, 429} and codes.count(401) >= 10
    assert grew < 100 * MB
