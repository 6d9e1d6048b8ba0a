"""Fixtures for export tests: generated clips (cached per session) and output inspection."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.export.media import moving_face_video, pattern_video


@pytest.fixture(scope="session")
def export_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for this session's generated export sources."""
    return tmp_path_factory.mktemp("export-media")


@pytest.fixture(scope="session")
def pattern_clip(export_media: Path) -> Path:
    """3 s, 640x360: a flat dark frame with a small moving pattern, and a tone."""
    return pattern_video(export_media / "pattern.mp4", 3.0)


@pytest.fixture(scope="session")
def face_clip(export_media: Path) -> Path:
    """6 s, 640x360: a face gliding left to right."""
    return moving_face_video(export_media / "face.mp4")


def probe_json(path: Path) -> dict[str, Any]:
    """ffprobe's streams and format of ``path``."""
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-show_streams", "-show_format"),
            *("-of", "json", str(path)),
        ],
        capture_output=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def moov_before_mdat(path: Path) -> bool:
    """Whether the MP4's index comes before its media data (``-movflags +faststart``)."""
    data = path.read_bytes()
    pos, order = 0, []
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8].decode("latin-1")
        order.append(kind)
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            break
        pos += size
    return "moov" in order and "mdat" in order and order.index("moov") < order.index("mdat")


def frame_at(path: Path, t: float, png: Path | None = None) -> np.ndarray:
    """The RGB frame of ``path`` at ``t`` seconds (also saved as ``png`` when given)."""
    info = probe_json(path)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    w, h = int(v["width"]), int(v["height"])
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1"),
            *("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    frame = np.frombuffer(out, np.uint8).reshape(h, w, 3)
    if png is not None:
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", str(path)),
                *("-frames:v", "1", str(png)),
            ],
            check=True,
        )
    return frame
