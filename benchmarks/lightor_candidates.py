"""Where chat-only Precision@K is lost on Lightor: candidate generation, start placement, labels.

Prints, for a Lightor-layout split (train by default; never run it on a test split to choose
anything), one JSON line per experiment and a few diagnostics:

- ``variants``: ways to make the candidate starts of a video (which chat peaks exist, where a
  start lands, what ranks them), each as ``(anchor second, score)`` pairs turned into starts by
  ``start = anchor - lag``. For each: the lag that is best on all Dota 2 videos and P@1/5/10
  there, the leave-one-video-out P@1/5/10 (the lag chosen on the other nine), and the LoL video
  at the Dota 2 lag (a transfer check). ``current`` is the live ranking's arithmetic
  (``detect.audience.audience_multiplier`` peaks: the larger of the weighted activity's and the
  reaction messages' rate over their usual level; start ``lag`` s before the reaction peak; the
  live detector's lag + setup is 35 s); ``before`` is the weighted activity alone, as shipped
  before this round. The level and anchor variants use the weighted activity alone.
- ``nested``: leave-one-video-out where the level variant of the weighted activity (2 min as
  before, 5 min, 20 min, since the start, none) *and* the lag are chosen on the other nine
  (what a choice among the variants is worth held out).
- ``labels``: how the Dota 2 labels were made. Every row holds the start of the chat window
  that led to it; that window is one of Lightor's own initializer windows (5-s message counts,
  best first, each widened by 10 s and kept when it overlaps none taken before) and the rank it
  has among them, so which bursts are labelled follows the raw message count. ``placement``:
  the share of labels that a start at a fixed offset before their own window hits (the ceiling
  of any fixed lag), the spread of that offset, and ``perfect_window_ranking``: P@K when the
  labelled windows are ranked first (the labels used for ranking: a bound, not a method).

    .venv/bin/python benchmarks/lightor_candidates.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clippy.detect.audience import audience_counts, audience_multiplier
from clippy.eval.lightor import LabelledVideo, load_split, parse_mmss, split_dir
from clippy.eval.precision import is_hit, top_starts

ROOT = Path(__file__).resolve().parents[1]
KS = (1, 5, 10)
LAGS = list(range(0, 80))
LIGHTOR_WINDOW = 6  # Lightor counts messages in [i, i + 5] (both ends)
LIGHTOR_WIDEN = 10  # and widens each chosen window by 10 s either side


@dataclass
class Video:
    """One video's per-second chat series."""

    video: LabelledVideo
    weighted: np.ndarray  # live message weights, one viewer's repeats counted once
    reactions: np.ndarray  # messages holding a reaction token, likewise
    count: np.ndarray  # plain messages
    mult: np.ndarray  # the live multiplier (25 s over the last 2 minutes), reaction side

    @classmethod
    def of(cls, video: LabelledVideo) -> Video:
        n = int(np.ceil(video.duration)) + 2
        times = [int(c.time) for c in video.chat if 0 <= c.time < n]
        count = np.bincount(times, minlength=n)[:n].astype(float)
        mult = audience_multiplier(video.chat, 0.0, float(n))
        sums = audience_counts(video.chat, 0.0, float(n))
        return cls(video, sums[:, 0], sums[:, 1], count, mult)


Candidates = list[tuple[float, float]]
Variant = Callable[[Video], Candidates]


def peaks(s: np.ndarray) -> list[int]:
    """Seconds where ``s`` has a positive local maximum."""
    return [i for i in range(1, len(s) - 1) if s[i] > s[i - 1] and s[i] >= s[i + 1] and s[i] > 0]


def trailing(x: np.ndarray, width: int) -> np.ndarray:
    """Sum of ``x`` over the ``width`` seconds ending at each second."""
    cum = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    return np.asarray(cum[i + 1] - cum[np.maximum(0, i + 1 - width)])


def over_level(x: np.ndarray, history: int | None, window: int = 25) -> np.ndarray:
    """The 25-s rate of ``x`` over its mean in the ``history`` s before (None: since the start;
    0: no level at all), zero while less than a minute of history exists."""
    rate = trailing(x, window) / window
    cum = np.concatenate([[0.0], np.cumsum(x)])
    hi = np.maximum(0, np.arange(len(x)) + 1 - window)
    if history == 0:
        return rate
    lo = np.zeros_like(hi) if history is None else np.maximum(0, hi - history)
    level = (cum[hi] - cum[lo]) / np.maximum(hi - lo, 1)
    return np.where(hi - lo >= 60, rate / np.maximum(level, 0.2), 0.0)


def current(v: Video) -> Candidates:
    """The live ranking: peaks of the multiplier, anchored at the reaction peak."""
    return [(i + 0.5, float(v.mult[i])) for i in peaks(v.mult)]


def before(v: Video) -> Candidates:
    """The ranking shipped before this round: the weighted activity alone over its level."""
    m = over_level(v.weighted, 120)
    return [(i + 0.5, float(m[i])) for i in peaks(m)]


def in_window(anchor: Callable[[Video, int], float]) -> Variant:
    """The peaks of ``before`` and their scores, each anchored elsewhere in its 25-s window."""
    return lambda v: [(anchor(v, int(a)), s) for a, s in before(v)]


def sharpest(v: Video, j: int) -> float:
    """Lightor's adjustment: the busiest second (3-s smoothed) of the window."""
    smooth = np.convolve(v.weighted, np.ones(3) / 3, mode="same")
    lo = max(0, j - 24)
    return lo + int(np.argmax(smooth[lo : j + 1])) + 0.5


def centroid(v: Video, j: int) -> float:
    """The window's centre of mass."""
    lo = max(0, j - 24)
    seg = v.weighted[lo : j + 1]
    return lo + float((seg * np.arange(len(seg))).sum() / max(float(seg.sum()), 1e-9))


def onset(v: Video, j: int) -> float:
    """Where the 5-s smoothed rate first climbs half-way from its low to its peak."""
    lo = max(0, j - 34)
    seg = np.convolve(v.weighted, np.ones(5) / 5, mode="same")[lo : j + 1]
    top = int(np.argmax(seg))
    floor = float(seg[: max(1, top)].min())
    k = top
    while k > 0 and seg[k - 1] >= floor + 0.5 * (seg[top] - floor):
        k -= 1
    return lo + k + 0.5


def first_of_cluster(v: Video, back: int = 45, share: float = 0.5) -> Candidates:
    """Each peak scored as itself but anchored at the earliest peak of at least ``share`` of
    its height in the ``back`` s before (a big reaction often follows a first, smaller one)."""
    m = over_level(v.weighted, 120)
    idx = peaks(m)
    out = []
    for j in idx:
        first = min(k for k in idx if j - back <= k <= j and m[k] >= share * m[j])
        out.append((first + 0.5, float(m[j])))
    return out


def lightor_windows(x: np.ndarray) -> list[tuple[int, float]]:
    """Lightor's initializer: ``(i, messages in [i, i + 5])`` best first, each widened by 10 s
    either side and kept only when it overlaps no window already taken."""
    cum = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    counts = cum[np.minimum(i + LIGHTOR_WINDOW, len(x))] - cum[i]
    taken: list[tuple[int, int, int, float]] = []
    for k in np.argsort(-counts, kind="stable")[:4000]:
        a, b = int(k) - LIGHTOR_WIDEN, int(k) + LIGHTOR_WINDOW - 1 + LIGHTOR_WIDEN
        if all(b < t[0] or a > t[1] for t in taken):
            taken.append((a, b, int(k), float(counts[k])))
    return [(t[2], t[3]) for t in taken]


def by_level(history: int | None, series: str = "weighted") -> Variant:
    """Peaks of a 25-s rate (``Video.weighted`` or ``.reactions``) over its level in the
    ``history`` s before."""

    def make(v: Video) -> Candidates:
        m = over_level(getattr(v, series), history)
        return [(i + 0.5, float(m[i])) for i in peaks(m)]

    return make


VARIANTS: dict[str, Variant] = {
    "current": current,
    "before: weighted activity alone (2 min)": before,
    "reaction messages alone (2 min)": by_level(120, "reactions"),
    "anchor: sharpest second of the window": in_window(sharpest),
    "anchor: centre of the window": in_window(centroid),
    "anchor: half-rise onset": in_window(onset),
    "anchor: first peak of its cluster": first_of_cluster,
    "Lightor windows, 5-s count": lambda v: [(i + 0.5, c) for i, c in lightor_windows(v.count)],
    "Lightor windows, 5-s weighted": lambda v: [
        (i + 0.5, c) for i, c in lightor_windows(v.weighted)
    ],
    "level: 5 min": by_level(300),
    "level: 20 min": by_level(1200),
    "level: since the stream began": by_level(None),
    "level: none (raw weighted rate)": by_level(0),
}
LEVELS = [k for k in VARIANTS if k.startswith(("before", "level"))]


def hits(videos: Sequence[Video], variant: Variant) -> np.ndarray:
    """``[video, lag, k - 1]``: hits among the top k starts at each lag."""
    out = np.zeros((len(videos), len(LAGS), max(KS)))
    for n, v in enumerate(videos):
        tops = top_starts(variant(v), max(KS))
        for o, lag in enumerate(LAGS):
            row = [is_hit(t - lag, v.video.highlights) for t in tops]
            out[n, o] = np.cumsum(row + [False] * (max(KS) - len(row)))
    return out


def best(table: np.ndarray) -> int:
    """Index of the setting with the most hits at 10, then 5, then 1."""
    tot = table.sum(axis=0).reshape(-1, max(KS))
    return max(range(len(tot)), key=lambda o: (tot[o, 9], tot[o, 4], tot[o, 0]))


def at(table: np.ndarray, o: int) -> list[float]:
    """P@1/5/10 of every video at flat setting index ``o``."""
    flat = table.reshape(len(table), -1, max(KS))
    return [round(float(flat[:, o, k - 1].sum()) / (k * len(table)), 3) for k in KS]


def leave_one_out(table: np.ndarray) -> list[float]:
    """Each video at the setting best on the others."""
    held = np.zeros(len(KS))
    for v in range(len(table)):
        o = best(np.delete(table, v, axis=0))
        held += np.asarray(at(table[v : v + 1], o))
    return [round(float(h) / len(table), 3) for h in held]


def label_windows(root: Path, video: LabelledVideo) -> list[tuple[int, float, float]]:
    """``(chat window start, hl_start, hl_end)`` of each row of the video's label file."""
    path = split_dir(root, "Dota2", "train") / "labels" / f"{video.key}.csv"
    rows = [r.split() for r in path.read_text(encoding="utf-8").splitlines() if r.strip()]
    return [(int(parse_mmss(w)), parse_mmss(s), parse_mmss(e)) for w, s, e in rows]


def label_diagnostics(root: Path, videos: Sequence[Video]) -> dict[str, object]:
    """Where the labels come from, and what a fixed lag can reach even when ranked perfectly."""
    ranks: list[int] = []
    offsets: list[float] = []
    for v in videos:
        rank = {i - LIGHTOR_WIDEN: r for r, (i, _) in enumerate(lightor_windows(v.count))}
        for w, s, _e in label_windows(root, v.video):
            ranks.append(rank.get(w, -1))
            offsets.append(w + LIGHTOR_WIDEN - s)
    rows = [lw for v in videos for lw in label_windows(root, v.video)]
    reach = {
        lag: sum(s - 10 <= w + LIGHTOR_WIDEN - lag <= e for w, s, e in rows) / len(rows)
        for lag in LAGS
    }
    lag = max(reach, key=lambda k: reach[k])
    found = [r for r in ranks if r >= 0]
    bound = hits(videos, lambda v: labelled_first(root, v))
    o = best(bound)
    return {
        "labels": len(ranks),
        "window_is_a_lightor_window": round(len(found) / len(ranks), 3),
        "rank_quantiles_10_50_90": np.percentile(found, [10, 50, 90]).tolist(),
        "labelled_share_of_top10_windows": round(
            sum(r < 10 for r in found) / (10 * len(videos)), 3
        ),
        "window_minus_start_quantiles_10_25_50_75_90": np.percentile(
            offsets, [10, 25, 50, 75, 90]
        ).tolist(),
        "placement": {"best_lag_from_window": lag, "share_hit": round(reach[lag], 3)},
        "perfect_window_ranking": {
            "lag": LAGS[o],
            "train": at(bound, o),
            "loo": leave_one_out(bound),
        },
    }


def labelled_first(root: Path, v: Video) -> Candidates:
    """An upper bound for any ranking of chat windows with a fixed lag: Lightor's windows, the
    ones that became labels first (in Lightor's order), then the others by message count."""
    labelled = {w for w, _s, _e in label_windows(root, v.video)}
    windows = lightor_windows(v.count)
    return [(i + 0.5, c + (1e6 if i - LIGHTOR_WIDEN in labelled else 0.0)) for i, c in windows]


def report_variant(
    name: str, dota: Sequence[Video], lol: Sequence[Video], variant: Variant
) -> np.ndarray:
    """Print a variant's JSON line (the lag best on Dota 2, P@1/5/10 there, leave-one-out,
    LoL at that lag) and return its Dota 2 table."""
    table = hits(dota, variant)
    o = best(table)
    line = {
        "variant": name,
        "lag": LAGS[o],
        "train": at(table, o),
        "loo": leave_one_out(table),
        "lol": at(hits(lol, variant), o),
    }
    print(json.dumps(line), flush=True)
    return table


def load_train(description: str) -> tuple[Path, list[Video], list[Video]] | None:
    """The ``--dataset`` argument and its Dota 2 and LoL train videos (None, said on stderr,
    when the dataset is absent)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/datasets/lightor")
    args = parser.parse_args()
    if not args.dataset.is_dir():
        print(f"no Lightor dataset at {args.dataset}: nothing to measure", file=sys.stderr)
        return None
    dota = [Video.of(v) for v in load_split(args.dataset, "Dota2", "train")]
    lol = [Video.of(v) for v in load_split(args.dataset, "LOL", "train")]
    return args.dataset, dota, lol


def main() -> int:
    loaded = load_train(__doc__.split("\n")[0])
    if loaded is None:
        return 2
    root, dota, lol = loaded
    tables = {name: report_variant(name, dota, lol, variant) for name, variant in VARIANTS.items()}
    levels = np.stack([tables[k] for k in LEVELS], axis=1)  # [video, variant, lag, k]
    print(json.dumps({"nested": "level and lag chosen on nine", "loo": leave_one_out(levels)}))
    print(json.dumps({"labels": label_diagnostics(root, dota)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
