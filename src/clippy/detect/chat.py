"""Chat velocity and bursts (lines per second against the stream's own baseline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clippy.detect.signals import rolling_baseline

# A quiet chat is not silent: below this rate (lines/s) the baseline is floored, so going
# from nothing to three lines is not an infinite burst.
BASELINE_FLOOR = 0.2
SMOOTH_SECONDS = 5  # viewers react over a few seconds; single seconds are too noisy
HISTORY_SECONDS = 60.0


@dataclass(frozen=True)
class ChatLine:
    """One chat message: stream seconds, who sent it, what it says, and the sender's badges
    where the page shows them (``"broadcaster"``, ``"moderator"``...)."""

    time: float
    user: str = ""
    text: str = ""
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChatBurst:
    """Seconds ``[start, end)`` where chat ran up to ``multiplier`` times its baseline rate."""

    start: float
    end: float
    multiplier: float


def chat_velocity(times: Sequence[float], t0: float, t1: float, step: float = 1.0) -> np.ndarray:
    """Chat lines per second in each ``step`` bin of ``[t0, t1)``."""
    bins = max(0, int(np.ceil((t1 - t0) / step)))
    idx = np.floor((np.asarray(times, dtype=float) - t0) / step).astype(int)
    idx = idx[(idx >= 0) & (idx < bins)]
    return np.bincount(idx, minlength=bins)[:bins].astype(float) / step


def chat_multiplier(
    times: Sequence[float], t0: float, t1: float, *, history: float = HISTORY_SECONDS
) -> np.ndarray:
    """Per second of ``[t0, t1)``: chat rate (5 s average) over its trailing baseline rate.

    The baseline is the median of the smoothed rate over the ``history`` seconds before (less
    the 5 s of smoothing), skipping the last 5 s (the burst itself), floored at 0.2 lines/s.
    Lines from before ``t0`` are used as that history when given, so a live window and an
    offline pass agree; stream time starts at 0, so nothing before it counts as (silent)
    history.
    """
    lead = int(min(history, max(0.0, t0)))  # stream time starts at 0: nothing before it
    vel = chat_velocity(times, t0 - lead, t1)
    rate = np.convolve(vel, np.ones(SMOOTH_SECONDS) / SMOOTH_SECONDS, mode="full")[: len(vel)]
    # The baseline and its smoothing must fit in the history the caller has: 50 s of it.
    base = rolling_baseline(rate, history - 2 * SMOOTH_SECONDS, gap=SMOOTH_SECONDS)
    return (rate / np.maximum(base, BASELINE_FLOOR))[lead:]


def chat_bursts(
    times: Sequence[float],
    t0: float,
    t1: float,
    *,
    min_multiplier: float = 3.0,
    history: float = HISTORY_SECONDS,
) -> list[ChatBurst]:
    """Runs of seconds in ``[t0, t1)`` where chat is at least ``min_multiplier`` x baseline."""
    mult = chat_multiplier(times, t0, t1, history=history)
    bursts: list[ChatBurst] = []
    for i in np.flatnonzero(mult >= min_multiplier):
        t = t0 + float(i)
        if bursts and t <= bursts[-1].end:
            b = bursts[-1]
            bursts[-1] = ChatBurst(b.start, t + 1, max(b.multiplier, float(mult[i])))
        else:
            bursts.append(ChatBurst(t, t + 1, float(mult[i])))
    return bursts
