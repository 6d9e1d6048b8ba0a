"""The periodic jobs' cron lines (pure): procrastinate reads them with croniter, whose sixth
field is seconds, so a sweep every few seconds fires that often."""

from __future__ import annotations

import itertools

import croniter
import pytest

from clippy.jobs.pg_worker import every


@pytest.mark.parametrize(
    ("seconds", "line", "gap"),
    [
        (0.2, "* * * * * */1", 1),
        (15, "* * * * * */15", 15),
        (300, "*/5 * * * *", 300),
        (7200, "0 * * * *", 3600),
    ],
)
def test_every_fires_at_the_interval(seconds: float, line: str, gap: int) -> None:
    assert every(seconds) == line
    it = croniter.croniter(line, 1_699_999_200)  # on the hour
    fires = [it.get_next(float) for _ in range(3)]
    assert [b - a for a, b in itertools.pairwise(fires)] == [gap, gap]
