"""Decide an export before rendering: options checked, size and watermark from the plan,
the timeline with context cards, and the text overlays (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clippy.accounts import Plan
from clippy.branding import Branding, LogoPlacement, branding_allowed, place_logo
from clippy.export.ass import CAPTION_STYLES, POSITIONS, Overlay
from clippy.export.presets import ExportRefused, check_length, get_preset, output_size
from clippy.export.reframe import FILLS, REFRAME_MODES
from clippy.export.timeline import Timeline, build_timeline

CONTEXT_MODES = ("card", "overlay", "none")
CARD_SECONDS = 1.0
WATERMARK_TEXT = "made with Clippy"
EARLIER_TEXT = "Earlier…"
NOW_TEXT = "Now"


@dataclass(frozen=True)
class ExportOptions:
    """What the user asked for. ``facecam`` is a region in captured-frame pixels (like the
    stream's video region) for the split layout; without one it is looked for."""

    preset: str
    aspect: str | None = None
    quality: int | None = None
    reframe: str = "center"
    fill: str = "blur"
    facecam: dict[str, Any] | None = None
    captions: bool = True
    caption_style: str = "bold"
    caption_position: str = "bottom"
    max_words: int = 4
    context: str = "card"

    def to_json(self) -> dict[str, Any]:
        """The options as stored on the job row."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportOptions:
        """Options read back from a job row (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ExportPlan:
    """Everything the renderer needs to know that does not come from the media itself."""

    options: ExportOptions
    width: int
    height: int
    watermark: str | None
    timeline: Timeline
    overlays: list[Overlay] = field(default_factory=list)
    branding: Branding | None = None  # the logo to burn in (business plan), and where
    logo: LogoPlacement | None = None


def check_options(options: ExportOptions) -> None:
    """Refuse unknown modes and styles with the list of valid ones."""
    choices = [
        ("reframe", options.reframe, REFRAME_MODES),
        ("fill", options.fill, FILLS),
        ("caption_style", options.caption_style, CAPTION_STYLES),
        ("caption_position", options.caption_position, POSITIONS),
        ("context", options.context, CONTEXT_MODES),
    ]
    for name, value, valid in choices:
        if value not in valid:
            raise ExportRefused(f"{name} {value!r} is not one of {', '.join(valid)}")
    if not 1 <= options.max_words <= 12:
        raise ExportRefused("max_words must be between 1 and 12")
    if options.facecam is not None:
        fc = options.facecam
        try:
            ok = all(float(fc[k]) >= 0 for k in ("x", "y")) and all(
                float(fc[k]) > 0 for k in ("width", "height")
            )
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise ExportRefused(
                "facecam must give x, y (>= 0) and width, height (> 0) in captured-frame pixels"
            )


def plan_export(
    options: ExportOptions,
    plan: Plan,
    ranges: Sequence[tuple[float, float]],
    file_duration: float,
    branding: Branding | None = None,
) -> ExportPlan:
    """Check the request against the preset and the plan; ``ExportRefused`` says why not.
    ``branding`` (the logo recorded on the job) is placed only on a plan that allows it."""
    check_options(options)
    preset = get_preset(options.preset)
    width, height = output_size(preset, options.aspect, options.quality, plan)
    multi = len(ranges) > 1
    card = CARD_SECONDS if multi and options.context == "card" else 0.0
    timeline = build_timeline(ranges, file_duration, card)
    check_length(preset, timeline.duration)
    overlays: list[Overlay] = []
    if multi and options.context != "none":
        for p in timeline.pieces[:-1]:
            overlays.append(Overlay(EARLIER_TEXT, p.out_start, p.out_start + p.duration))
        overlays.extend(Overlay(NOW_TEXT, a, b, big=True) for a, b in timeline.cards())
    if branding is not None and not branding_allowed(plan):
        branding = None
    return ExportPlan(
        options=options,
        width=width,
        height=height,
        watermark=WATERMARK_TEXT if plan.watermark else None,
        timeline=timeline,
        overlays=overlays,
        branding=branding,
        logo=place_logo(branding, width, height) if branding is not None else None,
    )
