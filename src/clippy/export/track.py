"""Follow the subject: face positions on sampled frames, smoothed into a crop path.

``detect_faces`` decodes and detects (I/O); ``smooth_path`` and ``crop_x_expression`` are
pure. Detection uses OpenCV's frontal-face Haar cascade, whose weights ship inside the
``opencv-python-headless`` wheel (no download at run time).
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from clippy.export.reframe import Rect
from clippy.media.ffmpeg import FFmpegError, ffmpeg_command
from clippy.media.source import media_input

SAMPLE_FPS = 4.0
# Faces are found on frames this wide: big enough for a face a tenth of the frame wide,
# small enough that a minute of video is detected in about a second.
DETECT_WIDTH = 320


@lru_cache(maxsize=1)
def _cascade() -> Any:
    import cv2

    cascades = cv2.data.haarcascades  # type: ignore[attr-defined]
    path = Path(cascades) / "haarcascade_frontalface_default.xml"
    if not path.exists():
        raise RuntimeError(
            f"{path} is missing: install opencv-python-headless 4.x (5.x ships no cascades)"
        )
    return cv2.CascadeClassifier(str(path))


def faces_in(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in a grayscale frame, largest first."""
    found = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(20, 20))
    boxes = [(int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in found]
    return sorted(boxes, key=lambda b: -b[2] * b[3])


Box = tuple[float, float, float, float]


def sample_face_boxes(
    video: Path,
    area: Rect,
    *,
    fps: float = SAMPLE_FPS,
    width: int = DETECT_WIDTH,
    until: float | None = None,
) -> list[tuple[float, Box | None]]:
    """(time, largest face box (x, y, w, h) in source pixels or ``None``) for frames
    sampled at ``fps`` inside ``area`` of ``video`` (its first ``until`` seconds when given)."""
    limit = ["-t", f"{until:.3f}"] if until is not None else []
    height = max(2, round(area.h * width / area.w / 2) * 2)
    args = ffmpeg_command(
        [
            *media_input(video).input_args(),
            *limit,
            "-vf",
            f"fps={fps},crop={area.w}:{area.h}:{area.x}:{area.y},scale={width}:{height},format=gray",
            *("-f", "rawvideo", "pipe:1"),
        ]
    )
    proc = subprocess.run(args, capture_output=True, check=False, timeout=600)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise FFmpegError(f"sampling frames for face detection failed: {err[0]}")
    frame_bytes = width * height
    n = len(proc.stdout) // frame_bytes
    frames = np.frombuffer(proc.stdout[: n * frame_bytes], np.uint8).reshape(n, height, width)
    sx, sy = area.w / width, area.h / height
    out: list[tuple[float, Box | None]] = []
    for i, frame in enumerate(frames):
        boxes = faces_in(frame)
        box: Box | None = None
        if boxes:
            x, y, w, h = boxes[0]
            box = (area.x + x * sx, area.y + y * sy, w * sx, h * sy)
        out.append(((i + 0.5) / fps, box))
    return out


def detect_faces(
    video: Path,
    area: Rect,
    *,
    fps: float = SAMPLE_FPS,
    width: int = DETECT_WIDTH,
    until: float | None = None,
) -> list[tuple[float, float | None]]:
    """(time, face centre x in source pixels or ``None``) for frames sampled at ``fps``
    inside ``area`` of ``video`` (its first ``until`` seconds when given); the largest face
    wins."""
    return [
        (t, None if b is None else b[0] + b[2] / 2)
        for t, b in sample_face_boxes(video, area, fps=fps, width=width, until=until)
    ]


def smooth_path(
    samples: Sequence[tuple[float, float | None]],
    area: Rect,
    window_w: int,
    *,
    time_constant: float = 0.6,
) -> list[tuple[float, float]]:
    """(time, window left edge) along the sampled face centres.

    Missed detections hold the nearest found position (none at all: the centre); a median
    over 5 samples drops single false detections; a forward-backward exponential filter with
    ``time_constant`` seconds takes out jitter without lagging behind the subject. The
    window always stays inside ``area``.
    """
    if not samples:
        return [(0.0, area.cx - window_w / 2)]
    times = np.array([t for t, _ in samples], dtype=float)
    raw = np.array([np.nan if c is None else c for _, c in samples], dtype=float)
    found = ~np.isnan(raw)
    if not found.any():
        xs = np.full(len(times), area.cx)
    else:
        idx = np.where(found, np.arange(len(raw)), -1)
        # Nearest found sample on either side; ties go to the earlier one.
        prev = np.maximum.accumulate(idx)
        nxt_rev = np.where(found[::-1], np.arange(len(raw))[::-1], len(raw))
        nxt = np.minimum.accumulate(nxt_rev)[::-1]
        i = np.arange(len(raw))
        use_prev = (prev >= 0) & ((nxt >= len(raw)) | (i - prev <= nxt - i))
        xs = np.where(use_prev, raw[np.clip(prev, 0, None)], raw[np.clip(nxt, 0, len(raw) - 1)])
    xs = _median5(xs)
    if len(times) > 1:
        dt = float(np.median(np.diff(times)))
        alpha = 1 - np.exp(-dt / time_constant)
        # Pad by point reflection (as filtfilt does) so a subject still moving at the clip's
        # edges is not lagged there: the reflection continues its straight-line motion.
        pad = min(len(xs) - 1, int(np.ceil(3 * time_constant / dt)))
        padded = np.concatenate([2 * xs[0] - xs[pad:0:-1], xs, 2 * xs[-1] - xs[-2 : -pad - 2 : -1]])
        xs = _ema(_ema(padded, alpha)[::-1], alpha)[::-1][pad : pad + len(xs)]
    left = np.clip(xs - window_w / 2, area.x, area.x + area.w - window_w)
    return [(float(t), float(x)) for t, x in zip(times, left, strict=True)]


def _median5(x: np.ndarray) -> np.ndarray:
    if len(x) < 5:
        return x
    padded = np.pad(x, 2, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)


def _ema(x: np.ndarray, alpha: float) -> np.ndarray:
    out = np.empty_like(x)
    acc = x[0]
    for k, v in enumerate(x):
        acc = acc + alpha * (v - acc)
        out[k] = acc
    return out


def simplify(
    path: Sequence[tuple[float, float]], tolerance: float = 1.5
) -> list[tuple[float, float]]:
    """Drop points while a straight line from the last kept point reproduces every dropped
    one within ``tolerance`` pixels (keeps the ffmpeg expression short)."""
    if len(path) <= 2:
        return list(path)
    t = np.array([p[0] for p in path])
    x = np.array([p[1] for p in path])
    kept = [0]
    for j in range(2, len(path)):
        i = kept[-1]
        span = slice(i + 1, j)
        line = x[i] + (x[j] - x[i]) * (t[span] - t[i]) / max(t[j] - t[i], 1e-9)
        if np.abs(line - x[span]).max() > tolerance:
            kept.append(j - 1)
    kept.append(len(path) - 1)
    return [path[k] for k in kept]


def crop_x_expression(path: Sequence[tuple[float, float]]) -> str:
    """An ffmpeg expression of ``t`` that moves linearly between the path's points and holds
    the end values outside them: x0 + sum(slope_i * clip(t - t_i, 0, dt_i)). A flat sum, not nested
    ifs, so long paths do not hit the expression parser's depth limit."""
    if not path:
        raise ValueError("empty crop path")
    terms = [f"{path[0][1]:.1f}"]
    for (t0, x0), (t1, x1) in itertools.pairwise(path):
        if t1 <= t0 or abs(x1 - x0) < 0.05:
            continue
        slope = (x1 - x0) / (t1 - t0)
        terms.append(f"{slope:+.3f}*clip(t-{t0:.3f},0,{t1 - t0:.3f})")
    return "".join(terms)
