"""Chat velocity and bursts (lines per second against the stream's own baseline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A quiet chat is not silent: below this rate (lines/s) the baseline is floored, so going
# from nothing to three lines is not an infinite burst.
BASELINE_FLOOR = 0.2


@dataclass(frozen=True)
class ChatBurst:
    """Seconds where chat ran ``multiplier`` times faster than its baseline."""

    start: float
    end: float
    multiplier: float


def chat_velocity(times: Sequence[float], t0: float, t1: float, step: float = 1.0) -> np.ndarray:
    """Chat lines per second in each ``step`` bin of ``[t0, t1)``."""
    bins = max(0, int(np.ceil((t1 - t0) / step)))
    out = np.zeros(bins)
    for t in times:
        i = int((t - t0) // step)
        if 0 <= i < bins:
            out[i] += 1
    return out / step


def chat_multiplier(
    times: Sequence[float], t0: float, t1: float, *, smooth: int = 5, history: float = 60.0
) -> np.ndarray:
    """Per second of ``[t0, t1)``: chat rate (5 s average) over the trailing baseline rate."""
    lead = history
    vel = chat_velocity(times, t0 - lead, t1)
    kernel = np.ones(smooth) / smooth
    rate = np.convolve(vel, kernel, mode="full")[: len(vel)]
    out = np.zeros(len(vel))
    h = int(history)
    overall = float(np.mean(vel)) if len(vel) else 0.0
    for i in range(len(vel)):
        past = vel[max(0, i - h - smooth) : max(0, i - smooth)]
        # With under 20 s of history the trailing mean is noise: use the whole window's.
        trailing = float(np.mean(past)) if len(past) else 0.0
        mean = trailing if len(past) >= 20 else max(overall, trailing)
        out[i] = rate[i] / max(mean, BASELINE_FLOOR)
    return out[int(lead) :]


def chat_bursts(
    times: Sequence[float], t0: float, t1: float, *, min_multiplier: float = 3.0
) -> list[ChatBurst]:
    """Runs of seconds where chat is at least ``min_multiplier`` times its baseline."""
    mult = chat_multiplier(times, t0, t1)
    bursts: list[ChatBurst] = []
    for i, m in enumerate(mult):
        if m < min_multiplier:
            continue
        t = t0 + i
        if bursts and t - bursts[-1].end <= 1.0:
            b = bursts[-1]
            bursts[-1] = ChatBurst(b.start, t + 1, max(b.multiplier, float(m)))
        else:
            bursts.append(ChatBurst(t, t + 1, float(m)))
    return bursts
