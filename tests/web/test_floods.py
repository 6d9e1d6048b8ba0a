"""Memory under floods, measured on a real server process: a 100 MB unauthenticated log-in
body and 20 concurrent bad log-ins each leave the server's RSS within +100 MB (peak,
sampled every 10 ms while the flood runs)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import ServerProcess

MB = 1024 * 1024


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    data = tmp_path / "data"
    data.mkdir()
    srv = ServerProcess(
        data_dir=data, database_url=sqlite_url, env_extra={"CLIPPY_PIPELINE_ENABLED": "false"}
    )
    srv.start()
    yield srv
    srv.stop()


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@contextmanager
def _peak_rss(pid: int) -> Iterator[Callable[[], int]]:
    """Sample the process's RSS every 10 ms; yields a function giving the peak so far."""
    peak = _rss(pid)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.01):
            peak = max(peak, _rss(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak
    finally:
        stop.set()
        thread.join()


def _post_huge(port: int, path: str, size: int) -> bytes:
    """POST a ``size``-byte JSON body with a raw socket, reading the answer as it comes (a
    server may answer and hang up before the body is sent)."""
    sock = socket.create_connection(("127.0.0.1", port))
    answer = bytearray()

    def read() -> None:
        try:
            while chunk := sock.recv(65536):
                answer.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    )
    body_start = b'{"email":"a@example.com","password":"'
    try:
        sock.sendall(head.encode() + body_start)
        chunk = b"x" * MB
        sent = len(body_start)
        while sent < size - 2:
            n = min(len(chunk), size - 2 - sent)
            sock.sendall(chunk[:n])
            sent += n
        sock.sendall(b'"}')
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server answered and closed early
    reader.join(60)
    sock.close()
    return bytes(answer)


def test_a_100_mb_login_body_is_refused_without_being_read(server: ServerProcess) -> None:
    assert server.proc is not None
    before = _rss(server.proc.pid)
    started = time.monotonic()
    with _peak_rss(server.proc.pid) as peak:
        answer = _post_huge(server.port, "/api/v1/auth/login", 100 * MB)
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
    before = _rss(server.proc.pid)

    def bad_login(n: int) -> int:
        email = f"guess{n}@example.com" if n % 2 else "flood@example.com"
        r = httpx.post(
            f"{server.http}/api/v1/auth/login",
            json={"email": email, "password": f"wrong guess {n}"},
            timeout=120,
        )
        return r.status_code

    started = time.monotonic()
    with _peak_rss(server.proc.pid) as peak, ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(bad_login, range(20)))
    took = time.monotonic() - started
    grew = peak() - before
    print(f"20 bad log-ins: {sorted(codes)} in {took:.2f} s, peak RSS +{grew / MB:.1f} MB")
    assert set(codes) <= {401, 429} and codes.count(401) >= 10
    assert grew < 100 * MB
