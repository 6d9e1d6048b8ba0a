"""Timeline planning for the archive browser: pure functions on segment spans and features.

Everything here is plain data in, plain data out; the I/O (database, object store, ffmpeg)
lives in ``archive.media`` and the web page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PreviewWindow",
    "SegmentSpan",
    "View",
    "covering",
    "loudness_points",
    "overview_bands",
    "peak_downsample",
    "plan_view",
    "preview_windows",
    "thumb_step",
    "thumb_times",
]

# Thumbnail spacings a person reads at a glance ("every 30 s"), smallest first.
_STEPS = (5, 10, 15, 30, 60, 120, 300, 600)
# A gap this much longer than nothing (seconds) between two segments splits a preview window:
# a player must not stitch across a recording hole and show a jump as continuous.
_GAP_TOLERANCE = 0.25


@dataclass(frozen=True)
class SegmentSpan:
    """A processed segment of the stream: its sequence number and stream-time extent."""

    seq: int
    start: float
    duration: float

    @property
    def end(self) -> float:
        """Stream time where the segment ends."""
        return self.start + self.duration


@dataclass(frozen=True)
class PreviewWindow:
    """A run of contiguous segments played as one MP4 in the archive player."""

    first_seq: int
    last_seq: int
    start: float
    end: float


@dataclass(frozen=True)
class View:
    """The part of the stream the page shows in detail, and its neighbours for paging."""

    start: float
    end: float
    prev_at: float | None
    next_at: float | None


def covering(spans: Sequence[SegmentSpan], t: float) -> SegmentSpan | None:
    """The segment whose extent holds stream time ``t`` (spans sorted by start), or ``None``."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid].start <= t:
            lo = mid + 1
        else:
            hi = mid
    if lo and spans[lo - 1].start <= t < spans[lo - 1].end:
        return spans[lo - 1]
    return None


def thumb_step(span_seconds: float, max_thumbs: int = 20) -> int:
    """The smallest readable spacing that shows ``span_seconds`` in at most ``max_thumbs``."""
    for step in _STEPS:
        if span_seconds / step <= max_thumbs:
            return step
    return _STEPS[-1]


def thumb_times(spans: Sequence[SegmentSpan], start: float, end: float, step: int) -> list[int]:
    """Whole seconds every ``step`` s in [``start``, ``end``) that a stored segment covers.

    Times are multiples of ``step`` so the same thumbnail (and its cache key) is reused
    whichever view the user scrolls to.
    """
    first = math.ceil(start / step) * step
    return [t for t in range(int(first), math.ceil(end), step) if covering(spans, t + 0.5)]


def preview_windows(spans: Sequence[SegmentSpan], seconds: float = 60.0) -> list[PreviewWindow]:
    """Group contiguous segments (sorted by start) into windows of about ``seconds`` each.

    A window breaks at a recording gap, so each one is a continuous piece of the stream.
    """
    windows: list[PreviewWindow] = []
    run: list[SegmentSpan] = []

    def close() -> None:
        if run:
            windows.append(PreviewWindow(run[0].seq, run[-1].seq, run[0].start, run[-1].end))
            run.clear()

    for span in spans:
        if run and (
            span.start > run[-1].end + _GAP_TOLERANCE or span.end - run[0].start > seconds + 1e-6
        ):
            close()
        run.append(span)
    close()
    return windows


def plan_view(at: float | None, span: float, first: float, last: float) -> View:
    """The ``span``-long view holding ``at`` (default: the newest), aligned to ``span``."""
    if last <= first:
        return View(first, first, None, None)
    target = last - 1e-6 if at is None else min(max(at, first), last - 1e-6)
    start = math.floor(target / span) * span
    end = start + span
    return View(
        start=max(start, first),
        end=min(end, last),
        prev_at=start - span if start > first else None,
        next_at=end if end < last else None,
    )


def overview_bands(
    first: float, last: float, view_seconds: float, max_bands: int = 200
) -> list[tuple[float, float, float]]:
    """The overview's clickable bands: (start, end, view to open), one per ``view_seconds``.

    Bounded by construction: past ``max_bands`` views each band spans several, so a stream
    claiming a huge or non-finite length costs ``max_bands`` items, not one per 10 minutes.
    """
    if not (math.isfinite(first) and math.isfinite(last)) or last <= first:
        return []
    origin = math.floor(first / view_seconds) * view_seconds
    per_band = max(1, math.ceil((last - origin) / view_seconds / max_bands))
    width = per_band * view_seconds
    count = math.ceil((last - origin) / width)
    return [
        (max(origin + i * width, first), min(origin + (i + 1) * width, last), origin + i * width)
        for i in range(count)
    ]


def loudness_points(features: Iterable[dict[str, Any] | None]) -> list[tuple[float, float]]:
    """(stream time, dBFS) per second from segments' stored features, in time order."""
    points: list[tuple[float, float]] = []
    for f in features:
        if not f or "loudness" not in f:
            continue
        start, step = float(f.get("start", 0.0)), float(f.get("step", 1.0))
        points.extend((start + i * step, float(v)) for i, v in enumerate(f["loudness"]))
    points.sort()
    return points


def peak_downsample(
    points: Sequence[tuple[float, float]],
    start: float,
    end: float,
    buckets: int,
    resolution: float = 1.0,
) -> list[tuple[float, float | None]]:
    """The loudest value in each of up to ``buckets`` equal slices of [``start``, ``end``).

    Peaks (not means) because the curve is there to show where the shouting was. A slice
    with no data is ``None`` so the chart draws a gap instead of inventing silence; slices
    are never narrower than the data's ``resolution``, or every other one would be a gap.
    """
    if end <= start or buckets <= 0:
        return []
    buckets = max(1, min(buckets, math.ceil((end - start) / resolution)))
    width = (end - start) / buckets
    peaks: list[float | None] = [None] * buckets
    for t, v in points:
        if start <= t < end:
            i = min(buckets - 1, int((t - start) / width))
            current = peaks[i]
            peaks[i] = v if current is None else max(current, v)
    return [(start + (i + 0.5) * width, p) for i, p in enumerate(peaks)]
