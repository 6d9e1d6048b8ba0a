"""The export layout a user picks and a stream remembers (pure rules)."""

from __future__ import annotations

import pytest

from clippy.export.layouts import Layout, aspect_label, parse_layout, stored_layout, with_layout
from clippy.export.presets import PRESETS, ExportRefused

CAM = {"x": 500, "y": 250, "width": 120, "height": 100, "frame_width": 640, "frame_height": 360}


def test_form_layout_becomes_export_options_per_platform() -> None:
    layout = parse_layout("split", "clean", "top", "1:1", {k: str(v) for k, v in CAM.items()})
    assert layout.facecam == {k: float(v) for k, v in CAM.items()}
    shorts = layout.options(PRESETS["shorts"])
    assert (shorts.aspect, shorts.reframe, shorts.caption_position) == (None, "split", "top")
    assert shorts.facecam == layout.facecam and shorts.caption_style == "clean"
    assert layout.options(PRESETS["x"]).aspect == "1:1"
    # The 9:16 preview of an X export: the preview's aspect wins where the preset takes it.
    assert layout.options(PRESETS["x"], aspect="9:16").aspect == "9:16"
    assert layout.aspect_of(PRESETS["x"]) == "1:1" and layout.aspect_of(PRESETS["tiktok"]) == "9:16"
    # The facecam travels only with the split layout.
    assert parse_layout("fit", "bold", "bottom", "16:9", None).options(PRESETS["x"]).facecam is None


def test_aspect_labels_say_the_shape() -> None:
    assert aspect_label("16:9") == "16:9 landscape"
    assert aspect_label("9:16") == "9:16 vertical"
    assert aspect_label("1:1") == "1:1 square"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("zoom", "bold", "bottom", "16:9", None), "reframe 'zoom' is not one of"),
        (("center", "comic", "bottom", "16:9", None), "caption_style 'comic'"),
        (("center", "bold", "left", "16:9", None), "caption_position 'left'"),
        (("center", "bold", "bottom", "4:3", None), "aspect '4:3' is not one of"),
        (("split", "bold", "bottom", "16:9", {**CAM, "x": 600}), "must lie inside the frame"),
        (("split", "bold", "bottom", "16:9", {**CAM, "width": 4}), "too small"),
        (("split", "bold", "bottom", "16:9", {**CAM, "y": "up"}), "needs x, y, width and height"),
    ],
)
def test_bad_form_fields_are_refused_by_name(args: tuple, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ExportRefused, match=message):
        parse_layout(*args)


def test_split_without_a_drawn_facecam_finds_its_own() -> None:
    empty = dict.fromkeys(CAM, "")
    assert parse_layout("split", "bold", "bottom", "16:9", empty).facecam is None


def test_stream_remembers_the_layout_and_ignores_a_broken_one() -> None:
    layout = parse_layout("split", "karaoke", "middle", "9:16", CAM)
    settings = with_layout({"clip_length": "long"}, layout)
    assert settings["clip_length"] == "long"
    assert stored_layout(settings) == layout
    assert stored_layout(None) is None and stored_layout({}) is None
    assert stored_layout({"layout": {"reframe": "zoom"}}) is None
    assert stored_layout({"layout": "split"}) is None
    assert stored_layout({"layout": {}}) == Layout()
