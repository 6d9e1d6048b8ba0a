"""Pure export logic: presets, plan caps, timeline, captions, ASS, crop path."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from clippy.accounts.plans import get_plan
from clippy.export.ass import ass_document
from clippy.export.captions import CaptionWord, group_lines, srt, vtt, words_on_timeline
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.presets import ClipTooLong, ExportRefused, check_length, get_preset
from clippy.export.reframe import Rect, centred_window, region_rect
from clippy.export.timeline import build_timeline
from clippy.export.track import crop_x_expression, simplify, smooth_path


@pytest.mark.parametrize(
    ("preset", "limit"), [("shorts", 60), ("tiktok", 180), ("reels", 90), ("x", 140)]
)
def test_length_limits_refuse_with_a_trim_offer(preset: str, limit: float) -> None:
    p = get_preset(preset)
    check_length(p, limit)  # exactly the limit is fine
    with pytest.raises(ClipTooLong) as err:
        check_length(p, limit + 0.5)
    assert err.value.trim_to == limit
    assert "trim it to" in str(err.value) and p.label in str(err.value)


def test_unknown_preset_lists_the_valid_ones() -> None:
    with pytest.raises(ExportRefused, match="shorts, tiktok, reels, x"):
        get_preset("myspace")


def test_plan_caps_quality_and_watermark() -> None:
    r = [(0.0, 10.0)]
    free = plan_export(ExportOptions("shorts"), get_plan("free"), r, 10.0)
    assert (free.width, free.height, free.watermark) == (720, 1280, "made with Clippy")
    with pytest.raises(ExportRefused, match="at most 720p"):
        plan_export(ExportOptions("shorts", quality=1080), get_plan("free"), r, 10.0)
    pro = plan_export(ExportOptions("tiktok"), get_plan("pro"), r, 10.0)
    assert (pro.width, pro.height, pro.watermark) == (1080, 1920, None)
    with pytest.raises(ExportRefused, match="at most 1080p"):
        plan_export(ExportOptions("reels", quality=2160), get_plan("pro"), r, 10.0)
    biz = plan_export(ExportOptions("reels", quality=2160), get_plan("business"), r, 10.0)
    assert (biz.width, biz.height) == (2160, 3840)
    x = plan_export(ExportOptions("x", aspect="1:1"), get_plan("pro"), r, 10.0)
    assert (x.width, x.height) == (1080, 1080)
    assert plan_export(ExportOptions("x"), get_plan("pro"), r, 10.0).width == 1920  # 16:9
    with pytest.raises(ExportRefused, match="9:16"):
        plan_export(ExportOptions("shorts", aspect="16:9"), get_plan("pro"), r, 10.0)


def test_context_cards_count_towards_the_length_and_shift_words() -> None:
    ranges = [(10.0, 39.5), (100.0, 130.0)]
    with pytest.raises(ClipTooLong):  # 59.5 s of clip + a 1 s card > 60 s
        plan_export(ExportOptions("shorts"), get_plan("pro"), ranges, 59.5)
    ok = plan_export(ExportOptions("shorts", context="overlay"), get_plan("pro"), ranges, 59.5)
    assert ok.timeline.duration == pytest.approx(59.5)
    tl = build_timeline([(10.0, 20.0), (100.0, 105.0)], 15.0, card_seconds=1.0)
    assert tl.duration == pytest.approx(16.0) and tl.cards() == [(10.0, 11.0)]
    assert tl.place(12.0, 12.5) == pytest.approx((2.0, 2.5))
    assert tl.place(101.0, 101.4) == pytest.approx((12.0, 12.4))
    assert tl.place(19.8, 21.0) == pytest.approx((9.8, 10.0))  # clipped to its range
    assert tl.place(50.0, 51.0) is None
    # A cut a frame shorter than its ranges: the last piece ends with the file.
    assert build_timeline([(0.0, 10.0)], 9.967).duration == pytest.approx(9.967)


def test_caption_lines_break_on_count_pause_and_sentence() -> None:
    ws = [
        {"text": t, "start": s, "end": s + 0.3}
        for t, s in [
            ("one", 0.0),
            ("two", 0.4),
            ("three", 0.8),
            ("four.", 1.2),
            ("five", 1.6),
            ("six", 3.0),
            ("seven", 3.4),
        ]
    ]
    words = words_on_timeline(ws, build_timeline([(0.0, 10.0)], 10.0))
    lines = group_lines(words, max_words=3)
    assert [ln.text for ln in lines] == ["one two three", "four.", "five", "six seven"]
    assert srt(lines).startswith("1\n00:00:00,000 --> 00:00:01,100\none two three\n")
    assert vtt(lines).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.100\none two three\n")


def test_ass_styles_and_escaping() -> None:
    words = (CaptionWord("hi", 1.0, 1.3), CaptionWord("{there}", 1.4, 1.8))
    lines = group_lines(words)
    bold = ass_document(1080, 1920, lines, style="bold", watermark="made with Clippy", duration=2)
    assert "PlayResX: 1080" in bold and "PlayResY: 1920" in bold
    assert "Dialogue: 0,0:00:01.00,0:00:01.80,Caption,,0,0,0,,HI (THERE)" in bold
    assert ",Watermark,,0,0,0,,made with Clippy" in bold
    karaoke = ass_document(1080, 1920, lines, style="karaoke")
    events = [ln for ln in karaoke.splitlines() if ln.startswith("Dialogue")]
    assert len(events) == 2  # one per word, the current one highlighted
    assert re.search(r"\{\\c&H0000E5FF&\}HI\{\\c&H00FFFFFF&\} \(THERE\)", events[0])
    assert re.search(r"HI \{\\c&H0000E5FF&\}\(THERE\)", events[1])
    clean = ass_document(1080, 1920, lines, style="clean", position="top")
    assert "Caption,,0,0,0,,hi (there)" in clean
    with pytest.raises(ValueError, match="karaoke"):
        ass_document(1080, 1920, lines, style="comic")


def test_region_scales_to_the_file_and_window_stays_inside() -> None:
    region = {
        "x": 100,
        "y": 50,
        "width": 1280,
        "height": 720,
        "frame_width": 1920,
        "frame_height": 1080,
    }
    r = region_rect(region, 640, 360)
    assert (r.x, r.y, r.w, r.h) == (32, 16, 428, 240)
    assert region_rect(None, 640, 360) == Rect(0, 0, 640, 360)
    win = centred_window(Rect(0, 0, 640, 360), 1080, 1920, centre_x=10)
    assert (win.x, win.w, win.h) == (0, 202, 360)
    win = centred_window(Rect(0, 0, 640, 360), 1080, 1920, centre_x=630)
    assert win.x + win.w <= 640


def _eval(expr: str, t: float) -> float:
    py = re.sub(r"clip\(([^,]+),([^,]+),([^)]+)\)", r"min(max(\1,\2),\3)", expr)
    return float(eval(py, {"t": t}))  # the expression is ours: numbers, t, min/max only


def test_crop_path_follows_and_smooths() -> None:
    area = Rect(0, 0, 640, 360)
    truth = [(k / 4, 100 + 60 * k / 4) for k in range(24)]  # centre moves 60 px/s
    samples: list[tuple[float, float | None]] = [(t, x) for t, x in truth]
    samples[5] = (samples[5][0], None)  # missed detection
    samples[9] = (samples[9][0], 600.0)  # a false face far away
    path = smooth_path(samples, area, 202)
    lefts = [x for _, x in path]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(lefts))  # no jump back
    for (_, x), (_, cx) in zip(path[3:-3], truth[3:-3], strict=True):
        assert abs(x + 101 - cx) < 12
    expr = crop_x_expression(simplify(path))
    for t, x in path:
        assert _eval(expr, t) == pytest.approx(x, abs=2.0)
    assert _eval(expr, -5) == pytest.approx(path[0][1], abs=0.1)
    assert math.isclose(_eval(expr, 99), path[-1][1], abs_tol=2.0)


def test_edited_caption_lines_follow_the_timeline() -> None:
    from clippy.export.captions import edited_lines

    tl = build_timeline([(10.0, 11.5), (50.0, 51.5)], 3.0, card_seconds=1.0)
    lines = edited_lines(
        [
            {"start": 0.2, "end": 1.0, "text": "set it up"},
            {"start": 1.6, "end": 2.4, "text": "and   boom"},
            {"start": 1.2, "end": 1.9, "text": "across"},  # clipped at the range edge
            {"start": 2.0, "end": 2.5, "text": "   "},
        ],
        tl,
    )
    assert [ln.text for ln in lines] == ["set it up", "and boom", "across"]
    boom = lines[1]
    assert (boom.start, boom.end) == pytest.approx((2.6, 3.4))  # +1 s card
    assert boom.words[0].end == pytest.approx(boom.words[1].start)
    assert (lines[2].start, lines[2].end) == pytest.approx((1.2, 1.5))
