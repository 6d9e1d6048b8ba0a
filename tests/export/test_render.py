"""Rendering with real ffmpeg: preset sizes and codecs, burned captions, plan rules, cards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clippy.accounts.plans import get_plan
from clippy.export.ass import caption_margin
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.render import render_export
from tests.export.conftest import frame_at, moov_before_mdat, probe_json

FRAME = 1 / 30
# Stream time of the clip: words carry stream times, the clip starts at 100 s.
T0 = 100.0
WORDS = [
    {"text": w, "start": T0 + s, "end": T0 + s + 0.45}
    for w, s in [("look", 1.0), ("at", 1.5), ("this", 2.0), ("play", 2.4)]
]


def _bright_share(frame: np.ndarray, y0: int, y1: int, level: int = 200) -> float:
    """Share of pixels brighter than ``level`` in rows y0..y1 (text is white on dark)."""
    box = frame[y0:y1]
    return float((box.min(axis=2) > level).mean())


def _check_mp4(path: Path, size: tuple[int, int], duration: float) -> None:
    info = probe_json(path)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (v["codec_name"], v["pix_fmt"], a["codec_name"]) == ("h264", "yuv420p", "aac")
    assert (int(v["width"]), int(v["height"])) == size
    assert abs(float(v["duration"]) - duration) <= FRAME + 1e-3
    assert abs(float(info["format"]["duration"]) - duration) <= FRAME + 0.03
    assert moov_before_mdat(path), "not faststart"


@pytest.mark.parametrize(
    ("preset", "aspect", "size"),
    [
        ("shorts", None, (1080, 1920)),
        ("tiktok", None, (1080, 1920)),
        ("reels", None, (1080, 1920)),
        ("x", "16:9", (1920, 1080)),
        ("x", "1:1", (1080, 1080)),
    ],
)
def test_preset_output_with_burned_captions(
    preset: str, aspect: str | None, size: tuple[int, int], pattern_clip: Path, tmp_path: Path
) -> None:
    opts = ExportOptions(preset, aspect=aspect, caption_style="bold", reframe="fit", fill="black")
    plan = plan_export(opts, get_plan("pro"), [(T0, T0 + 3.0)], 3.0)
    seen: list[float] = []
    res = render_export(pattern_clip, plan, WORDS, None, tmp_path, on_progress=seen.append)
    _check_mp4(res.video, size, 3.0)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    ass = res.ass.read_text()
    assert "LOOK AT THIS PLAY" in ass
    assert res.srt is not None and "look at this play" in res.srt.read_text()
    w, h = size
    margin = caption_margin(h, "bottom")
    box = (h - margin - round(min(w, h * 9 / 16) * 0.15), h - margin + 4)
    with_caption = frame_at(res.video, 2.1, tmp_path / "caption.png")
    before = frame_at(res.video, 0.5)
    assert _bright_share(with_caption, *box) > 0.01, "no caption pixels in the caption box"
    assert _bright_share(before, *box) < 0.001, "caption box not empty before the first word"


def test_free_plan_watermark_and_720p_cap(pattern_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("shorts", captions=False, reframe="fit", fill="black"),
        get_plan("free"),
        [(T0, T0 + 3.0)],
        3.0,
    )
    res = render_export(pattern_clip, plan, WORDS, None, tmp_path)
    _check_mp4(res.video, (720, 1280), 3.0)
    frame = frame_at(res.video, 1.0, tmp_path / "free.png")
    # Top right corner: the watermark (translucent white); flat black without it.
    assert _bright_share(frame[:, 360:], 0, 100, level=120) > 0.005
    pro = plan_export(
        ExportOptions("shorts", captions=False, reframe="fit", fill="black"),
        get_plan("pro"),
        [(T0, T0 + 3.0)],
        3.0,
    )
    res_pro = render_export(pattern_clip, pro, WORDS, None, tmp_path / "pro_out")
    assert _bright_share(frame_at(res_pro.video, 1.0)[:, 540:], 0, 150, level=120) == 0.0


def test_business_renders_4k(pattern_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("shorts", quality=2160, captions=False),
        get_plan("business"),
        [(T0, T0 + 1.0)],
        1.0,
    )
    res = render_export(pattern_clip, plan, [], None, tmp_path)
    info = probe_json(res.video)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (v["width"], v["height"]) == (2160, 3840)


def test_two_ranges_joined_by_a_title_card(pattern_clip: Path, tmp_path: Path) -> None:
    # The 3 s clip file holds two ranges of 1.5 s; a 1 s card goes between them.
    ranges = [(T0, T0 + 1.5), (T0 + 50.0, T0 + 51.5)]
    words = [{"text": "payoff", "start": T0 + 50.2, "end": T0 + 50.9}]
    plan = plan_export(ExportOptions("shorts", caption_style="clean"), get_plan("pro"), ranges, 3.0)
    res = render_export(pattern_clip, plan, words, None, tmp_path)
    _check_mp4(res.video, (1080, 1920), 4.0)
    assert "Earlier…" in res.ass.read_text() and ",Card,,0,0,0,,Now" in res.ass.read_text()
    # The payoff word moved by the card: 1.5 s + 1 s card + 0.2 s.
    assert res.lines[0].start == pytest.approx(2.7)
    card = frame_at(res.video, 2.0, tmp_path / "card.png")
    centre = card[900:1020, 300:780]
    assert _bright_share(centre, 0, 120) > 0.01  # "Now" in the middle of the card
    assert card[100:300].mean() < 30  # the card itself is dark


def test_karaoke_lights_the_current_word(pattern_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("shorts", caption_style="karaoke"), get_plan("free"), [(T0, T0 + 3.0)], 3.0
    )
    res = render_export(pattern_clip, plan, WORDS, None, tmp_path)
    h = 1280
    margin = caption_margin(h, "bottom")
    frame = frame_at(res.video, 1.7, tmp_path / "karaoke.png")  # "at" is being spoken
    box = frame[h - margin - 90 : h - margin + 4].astype(int)
    yellow = (box[..., 0] > 200) & (box[..., 1] > 170) & (box[..., 2] < 90)
    white = box.min(axis=2) > 200
    assert yellow.sum() > 100 and white.sum() > yellow.sum()
    # Which word is lit: the yellow sits right of the first word's white pixels.
    cols = np.where(yellow.any(axis=0))[0]
    first_white = np.where(white.any(axis=0))[0].min()
    assert cols.min() > first_white + 20
