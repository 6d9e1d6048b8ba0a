"""Where does a highlight start relative to chat's peak, and should the lag depend on the burst?

On a Lightor-layout split (train by default), for the live ranking's top-10 chat peaks of each
video, prints as JSON:
- ``peak_after_start``: quantiles of (chat peak - labelled start) over the peaks that have a
  labelled start up to 90 s before them (the reaction delay the lag must cover);
- ``label_seconds``: quantiles of those highlights' lengths (the slack a start has);
- ``correlation``: of that delay with the burst's size (log2 multiplier), width (seconds over
  half its peak, log2), rise and onset-to-peak time: a shape-dependent lag needs these;
- ``shape_lag``: P@10 on the Dota 2 videos when each start is moved by ``coef`` seconds per
  standard deviation of a shape measure (positive: a bigger value, an earlier start), and the
  leave-one-video-out P@10 with ``coef`` chosen on the other videos.

    .venv/bin/python benchmarks/lightor_lag.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from clippy.detect.chat_features import FEATURES
from clippy.detect.plan import PlanConfig
from clippy.detect.score import ScoringConfig
from clippy.eval.lightor import load_split
from clippy.eval.precision import is_hit, top_starts
from clippy.eval.ranker_fit import Prepared, peak_indices, prepare

ROOT = Path(__file__).resolve().parents[1]
COEFS = [float(c) for c in range(-12, 13, 3)]
SHAPES = ("log_mult", "log_width", "rise", "onset_to_peak")
QUANTILES = [10, 25, 50, 75, 90]


def peak_shapes(p: Prepared) -> dict[int, list[float]]:
    """For each chat peak (moment side second): its size, log2 width, rise, onset-to-peak."""
    s = p.feats[:, FEATURES.index("log_mult")]
    out = {}
    for i in peak_indices(s):
        a, b = i, i
        while a > 0 and s[a - 1] >= s[i] / 2:
            a -= 1
        while b < len(s) - 1 and s[b + 1] >= s[i] / 2:
            b += 1
        rise = float(p.feats[i, FEATURES.index("rise")])
        out[i] = [float(s[i]), float(np.log2(b - a + 1)), rise, float(i - a)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/datasets/lightor")
    parser.add_argument("--split", default="train")
    args = parser.parse_args()
    if not args.dataset.is_dir():
        print(f"no Lightor dataset at {args.dataset}: nothing to measure", file=sys.stderr)
        return 2
    lag = round(ScoringConfig().chat_lag)
    prepared = [
        prepare(v, lag, PlanConfig().setup) for v in load_split(args.dataset, "Dota2", args.split)
    ]
    delays, lengths, shapes_of_delays = [], [], []
    tops: list[list[tuple[float, list[float]]]] = []
    for p in prepared:
        shapes = peak_shapes(p)
        cands = [(i + p.offset, float(v[0])) for i, v in shapes.items()]
        picked = []
        for start in top_starts(cands, 10):
            i = round(start - p.offset)
            picked.append((start, shapes[i]))
            reaction_peak = i + lag
            before = [h for h in p.video.highlights if 0 <= reaction_peak - h.start <= 90]
            if before:
                h = max(before, key=lambda h: h.start)
                delays.append(reaction_peak - h.start)
                lengths.append(h.end - h.start)
                shapes_of_delays.append(shapes[i])
        tops.append(picked)
    shape_arr = np.asarray(shapes_of_delays)
    out: dict[str, object] = {
        "game": "Dota2",
        "peaks_with_a_start_before": f"{len(delays)} of {sum(len(t) for t in tops)}",
        "peak_after_start": dict(
            zip(QUANTILES, np.percentile(delays, QUANTILES).round(1).tolist(), strict=True)
        ),
        "label_seconds": dict(
            zip(QUANTILES, np.percentile(lengths, QUANTILES).round(1).tolist(), strict=True)
        ),
        "correlation": {
            name: round(float(np.corrcoef(delays, shape_arr[:, k])[0, 1]), 2)
            for k, name in enumerate(SHAPES)
        },
    }
    all_shapes = np.asarray([v for picked in tops for _, v in picked])
    mu, sd = all_shapes.mean(axis=0), all_shapes.std(axis=0) + 1e-9
    sweeps = {}
    for k, name in enumerate(SHAPES):
        table = np.asarray(
            [
                [
                    sum(
                        is_hit(t - c * (v[k] - mu[k]) / sd[k], p.video.highlights)
                        for t, v in picked
                    )
                    for c in COEFS
                ]
                for p, picked in zip(prepared, tops, strict=True)
            ],
            dtype=float,
        )
        held = []
        for v in range(len(table)):
            rest = np.delete(table, v, axis=0).sum(axis=0)
            best = max(range(len(COEFS)), key=lambda j: (rest[j], -abs(COEFS[j])))
            held.append(table[v, best])
        sweeps[name] = {
            "p10_by_coef": dict(
                zip(COEFS, (table.mean(axis=0) / 10).round(3).tolist(), strict=True)
            ),
            "loo_p10": round(float(np.mean(held)) / 10, 3),
        }
    out["shape_lag"] = sweeps
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
