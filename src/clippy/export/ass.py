"""The ASS subtitle document burned into an export: captions, watermark, context cards.

Everything drawn as text goes through libass (ffmpeg's ``ass`` filter) from this one file:
no text ever travels inside a filter-graph string, so no escaping rules to get wrong.
Pure: returns text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clippy.export.captions import CaptionLine

CAPTION_STYLES = ("clean", "bold", "karaoke")
POSITIONS = ("bottom", "middle", "top")
# ASS numpad alignment: 2 bottom-centre, 5 middle-centre, 8 top-centre.
_ALIGN = {"bottom": 2, "middle": 5, "top": 8}
# Colours are &HAABBGGRR (alpha 00 = opaque).
_WHITE, _BLACK, _YELLOW = "&H00FFFFFF", "&H00000000", "&H0000E5FF"


@dataclass(frozen=True)
class Overlay:
    """Text shown over a span of the output (context cards and labels)."""

    text: str
    start: float
    end: float
    big: bool = False


def caption_margin(height: int, position: str) -> int:
    """Vertical margin of captions: clear of the platforms' bottom UI (likes, description)."""
    return round(height * (0.2 if position == "bottom" else 0.1))


def _font_size(width: int, height: int, style: str) -> int:
    base = min(width, height * 9 / 16)
    return round(base * (0.085 if style == "bold" else 0.065))


def _escape(text: str) -> str:
    # Braces start override blocks and a backslash starts a tag; newlines end the event.
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")").replace("\n", " ")


def _t(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    h, cs = divmod(cs, 360_000)
    m, cs = divmod(cs, 6000)
    s, cs = divmod(cs, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def ass_document(
    width: int,
    height: int,
    lines: Sequence[CaptionLine],
    *,
    style: str = "bold",
    position: str = "bottom",
    watermark: str | None = None,
    overlays: Sequence[Overlay] = (),
    duration: float = 0.0,
) -> str:
    """The full .ass file for a ``width`` x ``height`` output of ``duration`` seconds."""
    if style not in CAPTION_STYLES:
        raise ValueError(f"unknown caption style {style!r}; choose {', '.join(CAPTION_STYLES)}")
    if position not in POSITIONS:
        raise ValueError(f"unknown caption position {position!r}; choose {', '.join(POSITIONS)}")
    size = _font_size(width, height, style)
    margin = caption_margin(height, position)
    bold = -1 if style in ("bold", "karaoke") else 0
    outline, shadow = (6, 0) if style in ("bold", "karaoke") else (2, 1)
    small = round(min(width, height) * 0.035)
    big = round(min(width, height) * 0.09)
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour,"
        " BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle,"
        " BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        _style("Caption", size, bold, outline, shadow, _ALIGN[position], width // 12, margin),
        _style("Watermark", small, -1, 2, 0, 9, width // 30, height // 40, primary="&H60FFFFFF"),
        _style("Card", big, -1, 0, 0, 5, width // 12, 0),
        _style("Label", small, -1, 2, 0, 7, width // 30, height // 40),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = []
    for ln in lines:
        if style == "karaoke":
            events.extend(_karaoke_events(ln))
        else:
            text = _escape(ln.text.upper() if style == "bold" else ln.text)
            events.append(_event("Caption", ln.start, ln.end, text))
    for ov in overlays:
        events.append(_event("Card" if ov.big else "Label", ov.start, ov.end, _escape(ov.text)))
    if watermark:
        events.append(_event("Watermark", 0.0, max(duration, 0.01) + 1.0, _escape(watermark)))
    return "\n".join([*header, *events]) + "\n"


def _karaoke_events(line: CaptionLine) -> list[str]:
    """One event per word: the whole line, the word being spoken in yellow. Gaps between
    words keep the previous word lit so the line does not flicker."""
    words = line.words
    out = []
    for i, w in enumerate(words):
        end = words[i + 1].start if i + 1 < len(words) else w.end
        parts = [
            f"{{\\c{_YELLOW}&}}{_escape(x.text.upper())}{{\\c{_WHITE}&}}"
            if j == i
            else _escape(x.text.upper())
            for j, x in enumerate(words)
        ]
        out.append(_event("Caption", w.start, max(end, w.start + 0.01), " ".join(parts)))
    return out


def _style(
    name: str,
    size: int,
    bold: int,
    outline: int,
    shadow: int,
    align: int,
    margin_lr: int,
    margin_v: int,
    primary: str = _WHITE,
) -> str:
    return (
        f"Style: {name},DejaVu Sans,{size},{primary},{_YELLOW},{_BLACK},&H80000000,{bold},0,0,0,"
        f"100,100,0,0,1,{outline},{shadow},{align},{margin_lr},{margin_lr},{margin_v},1"
    )


def _event(style: str, start: float, end: float, text: str) -> str:
    return f"Dialogue: 0,{_t(start)},{_t(end)},{style},,0,0,0,,{text}"
