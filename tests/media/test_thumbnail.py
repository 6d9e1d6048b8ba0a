"""JPEG thumbnails of clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from clippy.media.ffmpeg import FFmpegError
from clippy.media.probe import probe
from clippy.media.thumbnail import make_thumbnail
from tests.fixtures.media import make_stream_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("thumb") / "clip.mp4"
    return make_stream_video(path, 3.0, None, size="1280x720")


def jpeg_size(path: Path) -> tuple[int | None, int | None]:
    assert path.read_bytes()[:3] == b"\xff\xd8\xff", "not a JPEG"
    info = probe(path)
    assert info.video_codec == "mjpeg"
    return info.width, info.height


def test_default_thumbnail_is_a_640_wide_jpeg(clip: Path, tmp_path: Path) -> None:
    out = make_thumbnail(clip, 1.5, tmp_path / "t.jpg")
    assert out == tmp_path / "t.jpg"
    assert jpeg_size(out) == (640, 360)


def test_width_is_honoured_and_height_keeps_the_aspect(clip: Path, tmp_path: Path) -> None:
    assert jpeg_size(make_thumbnail(clip, 0.0, tmp_path / "t.jpg", width=320)) == (320, 180)


def test_time_past_the_end_falls_back_to_the_first_frame(clip: Path, tmp_path: Path) -> None:
    assert jpeg_size(make_thumbnail(clip, 60.0, tmp_path / "t.jpg")) == (640, 360)


def test_frames_differ_over_time(clip: Path, tmp_path: Path) -> None:
    early = make_thumbnail(clip, 0.2, tmp_path / "a.jpg").read_bytes()
    late = make_thumbnail(clip, 2.5, tmp_path / "b.jpg").read_bytes()
    assert early != late


def test_unreadable_video_raises(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError, match="thumbnail failed"):
        make_thumbnail(tmp_path / "missing.mp4", 1.0, tmp_path / "t.jpg")
