"""Detector evaluation speed: seconds to score one hour of chat with the live detector.

Runs ``clippy eval lightor``'s evaluation (ranking + the live pipeline's 10 s replay) on a
generated hour of busy chat (5 lines/s, bursts every few minutes) and, when present, on the
Lightor train splits, and prints seconds per hour of chat with the machine's load.

    .venv/bin/python benchmarks/eval_bench.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from clippy.config import Settings
from clippy.detect.chat import ChatLine
from clippy.eval.benchmark import evaluate_lightor, evaluate_videos
from clippy.eval.lightor import Highlight, LabelledVideo

ROOT = Path(__file__).resolve().parents[1]


def busy_hour(rate: float = 5.0, seed: int = 1) -> LabelledVideo:
    """An hour of chat at ``rate`` lines/s with a reaction burst every 3-6 minutes."""
    rnd = random.Random(seed)
    chat, t = [], 0.0
    while t < 3600:
        t += rnd.expovariate(rate)
        chat.append(ChatLine(t, f"u{rnd.randrange(2000)}", rnd.choice(("hi", "gg", "LUL", "ok"))))
    highlights, m = [], 120.0
    while m < 3500:
        highlights.append(Highlight(m, m + 15))
        chat += [ChatLine(m + rnd.uniform(10, 40), f"f{k}", "OMEGALUL") for k in range(150)]
        m += rnd.uniform(180, 360)
    return LabelledVideo("busy", sorted(chat, key=lambda c: c.time), highlights)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", default=str(ROOT.parent / "shared" / "datasets" / "lightor"))
    args = p.parse_args()
    settings = Settings()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'chat':<28} {'hours':>6} {'lines':>8} {'seconds':>8} {'s per hour':>10}")
    video = busy_hour()
    started = time.perf_counter()
    evaluate_videos([video], settings)
    took = time.perf_counter() - started
    print(
        f"{'generated, 5 lines/s':<28} {1.0:>6.1f} {len(video.chat):>8} {took:>8.1f} {took:>10.1f}"
    )
    root = Path(args.dataset)
    for game in ("Dota2", "LOL"):
        if not (root / "dataset" / game / "train").is_dir():
            print(f"{'Lightor ' + game:<28} (not at {root})")
            continue
        r = evaluate_lightor(root, game, "train", settings)
        lines = sum(len(v.chat) for v in r.videos)
        print(
            f"{'Lightor ' + game + '/train':<28} {r.chat_hours:>6.1f} {lines:>8} "
            f"{r.seconds:>8.1f} {r.seconds / r.chat_hours:>10.1f}"
        )
    print("reproduce: .venv/bin/python benchmarks/eval_bench.py", file=sys.stderr)


if __name__ == "__main__":
    main()
