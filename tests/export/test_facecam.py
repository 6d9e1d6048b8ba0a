"""Facecam detection for the split layout (pure rule and on a rendered clip)."""

from __future__ import annotations

from pathlib import Path

import cv2

from clippy.accounts.plans import get_plan
from clippy.export.facecam import facecam_from_boxes
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.reframe import Rect
from clippy.export.render import render_export
from clippy.export.track import faces_in
from tests.export.conftest import frame_at
from tests.export.media import facecam_video

AREA = Rect(0, 0, 640, 360)


def test_steady_small_face_makes_a_facecam() -> None:
    steady = [(t / 2, (540.0 + t % 2, 250.0, 60.0, 60.0)) for t in range(10)]
    cam = facecam_from_boxes(steady, AREA)
    assert cam is not None
    assert cam.x <= 540 and cam.x + cam.w >= 600 and cam.y <= 250 and cam.y + cam.h >= 310
    assert cam.x + cam.w <= 640 and cam.y + cam.h <= 360  # kept inside the frame
    moving = [(t / 2, (40.0 + 50 * t, 150.0, 60.0, 60.0)) for t in range(10)]
    assert facecam_from_boxes(moving, AREA) is None
    big = [(t / 2, (200.0, 40.0, 200.0, 200.0)) for t in range(10)]
    assert facecam_from_boxes(big, AREA) is None
    rare = [(t / 2, steady[0][1] if t < 3 else None) for t in range(10)]
    assert facecam_from_boxes(rare, AREA) is None


def test_split_finds_the_facecam_or_falls_back_to_fit(
    export_media: Path, pattern_clip: Path, tmp_path: Path
) -> None:
    src = facecam_video(export_media / "facecam.mp4")
    plan = plan_export(
        ExportOptions("shorts", reframe="split", captions=False),
        get_plan("pro"),
        [(0.0, 3.0)],
        3.0,
    )
    res = render_export(src, plan, [], None, tmp_path / "cam")
    assert res.layout == "split"
    frame = frame_at(res.video, 1.5, tmp_path / "facecam-split.png")
    top = cv2.resize(cv2.cvtColor(frame[:768], cv2.COLOR_RGB2GRAY), (540, 384))
    assert faces_in(top), "the facecam is not on top"
    no_face = render_export(pattern_clip, plan, [], None, tmp_path / "none")
    assert no_face.layout == "fit"
