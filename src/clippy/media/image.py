"""Uploaded still images: recognised by their first bytes, decoded in full by ffmpeg, and
re-encoded as a plain RGBA PNG (so nothing a browser or ffmpeg might misread is kept)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clippy.errors import MediaError
from clippy.media.ffmpeg import ffmpeg_command, ffprobe_command
from clippy.media.source import media_input

__all__ = ["IMAGE_FORMATS", "ImageRejected", "NormalisedImage", "normalise_image", "sniff_format"]

# Sniffed format names; each is a ``media.source`` container whose demuxer is forced, so
# ffmpeg never guesses: a text file must not be read as a playlist that pulls in local files.
IMAGE_FORMATS = ("png", "jpeg", "webp")
_TIMEOUT = 30.0


class ImageRejected(MediaError, ValueError):
    """The upload is not an image this app takes; the message says what to send instead."""


@dataclass(frozen=True)
class NormalisedImage:
    """A decoded upload re-encoded as an RGBA PNG."""

    png: bytes
    width: int
    height: int
    source_format: str


def sniff_format(data: bytes) -> str:
    """``png``, ``jpeg`` or ``webp`` from the file's signature; ``ImageRejected`` otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:8].hex(" ").upper() or "nothing"
    raise ImageRejected(f"this file is not a PNG, JPEG or WebP image (it starts with {head})")


def _strict_run(args: list[str]) -> tuple[int, str, bytes]:
    try:
        proc = subprocess.run(args, capture_output=True, timeout=_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ImageRejected("the image took too long to decode; send a simpler file") from None
    return proc.returncode, proc.stderr.decode(errors="replace"), proc.stdout


def _probe_size(path: Path, fmt: str, max_pixels: int) -> tuple[int, int]:
    # max_pixels makes the decoder refuse a huge picture before allocating it: a 2 MB PNG
    # can hold a 30 000 x 30 000 canvas of one colour.
    rc, err, out = _strict_run(
        ffprobe_command(
            [
                *("-v", "error", "-max_pixels", str(max_pixels)),
                *media_input(path, fmt).input_args(),
                *("-show_entries", "stream=width,height", "-of", "json"),
            ]
        )
    )
    if "exceeds specified max pixel count" in err:
        raise ImageRejected("the image has too many pixels")
    try:
        stream = json.loads(out)["streams"][0]
        width, height = int(stream["width"]), int(stream["height"])
    except (ValueError, KeyError, IndexError, TypeError):
        width = height = 0
    if rc != 0 or width <= 0 or height <= 0:
        raise ImageRejected("the image could not be read: the file is damaged or incomplete")
    return width, height


def normalise_image(data: bytes, *, max_bytes: int, max_side: int) -> NormalisedImage:
    """Check ``data`` is a whole PNG/JPEG/WebP of at most ``max_bytes`` and ``max_side`` px per
    side by decoding it, and return it as an RGBA PNG (alpha kept). ``ImageRejected`` says
    what is wrong; a partly decodable (truncated) file is refused, not patched up."""
    if not data:
        raise ImageRejected("the file is empty")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"the file is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB"
        )
    fmt = sniff_format(data)
    with tempfile.TemporaryDirectory(prefix="clippy-image-") as tmp:
        src, out = Path(tmp) / "upload", Path(tmp) / "image.png"
        src.write_bytes(data)
        width, height = _probe_size(src, fmt, max_side * max_side)
        if width > max_side or height > max_side:
            raise ImageRejected(
                f"the image is {width}x{height} px; at most {max_side}x{max_side} px is allowed"
            )
        # -xerror/explode stop at the first damaged byte, and any error line counts: ffmpeg
        # otherwise pads a truncated JPEG with grey and calls it a success.
        rc, err, _ = _strict_run(
            ffmpeg_command(
                [
                    *("-xerror", "-err_detect", "explode", "-max_pixels", str(max_side * max_side)),
                    *media_input(src, fmt).input_args(),
                    *(
                        "-frames:v",
                        "1",
                        "-pix_fmt",
                        "rgba",
                        "-c:v",
                        "png",
                        "-f",
                        "image2",
                        str(out),
                    ),
                ]
            )
        )
        if rc != 0 or err.strip() or not out.is_file() or out.stat().st_size == 0:
            raise ImageRejected("the image could not be decoded: the file is damaged or incomplete")
        return NormalisedImage(out.read_bytes(), width, height, fmt)
