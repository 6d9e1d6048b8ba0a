"""The still preview draws the render's first frame (same graph, one frame)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from clippy.accounts.plans import get_plan
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.preview import render_preview, source_frame
from clippy.export.render import render_export
from clippy.export.track import faces_in
from tests.export.conftest import frame_at
from tests.export.media import facecam_video

WORDS = [
    {"text": "look", "start": 100.1, "end": 100.5},
    {"text": "at", "start": 100.5, "end": 100.7},
    {"text": "this", "start": 100.7, "end": 101.2},
]


def read_image(path: Path) -> np.ndarray:
    """An RGB array of an image file (JPEG, PNG)."""
    img = cv2.imread(str(path))
    assert img is not None, path
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def top_has_face_bottom_has_gameplay(frame: np.ndarray, top_share: float = 0.4) -> None:
    """The split layout's promise: the face above, the game (colourful pattern) below."""
    split = round(frame.shape[0] * top_share)
    top, bottom = frame[:split], frame[split:]
    gray_top = cv2.resize(cv2.cvtColor(top, cv2.COLOR_RGB2GRAY), (540, round(split / 2)))
    assert faces_in(gray_top), "no face in the top band"
    gray_bottom = cv2.resize(cv2.cvtColor(bottom, cv2.COLOR_RGB2GRAY), (540, 576))
    assert not faces_in(gray_bottom), "a face in the gameplay band"
    # testsrc2 is saturated colour bars: the game band is far more colourful than a face.
    sat = cv2.cvtColor(bottom, cv2.COLOR_RGB2HSV)[..., 1]
    assert float(np.mean(sat > 150)) > 0.2, "the bottom band does not show the gameplay"


@pytest.fixture(scope="module")
def facecam_clip(export_media: Path) -> Path:
    return facecam_video(export_media / "facecam-preview.mp4", duration=3.0)


@pytest.mark.parametrize("reframe", ["split", "follow", "fit", "center"])
def test_preview_is_the_first_frame_of_the_render(
    facecam_clip: Path, tmp_path: Path, reframe: str
) -> None:
    options = ExportOptions("shorts", reframe=reframe, caption_position="middle")
    plan = plan_export(options, get_plan("free"), [(100.0, 103.0)], 3.0)
    preview = render_preview(facecam_clip, plan, WORDS, None, tmp_path / "p")
    assert preview.layout == reframe
    still = read_image(preview.image)
    res = render_export(facecam_clip, plan, WORDS, None, tmp_path / "r")
    first = frame_at(res.video, 0.0)
    assert still.shape == first.shape == (1280, 720, 3)
    # Both are lossy encodes of one picture (JPEG against H.264): close, not equal.
    diff = np.abs(still.astype(int) - first.astype(int)).mean()
    assert diff < 4.0, f"{reframe}: preview differs from the render's first frame by {diff:.1f}"
    if reframe == "split":
        top_has_face_bottom_has_gameplay(still)
        top_has_face_bottom_has_gameplay(first)


def test_preview_with_a_drawn_facecam_uses_it(facecam_clip: Path, tmp_path: Path) -> None:
    # The face sits in the bottom-right corner; a box drawn on the top-left shows no face.
    wrong = {"x": 0, "y": 0, "width": 120, "height": 120, "frame_width": 640, "frame_height": 360}
    options = ExportOptions("shorts", reframe="split", facecam=wrong, captions=False)
    plan = plan_export(options, get_plan("free"), [(0.0, 3.0)], 3.0)
    still = read_image(render_preview(facecam_clip, plan, [], None, tmp_path / "p").image)
    top = cv2.cvtColor(still[:512], cv2.COLOR_RGB2GRAY)
    assert not faces_in(cv2.resize(top, (540, 384)))


def test_source_frame_finds_the_facecam_in_the_corner(facecam_clip: Path, tmp_path: Path) -> None:
    frame = source_frame(facecam_clip, None, tmp_path)
    assert (frame.width, frame.height) == (640, 360)
    assert frame.facecam is not None
    # The 80 px face is drawn at x 520-600, y 240-320 (a 120 px camera 16 px from the corner).
    cam = frame.facecam
    assert cam.x <= 530 and cam.x + cam.w >= 590 and cam.y <= 250 and cam.y + cam.h >= 300
    assert read_image(frame.image).shape[1] == 640


def test_preview_of_a_file_without_video_is_refused(tmp_path: Path) -> None:
    audio = tmp_path / "tone.m4a"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac"),
            str(audio),
        ],
        check=True,
    )
    with pytest.raises(ValueError, match="has no video stream"):
        source_frame(audio, None, tmp_path / "f")
