"""Find a streamer's facecam: a face that stays put in a small part of the frame.

``facecam_from_boxes`` is pure (sampled face boxes in, a rectangle or ``None`` out);
``detect_facecam`` samples the clip. Used by the split layout when no facecam region was
given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from clippy.export.reframe import Rect
from clippy.export.track import Box, sample_face_boxes

# A facecam face is found in most frames, barely moves, and is small next to the game.
MIN_FOUND_SHARE = 0.6
MAX_DRIFT_SHARE = 0.05  # of the area's width: centre's standard deviation
MAX_FACE_SHARE = 0.35  # of the area's height
# The camera shows head and shoulders: this many face widths across, face heights down.
CAM_WIDTH_FACES, CAM_HEIGHT_FACES = 2.4, 1.9
DETECT_WIDTH = 480  # facecam faces are small: look at larger frames than for tracking


def facecam_from_boxes(samples: Sequence[tuple[float, Box | None]], area: Rect) -> Rect | None:
    """The facecam rectangle around a steady, small face, or ``None`` if there is none."""
    boxes = np.array([b for _, b in samples if b is not None], dtype=float)
    if not samples or len(boxes) < MIN_FOUND_SHARE * len(samples):
        return None
    cx = boxes[:, 0] + boxes[:, 2] / 2
    cy = boxes[:, 1] + boxes[:, 3] / 2
    if max(cx.std(), cy.std()) > MAX_DRIFT_SHARE * area.w:
        return None
    size = float(np.median(boxes[:, 3]))
    if size > MAX_FACE_SHARE * area.h:
        return None
    w = min(area.w, size * CAM_WIDTH_FACES)
    h = min(area.h, size * CAM_HEIGHT_FACES)
    # The face sits a little above the camera's centre (shoulders below it).
    x = min(max(float(np.median(cx)) - w / 2, area.x), area.x + area.w - w)
    y = min(max(float(np.median(cy)) - h * 0.45, area.y), area.y + area.h - h)
    return Rect(int(x) // 2 * 2, int(y) // 2 * 2, int(w) // 2 * 2, int(h) // 2 * 2)


def detect_facecam(
    video: Path, area: Rect, fps: float = 1.0, until: float | None = None
) -> Rect | None:
    """The facecam of ``video`` inside ``area`` (sampled at ``fps``, over its first ``until``
    seconds when given), or ``None``."""
    boxes = sample_face_boxes(video, area, fps=fps, width=DETECT_WIDTH, until=until)
    return facecam_from_boxes(boxes, area)
