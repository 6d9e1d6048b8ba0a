"""JPEG thumbnails of clips."""

from __future__ import annotations

from pathlib import Path

from clippy.media.ffmpeg import ffmpeg
from clippy.media.source import media_input


def _frame_args(video: Path, seek: list[str], out: Path, width: int) -> list[str]:
    return [
        *seek,
        *media_input(video).input_args(),
        *("-frames:v", "1", "-vf", f"scale={width}:-2"),
        *("-q:v", "3", "-f", "image2", str(out)),
    ]


def make_thumbnail(video: Path, at_seconds: float, out: Path, width: int = 640) -> Path:
    """Write the frame at ``at_seconds`` of ``video`` as a ``width``-wide JPEG at ``out``."""
    ffmpeg(_frame_args(video, ["-ss", f"{max(0.0, at_seconds):.3f}"], out, width), what="thumbnail")
    if not out.exists() or out.stat().st_size == 0:
        # Past the last frame ffmpeg writes nothing: take the first frame instead.
        ffmpeg(_frame_args(video, [], out, width), what="thumbnail")
    return out
