"""Export render speed: a 30 s clip to 1080x1920 with burned captions, x real time.

Renders a generated 30 s 1280x720 clip (test pattern + tone, a caption word every 0.35 s)
through Clippy's export renderer (face tracking off: centre crop, bold captions), then runs
a bare ffmpeg with the identical filter graph and encoder arguments in the same process,
alternating the two ``--runs`` times and keeping the best of each. The ratio is Clippy's
time over bare ffmpeg's (the cost of graph building, ASS writing and progress parsing).
Peak memory is ffmpeg's maximum resident set (both paths) and this Python process's own.
A face-following render (frame sampling + detection included) is timed once as well.

    .venv/bin/python benchmarks/export_bench.py --seconds 30 --runs 2
"""

from __future__ import annotations

import argparse
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

from clippy.accounts.plans import get_plan  # noqa: E402
from clippy.export.graph import filter_graph  # noqa: E402
from clippy.export.plan import ExportOptions, plan_export  # noqa: E402
from clippy.export.render import build_graph, export_args, render_export  # noqa: E402
from clippy.media.ffmpeg import FFMPEG  # noqa: E402


def _source(path: Path, seconds: float) -> None:
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"),
            *("-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-ac", "2", str(path)),
        ],
        check=True,
    )


def _child_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _watch_peak(proc: subprocess.Popen[bytes], peaks: list[int]) -> None:
    """Record the child's peak RSS (VmHWM, KiB) until it exits."""

    def poll() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while proc.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.05)

    threading.Thread(target=poll, daemon=True).start()


def _bare(source: Path, graph_file: Path, out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of ffmpeg run directly with the same arguments."""
    cmd = [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y"]
    cmd += export_args(source, graph_file, out)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"bare ffmpeg failed (exit {proc.returncode})")
    return wall, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    secs = args.seconds
    words = [
        {"text": f"word{k}", "start": 100 + k * 0.35, "end": 100 + k * 0.35 + 0.3}
        for k in range(int(secs / 0.35) - 1)
    ]
    with tempfile.TemporaryDirectory(prefix="clippy-export-bench-") as tmp:
        work = Path(tmp)
        src = work / "src.mp4"
        _source(src, secs)
        plan = plan_export(
            ExportOptions("shorts", caption_style="bold"),
            get_plan("pro"),
            [(100.0, 100 + secs)],
            secs,
        )
        ours: list[float] = []
        bare: list[float] = []
        ours_cpu: list[float] = []
        bare_cpu: list[float] = []
        peaks: list[int] = []
        bare_rss = 0
        for k in range(args.runs):
            cpu, t = _child_cpu(), time.perf_counter()
            render_export(
                src, plan, words, None, work / f"ours{k}", on_start=lambda p: _watch_peak(p, peaks)
            )
            ours.append(time.perf_counter() - t)
            ours_cpu.append(_child_cpu() - cpu)
            # The identical graph (same ASS file) for the bare run.
            spec, _, _ = build_graph(src, plan, words, None, work / f"bare{k}")
            graph_file = work / f"bare{k}" / "graph.txt"
            graph_file.write_text(filter_graph(spec))
            cpu = _child_cpu()
            wall, rss = _bare(src, graph_file, work / f"bare{k}" / "out.mp4")
            bare_cpu.append(_child_cpu() - cpu)
            bare.append(wall)
            bare_rss = max(bare_rss, rss)
        follow_plan = plan_export(
            ExportOptions("shorts", reframe="follow", caption_style="bold"),
            get_plan("pro"),
            [(100.0, 100 + secs)],
            secs,
        )
        cpu, t = _child_cpu(), time.perf_counter()
        render_export(src, follow_plan, words, None, work / "follow")
        follow = time.perf_counter() - t
        # ffmpeg's CPU only: the face detection itself runs in this process (see wall).
        follow_cpu = _child_cpu() - cpu
    best_ours, best_bare = min(ours), min(bare)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"export of a {secs:.0f} s 1280x720 clip to 1080x1920 + bold captions, "
        f"{os.cpu_count()} cores, best of {args.runs}"
    )
    print(f"{'path':<32}{'wall s':>8}{'x real time':>13}{'child CPU s':>13}")
    rows = [
        ("clippy render_export (centre)", best_ours, min(ours_cpu)),
        ("bare ffmpeg, same graph", best_bare, min(bare_cpu)),
        ("clippy render_export (follow)", follow, follow_cpu),
    ]
    for name, wall, cpu in rows:
        print(f"{name:<32}{wall:>8.2f}{secs / wall:>13.2f}{cpu:>13.2f}")
    print(
        f"ratio clippy/bare: wall {best_ours / best_bare:.3f}, CPU "
        f"{min(ours_cpu) / min(bare_cpu):.3f} (all wall runs: clippy "
        f"{', '.join(f'{x:.2f}' for x in ours)}; bare {', '.join(f'{x:.2f}' for x in bare)})"
    )
    print(
        f"peak RSS: ffmpeg (clippy) {max(peaks, default=0) / 1024:.0f} MiB, ffmpeg (bare) "
        f"{bare_rss / 1024:.0f} MiB, python process {self_rss / 1024:.0f} MiB"
    )
    print(
        "reproduce: .venv/bin/python benchmarks/export_bench.py "
        f"--seconds {secs:g} --runs {args.runs}"
    )


if __name__ == "__main__":
    main()
