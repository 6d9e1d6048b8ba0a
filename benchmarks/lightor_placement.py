"""Where to put a chat peak's predicted start: burst shape, burst clusters, per-video lag.

The fourth round of issue 11 (docs/detection.md, "Start placement from the burst's shape"),
on a Lightor-layout split (train; never run it on a test split to choose anything). Each
variant keeps the live candidates (``benchmarks/lightor_candidates.current``: the peaks of
``audience.audience_multiplier``, scored by it) and moves only their anchor; the start is
``anchor - lag``. Prints one JSON line each:

- ``shift``: P@1/5/10 of the live ranking on Dota 2 and LoL at each lag from the reaction peak
  to the start (35 s is the live 27 s lag + 8 s setup; ``chat_lead`` would add 10 s more);
- ``labels``: the labelled highlights' lengths (quantiles), which set how late a start may be;
- ``onset``: the anchor moved ``a`` of the way back from the peak to the burst's onset (the
  last second, going back from the peak, where the 5-s smoothed weighted rate is over ``k`` x
  its usual level): ``a = 1`` is "the onset minus a learned offset", ``a = 0.5`` a lag that
  grows with the rise time;
- ``cluster``: the peak's start placed from the peaks around it (the earliest one of at least
  ``share`` of its height in the ``back`` s before, or the height-weighted centre of those
  within ``w`` s), what a 120 s non-maximum suppression picking the best-placed start of a
  burst cluster can do without labels;
- ``nested``: leave-one-video-out with the variant *and* the lag chosen on the other nine;
- ``per_video_lag``: the lag that is best for each video alone (an oracle: it reads the
  video's own labels) and how video-level chat measures correlate with it.

    .venv/bin/python benchmarks/lightor_placement.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lightor_candidates import (  # noqa: E402
    LAGS,
    Candidates,
    Variant,
    Video,
    at,
    current,
    hits,
    leave_one_out,
    load_train,
    peaks,
    report_variant,
)

from clippy.detect.audience import BASELINE_FLOOR, BASELINE_SECONDS, WINDOW_SECONDS  # noqa: E402

SHIFTS = range(20, 56, 3)
ONSET_KS = (1.0, 1.5, 2.0, 3.0)
ONSET_SHARES = (0.25, 0.5, 0.75, 1.0)
ONSET_BACK = 60  # seconds searched back from the peak for the onset


def usual_level(x: np.ndarray, j: int) -> float:
    """The live usual level of a peak at ``j``: the mean of ``x`` over the 2 minutes before
    its 25-s window, floored as the live signal floors it."""
    hi = max(0, j + 1 - WINDOW_SECONDS)
    lo = max(0, hi - BASELINE_SECONDS)
    return max(float(x[lo:hi].mean()) if hi > lo else 0.0, BASELINE_FLOOR)


def onset(v: Video, j: int, k: float) -> int:
    """The last second before peak ``j`` where the 5-s smoothed weighted rate is still over
    ``k`` x its usual level (searched at most ``ONSET_BACK`` s back)."""
    smooth = np.convolve(v.weighted, np.ones(5) / 5, mode="same")
    level = k * usual_level(v.weighted, j)
    i, lo = j, max(0, j - ONSET_BACK)
    while i > lo and smooth[i - 1] > level:
        i -= 1
    return i


def onset_anchor(k: float, share: float) -> Variant:
    """Live peaks, each anchored ``share`` of the way from the peak back to its onset."""

    def make(v: Video) -> Candidates:
        return [(j - share * (j - onset(v, j, k)) + 0.5, float(v.mult[j])) for j in peaks(v.mult)]

    return make


def first_in_cluster(back: int, share: float) -> Variant:
    """Live peaks, each anchored at the earliest peak of at least ``share`` of its height in
    the ``back`` s before it."""

    def make(v: Video) -> Candidates:
        idx, m = peaks(v.mult), v.mult
        out = []
        for j in idx:
            first = min(k for k in idx if j - back <= k <= j and m[k] >= share * m[j])
            out.append((first + 0.5, float(m[j])))
        return out

    return make


def cluster_centre(width: int, power: float) -> Variant:
    """Live peaks, each anchored at the centre of the peaks within ``width`` s of it, weighted
    by their height to the ``power``."""

    def make(v: Video) -> Candidates:
        idx, m = peaks(v.mult), v.mult
        out = []
        for j in idx:
            near = [k for k in idx if abs(k - j) <= width]
            weights = np.array([m[k] ** power for k in near])
            out.append((float(weights @ np.array(near)) / float(weights.sum()) + 0.5, float(m[j])))
        return out

    return make


def per_video_lag(dota: Sequence[Video], table: np.ndarray) -> dict[str, object]:
    """Each video's own best lag for P@10 (the centre of its best range) and the correlation
    of that lag with three video-level chat measures."""
    rows = []
    for n, v in enumerate(dota):
        h10 = table[n, :, 9]
        good = np.flatnonzero(h10 == h10.max())
        tops = sorted(peaks(v.mult), key=lambda j: -v.mult[j])[:20]
        rows.append(
            (
                LAGS[int(np.median(good))],
                float(h10.max()),
                float(np.median([j - onset(v, j, 2.0) for j in tops])),
                float(
                    np.median(
                        [np.sum(v.mult[max(0, j - 60) : j + 30] >= v.mult[j] / 2) for j in tops]
                    )
                ),
                len(v.video.chat) / v.video.duration,
            )
        )
    a = np.array(rows)
    corr = {
        name: round(float(np.corrcoef(a[:, 0], a[:, c])[0, 1]), 2)
        for c, name in ((2, "rise"), (3, "width"), (4, "rate"))
    }
    return {
        "best_lag_per_video": a[:, 0].tolist(),
        "oracle_p10": round(float(a[:, 1].sum()) / (10 * len(a)), 3),
        "correlation": corr,
    }


def main() -> int:
    loaded = load_train(__doc__.split("\n")[0])
    if loaded is None:
        return 2
    _root, dota, lol = loaded
    live = report_variant("current", dota, lol, current)
    live_lol = hits(lol, current)
    shift = {str(s): at(live, LAGS.index(s)) + at(live_lol, LAGS.index(s)) for s in SHIFTS}
    print(json.dumps({"shift (Dota 2 P@1/5/10, LoL P@1/5/10)": shift}))
    for game, videos in (("Dota2", dota), ("LOL", lol)):
        lengths = [h.end - h.start for v in videos for h in v.video.highlights]
        q = np.percentile(lengths, [10, 25, 50, 75, 90]).tolist()
        print(json.dumps({"labels": game, "length_quantiles_10_25_50_75_90": q}))
    variants: dict[str, Variant] = {}
    for k in ONSET_KS:
        for share in ONSET_SHARES:
            variants[f"onset k={k} a={share}"] = onset_anchor(k, share)
    for back in (30, 60, 90, 119):
        for share in (0.3, 0.5, 0.7):
            variants[f"first in cluster back={back} share={share}"] = first_in_cluster(back, share)
    for width in (20, 40, 60):
        for power in (1.0, 4.0):
            variants[f"cluster centre w={width} power={power}"] = cluster_centre(width, power)
    tables: dict[str, np.ndarray] = {"current": live}
    for name, variant in variants.items():
        tables[name] = report_variant(name, dota, lol, variant)
    families: dict[str, Callable[[str], bool]] = {
        "onset": lambda n: n.startswith("onset"),
        "cluster": lambda n: "cluster" in n,
    }
    for family, member in families.items():
        chosen = [tables["current"], *(t for n, t in tables.items() if member(n))]
        print(json.dumps({"nested": family, "loo": leave_one_out(np.stack(chosen, axis=1))}))
    print(json.dumps({"per_video_lag": per_video_lag(dota, live)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
