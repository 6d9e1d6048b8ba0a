"""The run's phases in wall and CPU seconds, on clocks the test drives."""

from __future__ import annotations

from clippy.pipeline.timing import Stopwatch, cpu_seconds


def test_laps_measure_each_phase_from_the_last() -> None:
    wall = iter([0.0, 2.0, 5.0])
    cpu = iter([10.0, 13.0, 14.5])
    clock = Stopwatch(wall=lambda: next(wall), cpu=lambda: next(cpu))
    a = clock.lap("reading")
    b = clock.lap("recognition")
    assert (a.wall, a.cpu, b.wall, b.cpu) == (2.0, 3.0, 3.0, 1.5)
    assert clock.summary() == (
        "reading 2.0 s (3.0 CPU s), recognition 3.0 s (1.5 CPU s), total 5.0 s (4.5 CPU s)"
    )


def test_cpu_seconds_grow_with_work() -> None:
    before = cpu_seconds()
    sum(i * i for i in range(300_000))
    assert cpu_seconds() > before
