"""Branding (business plan): the user's own logo burned into exports. Pure: the options, where
they live in ``User.settings``, and where the logo goes on an output frame.

Logo objects are content-addressed (``branding/<user>/<sha256>.png``) and never overwritten,
and an export job records the key it was created with, so a job made before the logo
changed still renders with the logo it was made with (see ``clippy.branding.logos``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from clippy.accounts import Plan
from clippy.errors import InvalidInput

__all__ = [
    "CORNERS",
    "MAX_LOGO_BYTES",
    "MAX_LOGO_SIDE",
    "Branding",
    "BrandingError",
    "LogoPlacement",
    "branding_allowed",
    "check_options",
    "place_logo",
    "read_branding",
]

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SIZE_RANGE = (5, 30)  # logo width as % of the output width
OPACITY_RANGE = (20, 100)  # %
DEFAULT_CORNER, DEFAULT_SIZE, DEFAULT_OPACITY = "top-right", 15, 90
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 2000
SETTINGS_KEY = "branding"
_KEY_RE = re.compile(r"^branding/(\d+)/([0-9a-f]{64})\.png$")


class BrandingError(InvalidInput):
    """A branding request that cannot be honoured; the message says why."""


@dataclass(frozen=True)
class Branding:
    """A stored logo and how to place it."""

    key: str
    width: int
    height: int
    corner: str = DEFAULT_CORNER
    size: int = DEFAULT_SIZE
    opacity: int = DEFAULT_OPACITY

    @property
    def digest(self) -> str:
        """The logo's SHA-256 (its name in the store and in its URL)."""
        match = _KEY_RE.match(self.key)
        return match.group(2) if match else ""

    def to_json(self) -> dict[str, Any]:
        """As stored in ``User.settings`` and on export jobs."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Branding | None:
        """Read back from JSON; ``None`` for anything that is not a complete, valid record."""
        if not isinstance(data, dict):
            return None
        try:
            branding = cls(
                key=str(data["key"]),
                width=int(data["width"]),
                height=int(data["height"]),
                corner=str(data.get("corner", DEFAULT_CORNER)),
                size=int(data.get("size", DEFAULT_SIZE)),
                opacity=int(data.get("opacity", DEFAULT_OPACITY)),
            )
            check_options(branding.corner, branding.size, branding.opacity)
        except (KeyError, TypeError, ValueError):
            return None
        return branding if branding.digest else None


def branding_allowed(plan: Plan) -> bool:
    """Whether exports on ``plan`` may carry the user's own logo."""
    return plan.custom_branding


def check_options(corner: str, size: int, opacity: int) -> None:
    """Refuse a corner, size or opacity outside the offered choices (``BrandingError``)."""
    if corner not in CORNERS:
        raise BrandingError(f"position {corner!r} is not one of {', '.join(CORNERS)}")
    if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
        raise BrandingError(
            f"size must be {SIZE_RANGE[0]}-{SIZE_RANGE[1]} % of the video width, not {size}"
        )
    if not OPACITY_RANGE[0] <= opacity <= OPACITY_RANGE[1]:
        raise BrandingError(
            f"opacity must be {OPACITY_RANGE[0]}-{OPACITY_RANGE[1]} %, not {opacity}"
        )


def read_branding(settings: dict[str, Any] | None) -> Branding | None:
    """The user's branding from ``User.settings``, or ``None`` when there is no logo."""
    return Branding.from_json((settings or {}).get(SETTINGS_KEY))


@dataclass(frozen=True)
class LogoPlacement:
    """The logo on one output frame: its scaled size, top-left corner and alpha factor."""

    width: int
    height: int
    x: int
    y: int
    alpha: float


def place_logo(branding: Branding, out_w: int, out_h: int) -> LogoPlacement:
    """Scale the logo to ``size`` % of the output width (height kept in proportion, both even
    for yuv420p) and put it in its corner with a margin of 4 % of the shorter side."""
    width = max(2, round(out_w * branding.size / 100 / 2) * 2)
    height = max(2, round(width * branding.height / branding.width / 2) * 2)
    if height > out_h // 2:
        # A tall logo on a wide frame: cap it at half the frame height.
        height = out_h // 2 // 2 * 2
        width = max(2, round(height * branding.width / branding.height / 2) * 2)
    margin = round(min(out_w, out_h) * 0.04)
    x = margin if branding.corner.endswith("left") else out_w - width - margin
    y = margin if branding.corner.startswith("top") else out_h - height - margin
    return LogoPlacement(width, height, x, y, branding.opacity / 100)
