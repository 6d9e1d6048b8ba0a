"""ffmpeg progress parsing and cancel; webhook signatures and delivery give-up."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from clippy.export.progress import RenderCanceled, progress_seconds, run_with_progress
from clippy.media.ffmpeg import FFmpegError
from clippy.media.source import generated, media_input
from clippy.webhooks.transport import deliver, sign, verify
from tests.fixtures.webhook_receiver import LOOPBACK


def test_progress_block_parsing() -> None:
    assert progress_seconds({"out_time_us": "1500000", "out_time_ms": "1500000"}) == 1.5
    assert progress_seconds({"out_time_us": "N/A", "out_time_ms": "250000"}) == 0.25
    assert progress_seconds({"out_time_us": "-5"}) == 0.0
    assert progress_seconds({"progress": "continue"}) is None


def test_run_with_progress_reports_cancels_and_fails() -> None:
    seen: list[float] = []
    src = [*generated("testsrc2=s=160x120:r=30:d=2").input_args(), "-f", "null", "-"]
    run_with_progress(src, 2.0, seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    cancel = threading.Event()
    endless = ["-re", *generated("testsrc2=s=160x120:r=30").input_args(), "-f", "null", "-"]
    threading.Timer(0.5, cancel.set).start()
    t = time.monotonic()
    with pytest.raises(RenderCanceled):
        run_with_progress(endless, 60.0, None, cancel)
    assert time.monotonic() - t < 5
    with pytest.raises(FFmpegError, match="exit"):
        missing = media_input(Path("/nonexistent/input.mp4")).input_args()
        run_with_progress([*missing, "-f", "null", "-"], 1.0)


def test_signatures() -> None:
    body = b'{"type":"export.completed"}'
    header = sign("s3cret", body, 1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify("s3cret", body, header, now=1_700_000_100)
    assert not verify("s3cret", body + b" ", header, now=1_700_000_100)
    assert not verify("s3cret", body, header, now=1_700_001_000)  # too old: replay
    assert not verify("s3cret", body, "garbage", now=1_700_000_000)


def test_delivery_retries_with_backoff_then_gives_up() -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    ok = deliver(
        f"http://127.0.0.1:{port}/",
        "k",
        "export.completed",
        b"{}",
        attempts=4,
        backoff=0.5,
        timeout=1.0,
        sleep=waits.append,
        policy=LOOPBACK,
    )
    assert not ok and waits == [0.5, 1.0, 2.0]
