"""Ranking chat peaks by the burst's shape, its chatters, or a decaying level (nothing kept).

The fifth round of issue 11 (docs/detection.md, "Ranking changes checked by leave-one-video-out
(none kept)"), on a Lightor-layout split (train; never run it on a test split to choose
anything). Each variant makes a video's candidates as ``(anchor second, score)`` pairs; the
start is ``anchor - lag`` (the live detector's lag + setup is 35 s). Prints one JSON line per
variant (``benchmarks/lightor_candidates.report_variant``: the lag best on the ten Dota 2
videos and P@1/5/10 there, leave-one-video-out with the lag chosen on nine, the LoL video at
the Dota 2 lag), then per family ``nested``: the variant *and* the lag chosen on the other nine.

- ``area``: the live peaks ranked by the multiplier's excess over ``k`` summed over the ``d`` s
  up to the peak, or over the whole run of seconds above ``k`` around it (a burst's size
  integrated over its duration instead of its height in one 25-s window);
- ``chatters``: distinct viewers per 25 s (each viewer counted once per window) over their own
  2-minute level, merged with the live signals (the larger of the three, or a geometric mean);
- ``ranknorm``: each signal replaced by its percentile (or z-score of its log) within the video
  before the weighted activity's and the reaction messages' are merged, optionally with a 40-s
  window's signals as well (multi-scale peaks on one scale);
- ``decay``: the usual level is at least ``a`` x a memory of the 25-s rate that decays with
  time constant ``tau`` (a burst right after a bigger one is its continuation, not news);
- ``continuation``: a live peak is dropped when a peak over ``share`` x its height came in the
  ``x`` s before it (causal, as a live detector could do), or within ``x`` s either side;
- ``rise``: the live peaks ranked by ``m x (m / trough)^b``, the trough the lowest multiplier
  ``lo``-``hi`` s before the peak (a sharp rise from calm over a plateau).

    .venv/bin/python benchmarks/lightor_shape.py [--dataset ../shared/datasets/lightor]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lightor_candidates import (  # noqa: E402
    Candidates,
    Variant,
    Video,
    current,
    leave_one_out,
    load_train,
    peaks,
    report_variant,
)

from clippy.detect.audience import (  # noqa: E402
    BASELINE_FLOOR,
    BASELINE_SECONDS,
    MIN_HISTORY_SECONDS,
    WINDOW_SECONDS,
)

LIVE_FLOOR = 1.25  # the live score is 0 under x1.25: no candidate


def over_usual(x: np.ndarray, window: int = WINDOW_SECONDS) -> tuple[np.ndarray, np.ndarray]:
    """``(multiplier, rate)``: the live arithmetic (``audience._over_usual``) of a per-second
    series, and its trailing ``window``-s rate."""
    cum = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(len(x))
    w_lo = np.maximum(0, idx + 1 - window)
    rate = (cum[idx + 1] - cum[w_lo]) / window
    b_lo = np.maximum(0, w_lo - BASELINE_SECONDS)
    span = w_lo - b_lo
    base = (cum[w_lo] - cum[b_lo]) / np.maximum(span, 1)
    mult = rate / np.maximum(base, BASELINE_FLOOR)
    mult[span < MIN_HISTORY_SECONDS] = 1.0
    return mult, rate


def live_peaks(v: Video) -> list[int]:
    """The live candidates: peaks of the multiplier over x1.25."""
    return [i for i in peaks(v.mult) if v.mult[i] > LIVE_FLOOR]


def rescored(score: Callable[[Video, int], float]) -> Variant:
    """The live peaks, anchored as live, ranked by ``score``."""

    def variant(v: Video) -> Candidates:
        return [(i + 0.5, score(v, i)) for i in live_peaks(v)]

    return variant


def of_series(series: Callable[[Video], np.ndarray]) -> Variant:
    """Peaks of another per-second series, where the live multiplier is a candidate."""

    def variant(v: Video) -> Candidates:
        s = series(v)
        return [(i + 0.5, float(s[i])) for i in peaks(s - s.min() + 1.0) if v.mult[i] > LIVE_FLOOR]

    return variant


def area_before(d: int, k: float) -> Variant:
    def score(v: Video, i: int) -> float:
        return float(np.maximum(v.mult[max(0, i - d) : i + 1] - k, 0.0).sum())

    return rescored(score)


def area_run(k: float) -> Variant:
    def score(v: Video, i: int) -> float:
        a, b = i, i
        while a > 0 and v.mult[a - 1] > k:
            a -= 1
        while b + 1 < len(v.mult) and v.mult[b + 1] > k:
            b += 1
        return float((v.mult[a : b + 1] - k).sum())

    return rescored(score)


_CHATTERS: dict[int, np.ndarray] = {}


def chatters(v: Video) -> np.ndarray:
    """Per second, viewers whose previous counted line is 25 s or more before (or none): summed
    over a 25-s window, the distinct viewers in it."""
    if id(v) not in _CHATTERS:
        out = np.zeros(len(v.mult))
        seen: dict[str, int] = {}
        for line in sorted(v.video.chat, key=lambda c: c.time):
            i = int(line.time)
            if not line.user or not 0 <= i < len(out):
                continue
            prev = seen.get(line.user)
            if prev is None or i - prev >= WINDOW_SECONDS:
                out[i] += 1
                seen[line.user] = i
        _CHATTERS[id(v)] = out
    return _CHATTERS[id(v)]


def with_chatters(how: str) -> Variant:
    def series(v: Video) -> np.ndarray:
        w, r = over_usual(v.weighted)[0], over_usual(v.reactions)[0]
        u = over_usual(chatters(v))[0]
        if how == "max":
            return np.maximum(np.maximum(w, r), u)
        if how == "geo(w,u) or r":
            return np.maximum(np.sqrt(w * u), r)
        if how == "geo(live,u)":
            return np.sqrt(np.maximum(w, r) * u)
        return np.maximum(w, r) * np.sqrt(u)  # "live x sqrt(u)"

    return of_series(series)


def percentile(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x)) / len(x)


def zlog(x: np.ndarray) -> np.ndarray:
    lx = np.log(np.maximum(x, 0.05))
    return np.asarray((lx - lx.mean()) / lx.std())


def ranknorm(norm: Callable[[np.ndarray], np.ndarray], windows: tuple[int, ...]) -> Variant:
    def series(v: Video) -> np.ndarray:
        parts = [norm(over_usual(x, w)[0]) for w in windows for x in (v.weighted, v.reactions)]
        return np.asarray(np.max(parts, axis=0))

    return of_series(series)


def decaying(tau: float, a: float) -> Variant:
    def one(x: np.ndarray) -> np.ndarray:
        _mult, rate = over_usual(x)
        cum = np.concatenate([[0.0], np.cumsum(x)])
        idx = np.arange(len(x))
        w_lo = np.maximum(0, idx + 1 - WINDOW_SECONDS)
        b_lo = np.maximum(0, w_lo - BASELINE_SECONDS)
        base = np.maximum((cum[w_lo] - cum[b_lo]) / np.maximum(w_lo - b_lo, 1), BASELINE_FLOOR)
        memory = np.zeros(len(x))
        kept, fade = 0.0, float(np.exp(-1.0 / tau))
        for t in range(len(x)):
            kept = max(kept * fade, float(rate[t - WINDOW_SECONDS]) if t >= WINDOW_SECONDS else 0.0)
            memory[t] = kept
        out = rate / np.maximum(base, a * memory)
        out[w_lo - b_lo < MIN_HISTORY_SECONDS] = 1.0
        return np.asarray(out)

    def variant(v: Video) -> Candidates:
        s = np.maximum(one(v.weighted), one(v.reactions))
        return [(i + 0.5, float(s[i])) for i in peaks(s) if s[i] > LIVE_FLOOR]

    return variant


def rise(b: float, lo: int, hi: int) -> Variant:
    def score(v: Video, i: int) -> float:
        back = v.mult[max(0, i - hi) : max(1, i - lo)]
        trough = max(float(back.min()) if len(back) else 1.0, 0.25)
        return float(v.mult[i] * (v.mult[i] / trough) ** b)

    return rescored(score)


def continuation(x: int, share: float, causal: bool = True) -> Variant:
    def variant(v: Video) -> Candidates:
        found = live_peaks(v)
        out = []
        for i in found:
            near = [j for j in found if i - x <= j < i or (not causal and i < j <= i + x)]
            if all(v.mult[i] >= (share if j < i else 1.0) * v.mult[j] for j in near):
                out.append((i + 0.5, float(v.mult[i])))
        return out

    return variant


def families() -> dict[str, dict[str, Variant]]:
    out: dict[str, dict[str, Variant]] = {"area": {}, "chatters": {}, "ranknorm": {}}
    for d in (10, 20, 30, 40, 60):
        for k in (1.0, 1.25, 2.0):
            out["area"][f"area d={d} k={k}"] = area_before(d, k)
    for k in (1.0, 1.25, 1.5, 2.0):
        out["area"][f"area run k={k}"] = area_run(k)
    for how in ("max", "geo(w,u) or r", "geo(live,u)", "live x sqrt(u)"):
        out["chatters"][f"chatters {how}"] = with_chatters(how)
    for name, norm in (("percentile", percentile), ("z log", zlog)):
        for windows in ((25,), (25, 40), (10, 25), (15, 25, 40)):
            out["ranknorm"][f"ranknorm {name} windows={windows}"] = ranknorm(norm, windows)
    out["decay"] = {
        f"decay tau={tau} a={a}": decaying(tau, a) for tau in (20, 45, 90) for a in (0.5, 0.75, 1)
    }
    out["continuation"] = {
        f"continuation x={x} share={share}": continuation(x, share)
        for x in (150, 180, 240, 300)
        for share in (1.0, 0.8, 0.6)
    }
    for x in (150, 180, 240, 300):
        out["continuation"][f"continuation x={x} both sides"] = continuation(x, 1.0, False)
    out["rise"] = {
        f"rise b={b} back={lo}-{hi}": rise(b, lo, hi)
        for b in (-0.25, 0.25, 0.5, 1.0)
        for lo, hi in ((10, 40), (25, 60), (25, 90))
    }
    return out


def main() -> int:
    loaded = load_train(__doc__.split("\n")[0])
    if loaded is None:
        return 2
    _root, dota, lol = loaded
    live = report_variant("current", dota, lol, current)
    for family, variants in families().items():
        tables = [live] + [report_variant(n, dota, lol, v) for n, v in variants.items()]
        print(json.dumps({"nested": family, "loo": leave_one_out(np.stack(tables, axis=1))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
