"""Recording without a tab: glass-to-clip of a recorded live URL, CPU per recorded channel,
and the import of a 1-hour video by link.

1. glass-to-clip: the planted 3-minute stream served as live HLS (playlist growing in real
   time, 2 s segments) on 127.0.0.1, its chat said in a local ngircd channel, recorded with
   ``clippy record URL --chat irc://...`` (pipeline on, default engine). Per planted moment:
   from the moment it was live at the source to the clip line ``clippy record`` prints.
2. CPU per channel: ``--channels`` recorders of a live source at once with the pipeline off
   (what recording itself costs: pulling, joining, validating and storing segments), CPU
   seconds of the recorder processes and their children per minute of stream per channel.
3. import: a ``--vod-minutes`` video (320x180 H.264/AAC) on a page of a local file server,
   imported by link (yt-dlp download, stream-copy pieces, every piece stored and
   acknowledged; the pipeline's own speed is ``process_bench.py``'s).

    .venv/bin/python benchmarks/record_bench.py [--skip-latency] [--vod-minutes 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.glass_to_clip import print_glass_to_clip  # noqa: E402
from tests.fixtures.hls_server import make_hls_vod  # noqa: E402
from tests.fixtures.ircd import NGIRCD, IrcSpeaker, _config  # noqa: E402
from tests.fixtures.media import make_planted_stream  # noqa: E402
from tests.fixtures.server import ServerProcess, free_port  # noqa: E402
from tests.record.test_record_live import start_source  # noqa: E402

CLI = [sys.executable, "-m", "clippy.cli"]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _env(data: Path, **extra: str) -> dict[str, str]:
    data.mkdir(parents=True, exist_ok=True)
    env = ServerProcess(data_dir=data, database_url=f"sqlite:///{data}/clippy.db").env()
    env.update(extra)
    subprocess.run(
        [
            *CLI,
            "user",
            "create",
            "bench@example.test",
            "--password",
            "x" * 12,
            "--plan",
            "business",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def glass_to_clip(tmp: Path) -> None:
    planted = make_planted_stream(tmp / "media")
    make_hls_vod(planted.video, tmp / "hls")
    port, irc_port = free_port(), free_port()
    (tmp / "irc").mkdir()
    # The viewers' connections only send (they never answer a PING): keep the idle ones
    # for the whole stream rather than ngircd's 2 minutes.
    conf = _config(irc_port, tmp / "irc").replace("PingTimeout = 120", "PingTimeout = 900")
    (tmp / "irc" / "ngircd.conf").write_text(conf)
    ircd = subprocess.Popen([NGIRCD, "-n", "-f", str(tmp / "irc" / "ngircd.conf")])
    time.sleep(1)
    env = _env(tmp / "data1")
    # The recorder starts first (its start-up is seconds under load) and waits for the
    # channel; the source then goes live at t0, so stream time and source time coincide.
    rec = subprocess.Popen(
        [
            *CLI,
            *("record", f"http://127.0.0.1:{port}/live.m3u8", "--user", "bench@example.test"),
            *("--chat", f"irc://127.0.0.1:{irc_port}/#bench"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    printed: list[tuple[float, str]] = []

    def read() -> None:
        assert rec.stdout is not None
        for line in rec.stdout:
            printed.append((time.time(), line.strip()))

    threading.Thread(target=read, daemon=True).start()
    while not printed:  # "recording ... Ctrl-C stops": the recorder is up
        time.sleep(0.2)
    # One IRC connection per viewer: the detector counts a viewer's lines within 10 s once,
    # so a burst of 30 viewers said by a few connections would be a few lines, not a burst.
    speakers = {a: IrcSpeaker(irc_port, a, "bench") for a in {a for _, a, _ in planted.chat_lines}}
    time.sleep(2)
    t0 = time.time()
    source = start_source(tmp / "hls", port, t0)
    for t, author, text in planted.chat_lines:
        time.sleep(max(0.0, t0 + t - time.time()))
        speakers[author].say(text)
    for sp in speakers.values():
        sp.close()
    rec.wait(900)
    source.kill()
    ircd.kill()
    rows = []
    for m in planted.moments:
        at = [
            when - (t0 + m.time)
            for when, line in printed
            if line.startswith("clip ") and _covers(line, m.time)
        ]
        rows.append((m.kind, m.time, at[0] if at else float("nan")))
    print_glass_to_clip(rows, "2 s HLS segments joined into 10 s")


def _covers(line: str, t: float) -> bool:
    # "clip 3: 31.0-52.0 s  'title'  (reason)"
    span = line.split(":", 1)[1].split("s", 1)[0].strip()
    start, end = (float(x) for x in span.split("-"))
    return start - 1 <= t <= end + 1


def cpu_per_channel(tmp: Path, channels: int, minutes: float) -> None:
    src = tmp / "media" / "stream.mp4"
    folder = tmp / "hls-cpu"
    make_hls_vod(src, folder)
    total = float(minutes * 60)
    # A shorter playlist: the first ``minutes`` of the stream.
    lines, t = [], 0.0
    for ln in (folder / "index.m3u8").read_text().splitlines():
        if ln.startswith("#EXTINF:"):
            if t >= total:
                break
            t += float(ln.split(":", 1)[1].split(",")[0])
        if ln != "#EXT-X-ENDLIST":
            lines.append(ln)
    (folder / "index.m3u8").write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
    env = _env(tmp / "data2", CLIPPY_PIPELINE_ENABLED="false")
    # Start-up (imports, app, database) measured on a source that has ended after one piece.
    one = tmp / "hls-one"
    one.mkdir()
    first = next(ln for ln in lines if ln and not ln.startswith("#"))
    (one / first).write_bytes((folder / first).read_bytes())
    (one / "index.m3u8").write_text(
        "\n".join([*lines[: lines.index(first) + 1], "#EXT-X-ENDLIST", ""])
    )
    port = free_port()
    source = start_source(one, port, 0.0)
    before = _children_cpu()
    subprocess.run(
        [*CLI, "record", f"http://127.0.0.1:{port}/live.m3u8", "--user", "bench@example.test"],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    startup = _children_cpu() - before
    source.kill()
    port = free_port()
    source = start_source(folder, port, time.time())
    before, wall = _children_cpu(), time.monotonic()
    procs = [
        subprocess.Popen(
            [
                *CLI,
                "record",
                f"http://127.0.0.1:{port}/live.m3u8?c={k}",
                "--user",
                "bench@example.test",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for k in range(channels)
    ]
    for p in procs:
        p.wait(900)
    cpu = _children_cpu() - before
    source.kill()
    per = (cpu - channels * startup) / channels / (t / 60)
    print(
        f"CPU per recorded channel: {per:.2f} CPU-s per minute of stream"
        f" ({channels} channels of {t:.0f} s at once, {cpu:.1f} CPU-s in all, of which"
        f" start-up {startup:.1f} CPU-s per process,"
        f" wall {time.monotonic() - wall:.0f} s, pipeline off, load {os.getloadavg()[0]:.1f})"
    )


def import_vod(tmp: Path, minutes: float) -> None:
    site = tmp / "site"
    site.mkdir()
    vod = site / "vod.mp4"
    t = time.monotonic()
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i"),
            f"testsrc2=size=320x180:rate=30:duration={minutes * 60}",
            *("-f", "lavfi", "-i", f"sine=frequency=300:duration={minutes * 60}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-c:a", "aac", str(vod)),
        ],
        check=True,
    )
    print(f"(generated the {minutes:g}-minute video in {time.monotonic() - t:.0f} s)")
    (site / "page.html").write_text('<html><body><video src="vod.mp4"></video></body></html>')
    port = free_port()
    server = start_source(site, port, 0.0)
    asyncio.run(_import(tmp, f"http://127.0.0.1:{port}/page.html", minutes, vod.stat().st_size))
    server.kill()


async def _import(tmp: Path, url: str, minutes: float, size: int) -> None:
    from clippy.config import Settings
    from clippy.db import Recording, Segment, User, session_scope
    from clippy.record import RecordingKind, create_recording, import_video
    from clippy.web.app import create_app

    data = tmp / "data3"
    data.mkdir()
    settings = Settings(data_dir=data, pipeline_enabled=False, record_resume=False)
    app = create_app(settings)
    rt = app.state.ctx
    async with app.router.lifespan_context(app):
        with session_scope(rt.session_factory) as session:
            user = User(email="vod@example.test", password_hash="x", plan="business")
            session.add(user)
            session.flush()
            rec_id = create_recording(session, user, url, RecordingKind.IMPORT).id
        r0, c0, w0 = resource.getrusage(resource.RUSAGE_SELF), _children_cpu(), time.monotonic()
        await import_video(rt, rec_id, asyncio.Event())
        wall = time.monotonic() - w0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime) + _children_cpu() - c0
        with session_scope(rt.session_factory) as session:
            rec = session.get(Recording, rec_id)
            assert rec is not None and rec.status == "ended", (rec.status, rec.error)
            n = session.query(Segment).filter(Segment.stream_id == rec.stream_id).count()
    print(
        f"import of a {minutes:g}-minute video by link ({size / 1e6:.0f} MB): {wall:.1f} s wall,"
        f" {cpu:.1f} CPU-s, {n} segments stored and acknowledged"
        f" ({minutes * 60 / wall:.0f}x real time; pipeline not included; load"
        f" {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--cpu-minutes", type=float, default=1.0)
    ap.add_argument("--vod-minutes", type=float, default=60.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-record-") as tmp_name:
        tmp = Path(tmp_name)
        if args.skip_latency:
            make_planted_stream(tmp / "media")
        else:
            glass_to_clip(tmp)
        cpu_per_channel(tmp, args.channels, args.cpu_minutes)
        import_vod(tmp, args.vod_minutes)
    print("reproduce: .venv/bin/python benchmarks/record_bench.py")


if __name__ == "__main__":
    main()
