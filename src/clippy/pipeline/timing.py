"""Where the time of a run went: wall and CPU seconds per phase.

CPU counts this process and its finished children (worker processes, ffmpeg), so on a busy
machine the CPU seconds still say what a phase costs while the wall seconds do not.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of the children it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(frozen=True)
class Lap:
    """One phase: its name, wall seconds and CPU seconds."""

    name: str
    wall: float
    cpu: float


@dataclass
class Stopwatch:
    """Laps of a run; ``wall`` and ``cpu`` are the clocks (injectable for tests)."""

    wall: Callable[[], float] = time.perf_counter
    cpu: Callable[[], float] = cpu_seconds
    laps: list[Lap] = field(default_factory=list)
    _mark: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        self._mark = (self.wall(), self.cpu())

    def lap(self, name: str) -> Lap:
        """End the current phase as ``name`` and start the next."""
        assert self._mark is not None
        now = (self.wall(), self.cpu())
        lap = Lap(name, now[0] - self._mark[0], now[1] - self._mark[1])
        self.laps.append(lap)
        self._mark = now
        return lap

    def summary(self) -> str:
        """The laps as one line: ``name 1.0 s (2.0 CPU s), ...`` and the total."""
        parts = [f"{lap.name} {lap.wall:.1f} s ({lap.cpu:.1f} CPU s)" for lap in self.laps]
        wall = sum(lap.wall for lap in self.laps)
        cpu = sum(lap.cpu for lap in self.laps)
        return ", ".join([*parts, f"total {wall:.1f} s ({cpu:.1f} CPU s)"])
