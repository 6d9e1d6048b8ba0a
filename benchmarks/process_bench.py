"""``clippy process`` speed on a long generated stream: x real time (wall), CPU seconds per
audio minute, and where the time went (clippy's own INFO line: wall and CPU seconds of
reading the audio, recognition + features, detection, cutting).

The planted 3-minute test stream (calm speech, a shout, a chat burst, a sentiment swing) is
re-encoded with a keyframe every ``--gop`` seconds (2: what Twitch requires of a streamer;
0 keeps x264's default of 250 frames, 8.3 s) and looped to ``--minutes`` (640x360 H.264 +
AAC), then processed by the real CLI with all cores. ``--baseline-rev REV`` also runs the code
of that git revision on the first ``--baseline-minutes`` of the same stream, in the same run.

CPU seconds count the CLI and all its children (workers, ffmpeg); they hold on a loaded
machine where wall time does not, so the load average is printed beside them.

    .venv/bin/python benchmarks/process_bench.py --minutes 60 --baseline-rev 7f84f1e
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.media import PlantedStream, make_planted_stream  # noqa: E402


@dataclass(frozen=True)
class Run:
    """One CLI run: what it was given and what it cost."""

    label: str
    minutes: float
    wall: float
    cpu: float
    clips: int
    found: int
    moments: int
    phases: str


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _keyed(planted: PlantedStream, gop: float, out: Path) -> Path:
    if gop <= 0:
        return planted.video
    frames = str(round(gop * 30))
    _ffmpeg(
        *("-i", str(planted.video), "-c:v", "libx264", "-preset", "veryfast"),
        *("-g", frames, "-keyint_min", frames, "-sc_threshold", "0", "-c:a", "copy", str(out)),
    )
    return out


def _looped(base: Path, loops: int, out: Path) -> Path:
    _ffmpeg("-stream_loop", str(loops - 1), "-i", str(base), "-c", "copy", str(out))
    return out


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(label: str, video: Path, loops: int, planted: PlantedStream, tmp: Path, src: Path) -> Run:
    chat = [
        {"time": t + k * planted.duration, "author": a, "text": x}
        for k in range(loops)
        for t, a, x in planted.chat_lines
    ]
    chat_file = tmp / f"chat-{label}.json"
    chat_file.write_text(json.dumps(chat))
    env = {
        **os.environ,
        "CLIPPY_DATA_DIR": f"{tmp}/data",
        "CLIPPY_LOG_LEVEL": "info",
        "PYTHONPATH": str(src),
    }
    cpu0, t = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "clippy.cli", "process", str(video)),
            *("--out", f"{tmp}/clips-{label}", "--json", "--chat", str(chat_file)),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall, cpu = time.perf_counter() - t, _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{label}: clippy process failed: {proc.stderr.strip()[-2000:]}")
    clips = json.loads(proc.stdout)
    phases = [ln.split("where the time went: ", 1)[-1] for ln in proc.stderr.splitlines()]
    found = sum(
        any(c["start"] - 1 <= m.time + k * planted.duration <= c["end"] + 1 for c in clips)
        for k in range(loops)
        for m in planted.moments
    )
    return Run(
        label,
        loops * planted.duration / 60,
        wall,
        cpu,
        len(clips),
        found,
        loops * len(planted.moments),
        next((p for p in phases if "total" in p), "(no timing line)"),
    )


def _row(r: Run) -> None:
    print(
        f"| {r.label} | {r.minutes:.1f} | {r.wall:.1f} | {r.minutes * 60 / r.wall:.1f} |"
        f" {r.cpu:.1f} | {r.cpu / r.minutes:.2f} | {r.clips} | {r.found}/{r.moments} |"
        f" {r.phases}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--gop", type=float, default=2.0, help="keyframe interval, s (0: x264's)")
    ap.add_argument("--baseline-rev", default="", help="git revision to run beside (old path)")
    ap.add_argument("--baseline-minutes", type=float, default=6.0)
    args = ap.parse_args()
    runs: list[Run] = []
    print(
        "| code | input min | wall s | x real time | CPU s | CPU s / audio min | clips |"
        " planted found | where the time went |"
    )
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory(prefix="clippy-process-") as tmp_name:
        tmp = Path(tmp_name)
        planted = make_planted_stream(tmp / "media")
        base = _keyed(planted, args.gop, tmp / "keyed.mp4")

        def loops_for(minutes: float) -> int:
            return max(1, round(minutes * 60 / planted.duration))

        if args.baseline_rev:
            old = tmp / "old"
            old.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.baseline_rev, "src"],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            n = loops_for(args.baseline_minutes)
            short = _looped(base, n, tmp / "short.mp4")
            runs.append(_run(f"old {args.baseline_rev}", short, n, planted, tmp, old / "src"))
            _row(runs[-1])
            runs.append(_run("new", short, n, planted, tmp, ROOT / "src"))
            _row(runs[-1])
        n = loops_for(args.minutes)
        runs.append(_run("new", _looped(base, n, tmp / "long.mp4"), n, planted, tmp, ROOT / "src"))
        _row(runs[-1])
    load = os.getloadavg()
    cores = os.cpu_count() or 1
    print(
        f"cores: {cores}; load average 1/5/15 min after: {load[0]:.1f}/{load[1]:.1f}/"
        f"{load[2]:.1f}; x real time if the CPU seconds had {cores} idle cores: "
        + ", ".join(f"{r.label} {r.minutes * 60 * cores / r.cpu:.1f}" for r in runs)
    )
    print(
        f"reproduce: .venv/bin/python benchmarks/process_bench.py --minutes {args.minutes:g}"
        f" --gop {args.gop:g}"
        + (
            f" --baseline-rev {args.baseline_rev} --baseline-minutes {args.baseline_minutes:g}"
            if args.baseline_rev
            else ""
        )
    )


if __name__ == "__main__":
    main()
