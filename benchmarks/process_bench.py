"""``clippy process`` speed on a 60-minute generated stream: x real time, and where the time
went (clippy's own INFO log lines: reading the audio, recognition + features, detection,
cutting).

The planted 3-minute test stream (calm speech, a shout, a chat burst, a sentiment swing) is
looped to the requested length (default 30 min, 640x360 H.264 + AAC), then processed by
the real CLI with all cores; prints wall time, x real time, and clips found.

    .venv/bin/python benchmarks/process_bench.py --minutes 60
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.media import make_planted_stream  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=60.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clippy-process-") as tmp:
        planted = make_planted_stream(Path(tmp) / "media")
        loops = max(1, round(args.minutes * 60 / planted.duration))
        video = Path(tmp) / "long.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-stream_loop",
                str(loops - 1),
                "-i",
                str(planted.video),
                "-c",
                "copy",
                str(video),
            ],
            check=True,
        )
        chat = [
            {"time": t + k * planted.duration, "author": a, "text": x}
            for k in range(loops)
            for t, a, x in planted.chat_lines
        ]
        chat_file = Path(tmp) / "chat.json"
        chat_file.write_text(json.dumps(chat))
        env = {**os.environ, "CLIPPY_DATA_DIR": f"{tmp}/data", "CLIPPY_LOG_LEVEL": "info"}
        load_before = os.getloadavg()[0]
        t = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "clippy.cli",
                "process",
                str(video),
                "--out",
                f"{tmp}/clips",
                "--json",
                "--chat",
                str(chat_file),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        elapsed = time.perf_counter() - t
        clips = json.loads(proc.stdout)
        phases = [ln.split(": ", 1)[-1] for ln in proc.stderr.splitlines() if "clippy." in ln]
    duration = loops * planted.duration
    found = sum(
        any(c["start"] - 1 <= m.time + k * planted.duration <= c["end"] + 1 for c in clips)
        for k in range(loops)
        for m in planted.moments
    )
    print("| input min | wall s | x real time | clips | planted moments found |")
    print(
        f"| {duration / 60:.1f} | {elapsed:.1f} | {duration / elapsed:.1f} | {len(clips)} |"
        f" {found}/{loops * len(planted.moments)} |"
    )
    for line in phases:
        print(f"  {line}")
    print(f"load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}")
    print(
        f"cores: {os.cpu_count()}; reproduce: .venv/bin/python benchmarks/process_bench.py"
        f" --minutes {args.minutes:g}"
    )


if __name__ == "__main__":
    main()
