"""Pure editing helpers: trim ranges, caption lines, split/merge; SVG charts."""

from __future__ import annotations

import pytest

from clippy.clips.editing import (
    CaptionLine,
    caption_lines,
    merge_lines,
    split_earlier,
    split_line,
    trim_ranges,
    trim_spans,
)
from clippy.web.pages.charts import bar_chart, hbar_chart


def test_trim_within_one_range() -> None:
    assert trim_ranges([(100.0, 130.0)], 5.0, 12.5) == [(105.0, 112.5)]


def test_trim_across_ranges_keeps_only_the_covered_parts() -> None:
    # A two-part clip: 10 s of setup (50-60) and 20 s of payoff (200-220).
    ranges = [(50.0, 60.0), (200.0, 220.0)]
    assert trim_ranges(ranges, 8.0, 15.0) == [(58.0, 60.0), (200.0, 205.0)]
    assert trim_ranges(ranges, 12.0, 30.0) == [(202.0, 220.0)]


@pytest.mark.parametrize(("start", "end"), [(5.0, 5.0), (6.0, 5.0), (-1.0, 3.0), (0.0, 31.0)])
def test_trim_refuses_empty_reversed_or_outside(start: float, end: float) -> None:
    with pytest.raises(ValueError, match="inside the clip"):
        trim_ranges([(0.0, 30.0)], start, end)


def test_trim_keeps_each_part_in_its_stream() -> None:
    # A callback clip: 10 s of yesterday's stream 3 (50-60), then 20 s of today's stream 7.
    spans = [(3, 50.0, 60.0), (7, 200.0, 220.0)]
    assert trim_spans(spans, 8.0, 15.0) == [(3, 58.0, 60.0), (7, 200.0, 205.0)]
    assert split_earlier(trim_spans(spans, 8.0, 15.0)) == (7, [(3, 58.0, 60.0)], [(200.0, 205.0)])
    # Only the earlier stream's part left: the trimmed clip is a clip of that stream.
    assert split_earlier(trim_spans(spans, 1.0, 9.0)) == (3, [], [(51.0, 59.0)])
    assert split_earlier(trim_spans(spans, 12.0, 30.0)) == (7, [], [(202.0, 220.0)])


def test_another_streams_part_after_the_clips_own_is_refused() -> None:
    with pytest.raises(ValueError, match="only come before"):
        split_earlier([(7, 0.0, 5.0), (3, 50.0, 60.0), (7, 200.0, 205.0)])


def _words(start: float, text: str, step: float = 0.3) -> list[dict[str, object]]:
    return [
        {"text": w, "start": start + i * step, "end": start + i * step + 0.25}
        for i, w in enumerate(text.split())
    ]


def test_caption_lines_break_on_pause_punctuation_and_length() -> None:
    words = _words(100.0, "so. one two three four five six seven eight") + _words(110.0, "later")
    lines = caption_lines(words, [(99.0, 120.0)])
    assert [ln.text for ln in lines] == [
        "so.",
        "one two three four five six seven",
        "eight",
        "later",
    ]
    assert lines[0].start == pytest.approx(1.0) and lines[-1].start == pytest.approx(11.0)


def test_caption_lines_use_clip_time_across_ranges_and_skip_words_outside() -> None:
    words = _words(5.0, "before") + _words(52.0, "setup") + _words(201.0, "payoff")
    lines = caption_lines(words, [(50.0, 60.0), (200.0, 220.0)])
    assert [(ln.text, round(ln.start, 3)) for ln in lines] == [("setup", 2.0), ("payoff", 11.0)]


def test_split_and_merge() -> None:
    lines = [CaptionLine(0.0, 4.0, "one two three four"), CaptionLine(4.0, 5.0, "five")]
    split = split_line(lines, 0)
    assert [ln.text for ln in split] == ["one two", "three four", "five"]
    assert split[0].end == split[1].start and 0.0 < split[0].end < 4.0
    assert split_line([CaptionLine(0, 1, "single")], 0) == [CaptionLine(0, 1, "single")]
    merged = merge_lines(split, 1)
    assert [ln.text for ln in merged] == ["one two", "three four five"]
    assert merged[1].end == 5.0
    assert merge_lines(merged, 1) == merged  # the last line has nothing to merge with


def test_charts_escape_labels_and_scale_bars() -> None:
    svg = bar_chart(["a<b", "c"], [2, 4], title="T & t")
    assert "a&lt;b" in svg and "T &amp; t" in svg and "<script" not in svg
    heights = [float(h) for h in __import__("re").findall(r'height="([\d.]+)" rx', svg)]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert hbar_chart([], title="x") == ""
    assert "<svg" in hbar_chart([("Loud", 3), ("Chat", 1)], title="Reasons")
