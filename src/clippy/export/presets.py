"""Platform presets and plan caps: the one place these numbers live (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clippy.accounts import Plan
from clippy.errors import InvalidInput


@dataclass(frozen=True)
class Preset:
    """A platform's output format. ``aspects`` lists the frame shapes it accepts, first is
    the default; sizes are for 1080p (the short side) and scale with the quality cap."""

    name: str
    label: str
    max_seconds: float
    aspects: tuple[str, ...]


PRESETS: dict[str, Preset] = {
    "shorts": Preset("shorts", "YouTube Shorts", 60.0, ("9:16",)),
    "tiktok": Preset("tiktok", "TikTok", 180.0, ("9:16",)),
    "reels": Preset("reels", "Instagram Reels", 90.0, ("9:16",)),
    "x": Preset("x", "X / Twitter", 140.0, ("16:9", "1:1", "9:16")),
}

# Frame size per aspect at a short side of 1080 px.
_SIZES_1080: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
}
QUALITIES = (720, 1080, 2160)


class ExportRefused(InvalidInput):
    """The export cannot be made as asked; the message says what to change."""


class UnknownPreset(ExportRefused):
    """No preset has that name."""


class ClipTooLong(ExportRefused):
    """The clip is longer than the platform allows; ``trim_to`` is the longest it may be."""

    def __init__(self, preset: Preset, duration: float) -> None:
        self.trim_to = preset.max_seconds
        super().__init__(
            f"this clip is {_clock(duration)} long but {preset.label} allows at most"
            f" {_clock(preset.max_seconds)}; trim it to {_clock(preset.max_seconds)} or less"
            " (for example keep the last part with the payoff) and export again"
        )

    @property
    def detail(self) -> Any:
        """The message and how long the clip may be, so a client can offer the trim."""
        return {"message": str(self), "trim_to": self.trim_to}


def _clock(seconds: float) -> str:
    whole = round(seconds, 1)
    m, s = divmod(whole, 60)
    return f"{int(m)}:{s:04.1f}" if m else f"{s:.1f} s"


def get_preset(name: str) -> Preset:
    """The preset called ``name``; ``UnknownPreset`` lists the valid names."""
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownPreset(
            f"unknown export preset {name!r}; choose one of {', '.join(PRESETS)}"
        ) from None


def check_length(preset: Preset, duration: float, fps: float = 30.0) -> None:
    """Refuse (``ClipTooLong``) a clip longer than the preset allows; never cut silently.

    Half a frame of slack: a 60.00 s cut may probe as 60.01 s.
    """
    if duration > preset.max_seconds + 0.5 / fps:
        raise ClipTooLong(preset, duration)


def output_size(
    preset: Preset, aspect: str | None, quality: int | None, plan: Plan
) -> tuple[int, int]:
    """Output (width, height): the preset's shape at ``quality`` (short side in px), capped by
    the plan's maximum export quality. ``None`` quality means the plan's best up to 1080p."""
    aspect = aspect or preset.aspects[0]
    if aspect not in preset.aspects:
        raise ExportRefused(
            f"{preset.label} takes {', '.join(preset.aspects)} frames, not {aspect}"
        )
    if quality is not None and quality not in QUALITIES:
        raise ExportRefused(
            f"quality {quality}p is not offered; choose {', '.join(f'{q}p' for q in QUALITIES)}"
        )
    if quality is not None and quality > plan.max_export_height:
        raise ExportRefused(
            f"the {plan.name} plan exports at most {_quality_name(plan.max_export_height)};"
            f" choose {_quality_name(plan.max_export_height)} or lower, or upgrade for"
            f" {_quality_name(quality)}"
        )
    short = quality or min(1080, plan.max_export_height)
    w, h = _SIZES_1080[aspect]
    # Even sizes: yuv420p needs them.
    return (_even(w * short / 1080), _even(h * short / 1080))


def _quality_name(short_side: int) -> str:
    return "4K" if short_side >= 2160 else f"{short_side}p"


def _even(x: float) -> int:
    return round(x / 2) * 2
