"""Where to crop: the stream's video region and the output-shaped window inside it (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REFRAME_MODES = ("center", "follow", "split", "fit")
FILLS = ("blur", "black")
# Share of the output height the facecam takes in the split layout.
SPLIT_TOP_SHARE = 0.4


@dataclass(frozen=True)
class Rect:
    """A pixel rectangle of the source frame (even values: yuv420p chroma is 2x2)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


def _even_down(v: float) -> int:
    return max(2, int(v) // 2 * 2)


def region_rect(region: Mapping[str, Any] | None, src_w: int, src_h: int) -> Rect:
    """The stream's reported video region in this file's pixels (the clip may be scaled from
    the captured frame: coordinates scale by ``frame_width``), clamped to the frame. No
    region, or one that is nearly empty, means the whole frame."""
    full = Rect(0, 0, _even_down(src_w), _even_down(src_h))
    if not region:
        return full
    fw = float(region.get("frame_width") or src_w)
    fh = float(region.get("frame_height") or src_h)
    sx, sy = src_w / fw, src_h / fh
    x0 = max(0.0, float(region["x"]) * sx)
    y0 = max(0.0, float(region["y"]) * sy)
    x1 = min(float(src_w), (float(region["x"]) + float(region["width"])) * sx)
    y1 = min(float(src_h), (float(region["y"]) + float(region["height"])) * sy)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return full
    x, y = int(x0) // 2 * 2, int(y0) // 2 * 2
    return Rect(x, y, _even_down(x1 - x), _even_down(y1 - y))


def window_size(area: Rect, out_w: int, out_h: int) -> tuple[int, int]:
    """The largest window of the output's aspect ratio that fits inside ``area``."""
    aspect = out_w / out_h
    if area.w / area.h > aspect:
        return _even_down(area.h * aspect), area.h
    return area.w, _even_down(area.w / aspect)


def centred_window(area: Rect, out_w: int, out_h: int, centre_x: float | None = None) -> Rect:
    """The output-shaped window inside ``area``, centred (horizontally on ``centre_x`` when
    given, kept inside the area)."""
    w, h = window_size(area, out_w, out_h)
    cx = area.cx if centre_x is None else centre_x
    x = min(max(cx - w / 2, area.x), area.x + area.w - w)
    y = area.y + (area.h - h) / 2
    return Rect(int(x) // 2 * 2, int(y) // 2 * 2, w, h)


def split_heights(out_h: int) -> tuple[int, int]:
    """(facecam, gameplay) heights of the split layout."""
    top = _even_down(out_h * SPLIT_TOP_SHARE)
    return top, out_h - top
