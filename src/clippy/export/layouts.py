"""The export layout a user picks on the clip page and a stream remembers (pure, no I/O).

A layout is the part of ``ExportOptions`` that does not depend on the platform: how the
frame is filled, where the facecam is, how captions look, and which frame shape X gets. It
lives in ``Stream.settings["layout"]`` so the next clip of the stream starts from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from clippy.export.plan import ExportOptions, check_options
from clippy.export.presets import ExportRefused, Preset

SETTINGS_KEY = "layout"
LAYOUT_LABELS = {
    "center": "Centre",
    "follow": "Follow the face",
    "split": "Facecam over gameplay",
    "fit": "Fit with blur",
}
POSITION_LABELS = {"bottom": "Bottom", "middle": "Middle", "top": "Top"}
ASPECT_NAMES = {"9:16": "vertical", "16:9": "landscape", "1:1": "square"}
PREVIEW_ASPECT = "9:16"
_FACECAM_KEYS = ("x", "y", "width", "height", "frame_width", "frame_height")


@dataclass(frozen=True)
class Layout:
    """How an export fills its frame. ``facecam`` is in the clip file's pixels, with the
    file's ``frame_width``/``frame_height`` so it scales like the stream's video region."""

    reframe: str = "center"
    facecam: dict[str, float] | None = None
    caption_style: str = "bold"
    caption_position: str = "bottom"
    x_aspect: str = "16:9"

    def options(self, preset: Preset, *, aspect: str | None = None) -> ExportOptions:
        """Export options for ``preset``: X takes the chosen aspect, the others their own
        (``aspect`` overrides when the preset accepts it, e.g. the 9:16 preview)."""
        wanted = aspect or self.x_aspect
        return ExportOptions(
            preset=preset.name,
            aspect=wanted if wanted in preset.aspects else None,
            reframe=self.reframe,
            fill="blur",
            facecam=dict(self.facecam) if self.reframe == "split" and self.facecam else None,
            caption_style=self.caption_style,
            caption_position=self.caption_position,
        )

    def aspect_of(self, preset: Preset) -> str:
        """The frame shape an export for ``preset`` gets with this layout."""
        return self.x_aspect if self.x_aspect in preset.aspects else preset.aspects[0]


def aspect_label(aspect: str) -> str:
    """``"9:16 vertical"``: what a button says about the shape it renders."""
    return f"{aspect} {ASPECT_NAMES.get(aspect, '')}".strip()


def parse_layout(
    reframe: str,
    caption_style: str,
    caption_position: str,
    x_aspect: str,
    facecam: Mapping[str, str | float | None] | None = None,
) -> Layout:
    """A layout from the clip page's form; ``ExportRefused`` says which field is wrong.

    ``facecam`` holds x, y, width, height and frame_width, frame_height; it is kept only
    when all are given (a split export without one finds the facecam itself).
    """
    if x_aspect not in ASPECT_NAMES:
        raise ExportRefused(f"aspect {x_aspect!r} is not one of {', '.join(ASPECT_NAMES)}")
    cam = _facecam(facecam) if facecam else None
    layout = Layout(reframe, cam, caption_style, caption_position, x_aspect)
    check_options(layout.options(_ANY_PRESET))
    if cam is not None and (
        cam["x"] + cam["width"] > cam["frame_width"] + 1
        or cam["y"] + cam["height"] > cam["frame_height"] + 1
    ):
        raise ExportRefused("the facecam rectangle must lie inside the frame; draw it again")
    return layout


def _facecam(values: Mapping[str, str | float | None]) -> dict[str, float] | None:
    if all(values.get(k) in (None, "") for k in _FACECAM_KEYS):
        return None
    try:
        cam = {k: float(values[k]) for k in _FACECAM_KEYS}  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        raise ExportRefused(
            "the facecam needs x, y, width and height in the frame's pixels; draw it again"
        ) from None
    if min(cam.values()) < 0 or min(cam["width"], cam["height"]) < 16:
        raise ExportRefused("the facecam rectangle is too small; draw it at least 16 px wide")
    return {k: round(v, 1) for k, v in cam.items()}


# Any preset accepts the checks that do not depend on the platform.
_ANY_PRESET = Preset("any", "any", 0.0, tuple(ASPECT_NAMES))


def stored_layout(settings: Mapping[str, Any] | None) -> Layout | None:
    """The layout a stream remembers, or ``None`` when it has none (or it no longer checks)."""
    data = (settings or {}).get(SETTINGS_KEY)
    if not isinstance(data, Mapping):
        return None
    try:
        return parse_layout(
            str(data.get("reframe", "center")),
            str(data.get("caption_style", "bold")),
            str(data.get("caption_position", "bottom")),
            str(data.get("x_aspect", "16:9")),
            data.get("facecam") if isinstance(data.get("facecam"), Mapping) else None,
        )
    except ExportRefused:
        return None


def with_layout(settings: Mapping[str, Any] | None, layout: Layout) -> dict[str, Any]:
    """A new settings dict holding ``layout`` (a new object: JSON columns notice reassignment)."""
    return {**(settings or {}), SETTINGS_KEY: asdict(layout)}


__all__ = [
    "LAYOUT_LABELS",
    "POSITION_LABELS",
    "PREVIEW_ASPECT",
    "Layout",
    "aspect_label",
    "parse_layout",
    "stored_layout",
    "with_layout",
]
