"""How long a streamer wants their clips: short, medium or long (pure, no I/O).

Chosen per user (``User.settings["clip_length"]``) and per stream (``Stream.settings``,
which wins); the planner grows a clip toward the range's low end at sentence boundaries, so
the extra seconds are the setup and the payoff rather than a cut mid-word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SETTINGS_KEY = "clip_length"
# (shortest, longest) seconds. Medium by default: Shorts/TikTok clips that tell a story
# (setup and payoff) run 20-60 s; the planner's old 15 s floor cut most to 15-18 s.
LENGTHS: dict[str, tuple[float, float]] = {
    "short": (15.0, 30.0),
    "medium": (30.0, 60.0),
    "long": (60.0, 90.0),
}
LABELS = {
    "short": "Short · 15 to 30 s",
    "medium": "Medium · 30 to 60 s",
    "long": "Long · 60 to 90 s",
}
DEFAULT_LENGTH = "medium"


class InvalidClipLength(ValueError):
    """The chosen length is not one of the offered ones."""


def parse_length(value: str) -> str:
    """``value`` if it names a length; ``InvalidClipLength`` lists the valid ones."""
    if value not in LENGTHS:
        raise InvalidClipLength(f"clip length {value!r} is not one of {', '.join(LENGTHS)}")
    return value


def stored_length(settings: Mapping[str, Any] | None) -> str | None:
    """The length kept in a user's or stream's settings JSON, or ``None``."""
    value = (settings or {}).get(SETTINGS_KEY)
    return value if isinstance(value, str) and value in LENGTHS else None


def with_length(settings: Mapping[str, Any] | None, length: str | None) -> dict[str, Any]:
    """A new settings dict with ``length`` (``None`` removes it: back to the default)."""
    out = {k: v for k, v in (settings or {}).items() if k != SETTINGS_KEY}
    if length is not None:
        out[SETTINGS_KEY] = parse_length(length)
    return out


def effective_length(
    user_settings: Mapping[str, Any] | None,
    stream_settings: Mapping[str, Any] | None = None,
    default: str = DEFAULT_LENGTH,
) -> str:
    """The length detection uses: the stream's choice, else the user's, else ``default``."""
    return stored_length(stream_settings) or stored_length(user_settings) or default


def length_range(name: str) -> tuple[float, float]:
    """(shortest, longest) seconds of a length."""
    return LENGTHS[parse_length(name)]


__all__ = [
    "DEFAULT_LENGTH",
    "LABELS",
    "LENGTHS",
    "InvalidClipLength",
    "effective_length",
    "length_range",
    "parse_length",
    "stored_length",
    "with_length",
]
