"""The browser extension's cost while recording, its upload volume, and local clip time.

Loads the built extension into headless Debian chromium, records the synthetic e2e page in
its `?fill` mode (a 1920x1080 tab filled by a <video> whose every part moves, 440 Hz tone,
a chat) to a real server for each quality, and prints per run: the recorded frame size and
frame rate, CPU and memory of the extension's process (offscreen recorder + service worker)
and of the whole browser, upload bytes per minute, and the time from the "Last 30 s" click
to a finished local MP4 (FFmpeg.wasm).

"Downscale" here is the capture cap: the browser scales the tab before encoding, the
cheapest way to send less than the tab's size (the free plan is capped at 720p this way).

    scripts/setup_extension.sh && .venv/bin/python benchmarks/extension_bench.py --seconds 60
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import httpx  # noqa: E402
from playwright.sync_api import Playwright, sync_playwright  # noqa: E402
from tests.e2e.browser import (  # noqa: E402
    extension_id,
    launch,
    serve_pages,
    service_worker,
    trigger_action,
    wait_for,
)
from tests.fixtures.server import ServerProcess  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    pid: int
    ppid: int
    cmdline: str
    cpu_ticks: int
    pss_kb: int


def _read_proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    pss = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return Proc(pid, int(fields[1]), cmd, int(fields[11]) + int(fields[12]), pss)


def browser_processes(profile: Path) -> list[Proc]:
    """The chromium started on `profile` and all its descendants."""
    procs = [p for pid in os.listdir("/proc") if pid.isdigit() and (p := _read_proc(int(pid)))]
    roots = {
        p.pid
        for p in procs
        if f"--user-data-dir={profile}" in p.cmdline and "--type=" not in p.cmdline
    }
    tree = set(roots)
    changed = True
    while changed:
        changed = False
        for p in procs:
            if p.ppid in tree and p.pid not in tree:
                tree.add(p.pid)
                changed = True
    return [p for p in procs if p.pid in tree]


def measure(profile: Path, seconds: float) -> dict[str, float]:
    """CPU (% of one core) and PSS (MB) of the extension process and of the whole browser."""
    before = {p.pid: p for p in browser_processes(profile)}
    t0 = time.monotonic()
    time.sleep(seconds)
    after = browser_processes(profile)
    wall = time.monotonic() - t0

    def cpu(ps: list[Proc]) -> float:
        ticks = sum(p.cpu_ticks - (before[p.pid].cpu_ticks if p.pid in before else 0) for p in ps)
        return 100.0 * ticks / TICKS / wall

    ext = [p for p in after if "--extension-process" in p.cmdline]
    return {
        "ext_cpu": cpu(ext),
        "ext_mb": sum(p.pss_kb for p in ext) / 1024,
        "all_cpu": cpu(after),
        "all_mb": sum(p.pss_kb for p in after) / 1024,
    }


@dataclass
class RunResult:
    quality: str
    plan: str
    frame: str
    fps: float
    usage: dict[str, float]
    idle_browser_cpu: float
    upload_mb_per_min: float
    local_clip_s: float
    load1: float


def recorded_fps(srv: ServerProcess, token: str) -> float:
    """Video frames per second in the segments the server stored for the user's stream.

    A loaded machine makes the capture drop frames, and bytes per minute mean little without
    the frame rate they were recorded at.
    """
    headers = {"Authorization": f"Bearer {token}"}
    stream = httpx.get(f"{srv.http}/api/v1/streams", headers=headers, timeout=30).json()[0]
    seg_dir = srv.data_dir / "objects" / "streams" / str(stream["id"]) / "segments"
    frames, seconds = 0, 0.0
    for path in sorted(seg_dir.glob("*.webm")):
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            times = [
                float(pkt.pts * pkt.time_base)
                for pkt in container.demux(video)
                if pkt.pts is not None and pkt.time_base is not None
            ]
        if len(times) > 1:
            frames += len(times) - 1
            seconds += max(times) - min(times)
    return frames / seconds if seconds else 0.0


def run_one(
    pw: Playwright,
    srv: ServerProcess,
    page_url: str,
    quality: str,
    plan: str,
    seconds: float,
    tmp: Path,
) -> RunResult:
    """Record the synthetic page at `quality` for a user on `plan`, then clip 30 s locally."""
    email = f"bench-{quality}-{plan}@example.com"
    tokens = srv.register(email)
    srv.set_plan(email, plan)
    profile = tmp / f"profile-{quality}-{plan}"
    ctx = launch(pw, profile)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.set_viewport_size({"width": 1920, "height": 1080})
        sw = service_worker(ctx)
        ext = extension_id(sw)
        settings = {
            "serverUrl": srv.http,
            "accessToken": tokens["access_token"],
            "refreshToken": tokens["refresh_token"],
            "segmentSeconds": 10,
            "quality": quality,
        }
        sw.evaluate("(s) => chrome.storage.local.set(s)", settings)
        page.goto(page_url)
        page.wait_for_function("() => window.audioState() === 'running'")
        idle = measure(profile, 5)

        def stats() -> dict[str, Any]:
            got = sw.evaluate(
                "() => chrome.runtime.sendMessage({kind: 'get-stats'}).catch(() => null)"
            )
            return got or {}

        trigger_action(ctx, ext, page)
        wait_for(lambda: stats().get("segmentsRecorded", 0) >= 1, 30, "the first segment")
        bytes0, t0 = stats()["bytesSent"], time.monotonic()
        usage = measure(profile, seconds)
        # Other work on the machine starves the capture (fewer frames, fewer bytes): say how much.
        load1 = os.getloadavg()[0]
        s = stats()
        per_min = (s["bytesSent"] - bytes0) / (time.monotonic() - t0) * 60
        popup = ctx.new_page()
        popup.goto(f"chrome-extension://{ext}/popup/popup.html")
        popup.click("[data-test=stop]")
        wait_for(lambda: stats().get("connection") == "stopped", 90, "the upload to finish")
        t1 = time.monotonic()
        popup.click("[data-test=clip-30]")
        popup.wait_for_selector("[data-test=local-clip]", timeout=300_000)
        clip_s = time.monotonic() - t1
        region = s["region"] or {}
        frame = f"{region.get('frame_width', '?')}x{region.get('frame_height', '?')}"
        fps = recorded_fps(srv, tokens["access_token"])
        return RunResult(
            quality, plan, frame, fps, usage, idle["all_cpu"], per_min / 1e6, clip_s, load1
        )
    finally:
        ctx.close()


def report(rows: list[RunResult], seconds: float) -> None:
    """Print the table."""
    print(f"\nExtension recording a 1920x1080 tab ({seconds:.0f} s per run, {os.cpu_count()} CPUs)")
    print(
        f"{'quality':>8} {'plan':>5} {'frame':>10} {'fps':>5} {'ext CPU%':>9} {'ext MB':>7} "
        f"{'browser CPU%':>13} {'(idle)':>7} {'browser MB':>11} {'upload MB/min':>14} "
        f"{'30 s MP4':>9} {'load':>5}"
    )
    for r in rows:
        u = r.usage
        print(
            f"{r.quality:>8} {r.plan:>5} {r.frame:>10} {r.fps:>5.1f} {u['ext_cpu']:>9.0f} "
            f"{u['ext_mb']:>7.0f} "
            f"{u['all_cpu']:>13.0f} {r.idle_browser_cpu:>7.0f} {u['all_mb']:>11.0f} "
            f"{r.upload_mb_per_min:>14.1f} {r.local_clip_s:>8.1f}s {r.load1:>5.1f}"
        )
    print(
        "\nCPU% is of one core; MB is PSS; load is the 1-minute load average at the end of the"
        " recording window. Reproduce: "
        f".venv/bin/python benchmarks/extension_bench.py --seconds {seconds:.0f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=60, help="recording measured per run")
    ap.add_argument("--runs", default="1080p:pro,720p:free,480p:free", help="quality:plan list")
    args = ap.parse_args()
    rows: list[RunResult] = []
    with tempfile.TemporaryDirectory() as d, serve_pages() as pages:
        tmp = Path(d)
        (tmp / "server").mkdir()
        srv = ServerProcess(
            data_dir=tmp / "server",
            database_url=f"sqlite:///{tmp / 'server' / 'clippy.db'}",
            env_extra={"CLIPPY_PIPELINE_ENABLED": "false"},
        )
        srv.start()
        try:
            with sync_playwright() as pw:
                for run in args.runs.split(","):
                    quality, plan = run.split(":")
                    page_url = f"{pages}/synthetic.html?fill"
                    rows.append(run_one(pw, srv, page_url, quality, plan, args.seconds, tmp))
        finally:
            srv.stop()
    report(rows, args.seconds)


if __name__ == "__main__":
    main()
