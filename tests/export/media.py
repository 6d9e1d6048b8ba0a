"""Test media for exports: a clip with a pattern and a tone, and a face moving left to right.

The face is drawn (no image can be downloaded here): a skin-toned oval with shaded eye
sockets, eyebrows, nose and mouth, which OpenCV's frontal-face cascade detects at 80-200 px.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np

from tests.fixtures.media import run

FPS = 30


def draw_face(size: int) -> np.ndarray:
    """A BGR face image ``size`` px square on a dark background."""
    img = np.full((size, size, 3), 40, np.uint8)
    s = size / 200

    def p(x: float, y: float) -> tuple[int, int]:
        return int(x * s), int(y * s)

    def r(a: float, b: float) -> tuple[int, int]:
        return max(1, int(a * s)), max(1, int(b * s))

    cv2.ellipse(img, p(100, 105), r(70, 92), 0, 0, 360, (150, 180, 220), -1)
    img = cv2.GaussianBlur(img, (0, 0), 3 * s)
    for dx in (-32, 32):
        ex, ey = 100 + dx, 85
        cv2.ellipse(img, p(ex, ey), r(22, 12), 0, 0, 360, (90, 110, 140), -1)
        cv2.ellipse(img, p(ex, ey), r(12, 7), 0, 0, 360, (30, 30, 30), -1)
        cv2.line(img, p(ex - 22, ey - 20), p(ex + 22, ey - 22), (40, 50, 60), max(1, int(6 * s)))
    cv2.line(img, p(100, 90), p(94, 128), (110, 130, 170), max(1, int(4 * s)))
    cv2.ellipse(img, p(100, 132), r(14, 6), 0, 0, 360, (100, 120, 160), -1)
    cv2.ellipse(img, p(100, 158), r(26, 8), 0, 0, 360, (60, 60, 130), -1)
    return cv2.GaussianBlur(img, (0, 0), 1.5 * s)


def face_x_at(t: float, duration: float, width: int, face: int) -> float:
    """Centre x of the moving face at time ``t`` (linear, 10 % margins)."""
    x0, x1 = 0.1 * width + face / 2, 0.9 * width - face / 2
    return x0 + (x1 - x0) * min(1.0, max(0.0, t / duration))


def moving_face_video(
    path: Path, duration: float = 6.0, size: tuple[int, int] = (640, 360), face: int = 110
) -> Path:
    """An H.264/AAC MP4 of a face gliding left to right over a grey wall, with a tone."""
    w, h = size
    img = draw_face(face)
    proc = subprocess.Popen(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24"),
            *("-s", f"{w}x{h}", "-r", str(FPS), "-i", "pipe:0"),
            *("-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={duration}"),
            *("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "30"),
            *("-c:a", "aac", "-ac", "2", "-t", str(duration), str(path)),
        ],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    for k in range(round(duration * FPS)):
        frame = np.full((h, w, 3), 90, np.uint8)
        cx = face_x_at(k / FPS, duration, w, face)
        x, y = int(cx - face / 2), (h - face) // 2
        frame[y : y + face, x : x + face] = img
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    return path


def pattern_video(
    path: Path, duration: float, size: str = "640x360", background: str = "0x202020"
) -> Path:
    """A plain dark frame with a moving test pattern in its middle third, and a tone.

    The bottom of the frame stays one flat colour, so captions there are easy to find.
    """
    run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"color=c={background}:s={size}:r={FPS}:d={duration}"),
            *("-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FPS}:d={duration}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration}"),
            *("-filter_complex", "[0:v][1:v]overlay=(W-w)/2:(H-h)/3[v]", "-map", "[v]"),
            *("-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"),
            *("-g", "30", "-c:a", "aac", "-ac", "2", "-t", str(duration), str(path)),
        ]
    )
    return path


def facecam_video(path: Path, duration: float = 3.0, face: int = 80) -> Path:
    """Gameplay (a test pattern) with a still facecam in the bottom-right corner."""
    png = path.with_suffix(".face.png")
    cam = np.full((face + 40, face + 40, 3), 35, np.uint8)
    cam[20 : 20 + face, 20 : 20 + face] = draw_face(face)
    cv2.imwrite(str(png), cam)
    run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=640x360:r={FPS}:d={duration}"),
            *("-i", str(png)),
            *("-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=48000:duration={duration}"),
            *("-filter_complex", "[0:v][1:v]overlay=W-w-16:H-h-16[v]", "-map", "[v]"),
            *("-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"),
            *("-g", "30", "-c:a", "aac", "-ac", "2", "-t", str(duration), str(path)),
        ]
    )
    return path
