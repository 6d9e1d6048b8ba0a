"""``clippy record URL`` against a real live HLS source and a real IRC chat.

A 55 s planted stream (a shout at ~17 s) is served as a live playlist growing in real time by
an HTTP server on 127.0.0.1; viewers talk in an ngircd channel, with a burst at ~38 s. The
HTTP server is killed mid-stream and restarted; the playlist's ENDLIST ends the recording.
It runs once, on PostgreSQL with the procrastinate job backend (the durable path: each
segment's job is deferred in its row's transaction, and ``clippy record`` exits only once its
stream's jobs are done); the stream plays in real time, so its length is the test's floor.

The chat burst is checked as stored (every line, at the live edge's stream time), not as a
clip: the detector counts chat only after a minute of history plus its 25 s window
(``detect.audience.MIN_HISTORY_SECONDS``), which a 55 s stream never has. That stored chat
makes a clip is ``tests/pipeline/test_runner.py``'s planted-chat test, on the same job layer.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from clippy.db import ChatMessage, Clip, ClipRange, Recording, Segment, Stream
from tests.fixtures.hls_server import make_hls_vod
from tests.fixtures.ircd import Ircd, IrcSpeaker, ircd  # noqa: F401 - fixture
from tests.fixtures.media import make_planted_stream
from tests.fixtures.server import ServerProcess, free_port

pytestmark = pytest.mark.timeout(400)

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 55.0
SHOUT_AFTER = 15.0  # the planted shout starts at the first line boundary after this
BURST_AT = 38.0
# The source is down between these (less than its 12 s window). Before the shout: the shout's
# clip waits for the segment after it, and a drop there would hold that back.
DROP = (6.0, 14.0)


def start_source(folder: Path, port: int, t0: float) -> subprocess.Popen[bytes]:
    """The live HLS server (a child process, so it can be killed like a real one)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.hls_server", str(folder), str(port), str(t0)],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    import httpx

    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/live.m3u8", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the HLS test server did not start")


def chat_viewers(ircd: Ircd, t0: float, stop: threading.Event) -> None:  # noqa: F811
    """Calm chat all along, then 30 lines in 5 s at ``BURST_AT`` (several viewers, as
    ngircd slows one client that floods)."""
    rnd = random.Random(3)
    calm = IrcSpeaker(ircd.port, "viewer1", "planted")
    burst = [IrcSpeaker(ircd.port, f"hype{k}", "planted") for k in range(6)]
    sent_burst = False
    while not stop.is_set() and time.time() - t0 < TOTAL:
        if not sent_burst and time.time() - t0 >= BURST_AT:
            for i in range(30):
                burst[i % 6].say("LETS GOOO")
                time.sleep(5 / 30)
            sent_burst = True
        calm.say(rnd.choice(["nice", "hi", "gg"]))
        stop.wait(rnd.expovariate(0.3))
    for s in [calm, *burst]:
        s.close()


def read_lines(proc: subprocess.Popen[str], out: list[tuple[float, str]]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        out.append((time.time(), line.rstrip()))


def test_a_live_url_is_recorded_through_a_drop_with_its_chat(
    tmp_path: Path,
    pg_url: str,
    ircd: Ircd,  # noqa: F811
) -> None:
    media = tmp_path / "media"
    # A small picture: quick to make, and the pipeline's video work stays small beside speech.
    planted = make_planted_stream(media, total=TOTAL, shout_at=SHOUT_AFTER, size="320x180")
    make_hls_vod(planted.video, media / "hls", fps=15)
    shout = next(m.time for m in planted.moments if m.kind == "shout")
    data = tmp_path / "data"
    data.mkdir()
    db_url = pg_url
    env = ServerProcess(data_dir=data, database_url=db_url).env()
    env["CLIPPY_LOG_LEVEL"] = "warning"
    env["CLIPPY_JOB_BACKEND"] = "procrastinate"
    cli = [sys.executable, "-m", "clippy.cli"]
    subprocess.run(
        [*cli, "user", "create", "rec@example.test", "--password", "x" * 12, "--plan", "pro"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    # The recorder starts first and waits for the channel (its start-up takes seconds on a
    # loaded machine); the source goes live at t0, so stream time equals source time.
    rec = subprocess.Popen(
        [
            *cli,
            "record",
            f"http://127.0.0.1:{port}/live.m3u8",
            "--user",
            "rec@example.test",
            "--chat",
            ircd.url("planted"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[tuple[float, str]] = []
    threading.Thread(target=read_lines, args=(rec, lines), daemon=True).start()
    deadline = time.monotonic() + 120
    while not any(ln.startswith("recording ") for _, ln in lines):
        assert rec.poll() is None and time.monotonic() < deadline, lines
        time.sleep(0.2)
    t0 = time.time()
    source = start_source(media / "hls", port, t0)
    stop_chat = threading.Event()
    time.sleep(3)  # the recorder joins the channel before viewers talk
    viewers = threading.Thread(target=chat_viewers, args=(ircd, t0, stop_chat), daemon=True)
    viewers.start()
    try:
        # The source goes away for 8 s (less than its 12 s playlist window), then comes back.
        time.sleep(max(0.0, t0 + DROP[0] - time.time()))
        source.send_signal(signal.SIGKILL)
        source.wait(10)
        time.sleep(max(0.0, t0 + DROP[1] - time.time()))
        source = start_source(media / "hls", port, t0)
        rc = rec.wait(300)
    finally:
        stop_chat.set()
        for p in (source, rec):
            if p.poll() is None:
                p.kill()
    text = "\n".join(f"{t - t0:7.1f} {ln}" for t, ln in lines)
    assert rc == 0, text
    ended_at = t0 + TOTAL

    engine = create_engine(db_url)
    with Session(engine) as s:
        recording = s.scalars(select(Recording)).one()
        assert recording.status == "ended" and recording.stream_id is not None, text
        stream = s.get(Stream, recording.stream_id)
        assert stream is not None and stream.status == "ended"
        segs = list(s.scalars(select(Segment).where(Segment.stream_id == stream.id)))
        seqs = sorted(g.seq for g in segs)
        # Every segment acknowledged is there, in one run of numbers, and nothing of the
        # source was lost to the drop: all 55 s are recorded.
        assert seqs == list(range(len(seqs))), seqs
        assert sum(g.duration for g in segs) == pytest.approx(TOTAL, abs=2.5), text
        assert all(g.mime == "video/mp2t" for g in segs)
        chat = list(s.scalars(select(ChatMessage).where(ChatMessage.stream_id == stream.id)))
        hype = [c for c in chat if c.text == "LETS GOOO"]
        assert len(hype) == 30, text
        # Stored at the live edge's stream time (a few seconds behind the source's clock).
        assert all(BURST_AT - 8 <= c.time <= BURST_AT + 6 for c in hype), [c.time for c in hype]
        clips: list[tuple[Clip, list[Any]]] = []
        for clip in s.scalars(select(Clip).where(Clip.stream_id == stream.id)):
            ranges = list(s.scalars(select(ClipRange).where(ClipRange.clip_id == clip.id)))
            clips.append((clip, ranges))

    def covers(ranges: list[Any], t: float) -> bool:
        return any(r.start - 1 <= t <= r.end + 1 for r in ranges)

    shout_clips = [c for c, r in clips if covers(r, shout)]
    assert shout_clips, (text, [(c.reason, [(r.start, r.end) for r in rr]) for c, rr in clips])
    # The moment's clip appeared while the stream was still running.
    printed = [t for t, ln in lines if ln.startswith(f"clip {shout_clips[0].id}:")]
    assert printed and printed[0] < ended_at, text
