"""Archive timeline planning: pure functions on spans and stored features."""

from __future__ import annotations

from clippy.archive.timeline import (
    SegmentSpan,
    covering,
    loudness_points,
    overview_bands,
    peak_downsample,
    plan_view,
    preview_windows,
    thumb_step,
    thumb_times,
)

SPANS = [SegmentSpan(i, i * 10.0, 10.0) for i in range(6)] + [
    # A recording hole from 60 to 80 s.
    SegmentSpan(6, 80.0, 10.0),
    SegmentSpan(7, 90.0, 10.0),
]


def test_covering_finds_the_segment_and_misses_holes() -> None:
    assert covering(SPANS, 0.0) == SPANS[0]
    assert covering(SPANS, 19.99) == SPANS[1]
    assert covering(SPANS, 20.0) == SPANS[2]
    assert covering(SPANS, 65.0) is None
    assert covering(SPANS, 100.0) is None
    assert covering([], 1.0) is None


def test_thumb_step_is_readable_and_bounded() -> None:
    assert thumb_step(60) == 5
    assert thumb_step(600) == 30
    assert thumb_step(601) == 60
    assert thumb_step(10 * 86400) == 600


def test_thumb_times_align_to_the_step_and_skip_holes() -> None:
    assert thumb_times(SPANS, 0, 100, 10) == [0, 10, 20, 30, 40, 50, 80, 90]
    # Multiples of the step whatever the view's start, so cached frames are reused.
    assert thumb_times(SPANS, 12, 45, 15) == [15, 30]


def test_preview_windows_break_at_gaps_and_length() -> None:
    windows = preview_windows(SPANS, seconds=30)
    assert [(w.first_seq, w.last_seq, w.start, w.end) for w in windows] == [
        (0, 2, 0.0, 30.0),
        (3, 5, 30.0, 60.0),
        (6, 7, 80.0, 100.0),
    ]
    assert preview_windows([]) == []


def test_plan_view_defaults_to_newest_and_pages() -> None:
    newest = plan_view(None, 600, 0, 1500)
    assert (newest.start, newest.end, newest.prev_at, newest.next_at) == (1200, 1500, 600, None)
    first = plan_view(10, 600, 0, 1500)
    assert (first.start, first.end, first.prev_at, first.next_at) == (0, 600, None, 600)
    # A retention cut: the view starts at the oldest kept second, not before it.
    cut = plan_view(None, 600, 700, 900)
    assert (cut.start, cut.end, cut.prev_at) == (700, 900, None)
    assert plan_view(5, 600, 0, 0).end == 0


def test_loudness_points_stitch_segments_and_peaks_keep_gaps() -> None:
    features = [
        {"start": 10.0, "step": 1.0, "loudness": [-30.0, -10.0]},
        None,
        {"start": 0.0, "step": 1.0, "loudness": [-50.0, -40.0]},
        {"start": 20.0},
    ]
    points = loudness_points(features)
    assert points == [(0.0, -50.0), (1.0, -40.0), (10.0, -30.0), (11.0, -10.0)]
    peaks = peak_downsample(points, 0, 12, 3)
    assert [p for _, p in peaks] == [-40.0, None, -10.0]
    assert peak_downsample(points, 5, 5, 3) == []
    # Never finer than the data: 300 slices of 12 s of per-second values would be mostly gaps.
    fine = peak_downsample(points, 0, 12, 300)
    assert len(fine) == 12 and fine[11] == (11.5, -10.0)


def test_overview_bands_are_bounded_whatever_the_claimed_length() -> None:
    bands = overview_bands(0.0, 1800.0, 600.0)
    assert bands == [(0.0, 600.0, 0.0), (600.0, 1200.0, 600.0), (1200.0, 1800.0, 1200.0)]
    assert overview_bands(650.0, 900.0, 600.0) == [(650.0, 900.0, 600.0)]
    for last in (1.7e12, 1e300):
        huge = overview_bands(0.0, last, 600.0, max_bands=200)
        assert 0 < len(huge) <= 200
        assert huge[0][0] == 0.0 and huge[-1][1] == last
    assert overview_bands(0.0, float("inf"), 600.0) == []
    assert overview_bands(float("nan"), 10.0, 600.0) == []
