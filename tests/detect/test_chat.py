"""Chat velocity and bursts against the chat's own trailing baseline."""

from __future__ import annotations

import numpy as np
import pytest

from clippy.detect.chat import chat_bursts, chat_multiplier, chat_velocity


def _steady(rate: float, t0: float, t1: float) -> list[float]:
    return list(np.arange(t0, t1, 1.0 / rate) + 0.01)


def test_velocity_counts_lines_per_second() -> None:
    times = [0.1, 0.2, 0.9, 1.5, 3.99, 4.0, -1.0]
    assert list(chat_velocity(times, 0.0, 4.0)) == [3.0, 1.0, 0.0, 1.0]
    assert list(chat_velocity(times, 0.0, 4.0, step=2.0)) == [2.0, 0.5]


def test_burst_over_a_steady_chat_is_found_with_its_multiplier() -> None:
    times = sorted(_steady(0.5, 0, 180) + _steady(8.0, 95, 100))
    bursts = chat_bursts(times, 0.0, 180.0)
    assert len(bursts) == 1
    burst = bursts[0]
    assert 95 <= burst.start <= 98 and 100 <= burst.end <= 106
    # 5 s smoothed: 8.5 lines/s at the top against 0.5 lines/s normally.
    assert 14 <= burst.multiplier <= 18


def test_a_few_lines_in_a_silent_chat_are_not_an_infinite_burst() -> None:
    mult = chat_multiplier([100.0, 100.2, 100.4], 60.0, 120.0)
    assert np.all(np.isfinite(mult))
    # 3 lines smoothed over 5 s = 0.6 lines/s, over the 0.2 lines/s floor.
    assert mult.max() == pytest.approx(3.0)


def test_a_busy_chat_needs_a_bigger_burst() -> None:
    times = sorted(_steady(4.0, 0, 120) + _steady(4.0, 90, 95))  # twice as fast for 5 s
    assert chat_bursts(times, 0.0, 120.0) == []


def test_live_window_with_history_agrees_with_the_whole_stream() -> None:
    times = sorted(_steady(0.5, 0, 180) + _steady(8.0, 95, 100))
    whole = chat_multiplier(times, 0.0, 180.0)
    window = chat_multiplier([t for t in times if t < 130], 70.0, 130.0)
    assert np.allclose(window, whole[70:130])
