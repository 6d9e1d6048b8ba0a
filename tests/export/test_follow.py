"""Subject-following crop on a face moving left to right; split and blurred-fill layouts."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np

from clippy.accounts.plans import get_plan
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.reframe import Rect
from clippy.export.render import render_export
from clippy.export.track import detect_faces, faces_in
from tests.export.conftest import frame_at, probe_json
from tests.export.media import face_x_at

DURATION, WIDTH, FACE = 6.0, 640, 110


def test_drawn_face_is_detected_by_the_shipped_cascade(face_clip: Path) -> None:
    hits = detect_faces(face_clip, Rect(0, 0, 640, 360), fps=2)
    assert sum(c is not None for _, c in hits) >= 0.9 * len(hits)
    for t, c in hits:
        if c is not None:
            assert abs(c - face_x_at(t, DURATION, WIDTH, FACE)) < 20


def test_crop_follows_the_face(face_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("shorts", reframe="follow", captions=False),
        get_plan("free"),  # 720x1280 is enough to see the face, and quicker
        [(0.0, DURATION)],
        DURATION,
    )
    res = render_export(face_clip, plan, [], None, tmp_path)
    assert res.crop_path is not None
    window = 202  # 9:16 of a 360 px tall frame
    centres = [(t, x + window / 2) for t, x in res.crop_path]
    # The centre moves right the whole way, and stays on the face (edges hold still:
    # the window cannot leave the frame).
    xs = [c for _, c in centres]
    assert xs[-1] - xs[0] > 300
    assert all(b >= a - 1.0 for a, b in itertools.pairwise(xs))
    for t, c in centres:
        truth = min(max(face_x_at(t, DURATION, WIDTH, FACE), window / 2), WIDTH - window / 2)
        assert abs(c - truth) < 30, f"crop centre {c:.0f} vs face {truth:.0f} at {t:.2f} s"
    # The output shows the face in most sampled frames.
    found = 0
    times = np.linspace(0.3, DURATION - 0.3, 10)
    for k, t in enumerate(times):
        png = tmp_path / "follow.png" if k == 5 else None
        frame = frame_at(res.video, float(t), png)
        small = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (270, 480))
        found += bool(faces_in(small))
    assert found >= 8, f"face visible in only {found} of {len(times)} frames"


def test_centre_crop_loses_the_face_that_follow_keeps(face_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("shorts", captions=False), get_plan("pro"), [(0.0, DURATION)], DURATION
    )
    res = render_export(face_clip, plan, [], None, tmp_path)
    small = cv2.resize(cv2.cvtColor(frame_at(res.video, 0.3), cv2.COLOR_RGB2GRAY), (270, 480))
    assert not faces_in(small)  # the face starts at the left edge, outside a centre crop


def test_split_layout_puts_the_facecam_on_top(face_clip: Path, tmp_path: Path) -> None:
    # The face sits near x=220 at t=2 s; declare the left half the facecam.
    facecam = {"x": 0, "y": 0, "width": 320, "height": 360}
    plan = plan_export(
        ExportOptions("x", aspect="9:16", reframe="split", facecam=facecam, captions=False),
        get_plan("pro"),
        [(0.0, 3.0)],
        3.0,
    )
    res = render_export(face_clip, plan, [], None, tmp_path)
    v = next(s for s in probe_json(res.video)["streams"] if s["codec_type"] == "video")
    assert (v["width"], v["height"]) == (1080, 1920)
    frame = frame_at(res.video, 2.0, tmp_path / "split.png")
    top = cv2.cvtColor(frame[:768], cv2.COLOR_RGB2GRAY)
    assert faces_in(cv2.resize(top, (540, 384)))


def test_blurred_fill_keeps_the_whole_frame(face_clip: Path, tmp_path: Path) -> None:
    plan = plan_export(
        ExportOptions("reels", reframe="fit", fill="blur", captions=False),
        get_plan("pro"),
        [(0.0, 2.0)],
        2.0,
    )
    res = render_export(face_clip, plan, [], None, tmp_path)
    frame = frame_at(res.video, 1.0, tmp_path / "blur.png")
    # Above the fitted picture: the blurred, darkened copy, not black.
    assert 20 < frame[300:500].mean() < 120
