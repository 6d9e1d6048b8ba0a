"""Clip editing: trim a clip to a sub-range, and its caption lines (derive, edit, store).

Times in the editor are clip-relative seconds (0 = first frame of the clip); the stored
ranges are stream time. The pure functions here convert between the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from clippy.clips.service import clip_spans
from clippy.db import Clip, ClipCaption, utcnow
from clippy.transcribe import words_between

__all__ = [
    "CAPTION_STYLES",
    "CaptionLine",
    "caption_lines",
    "clip_captions",
    "merge_lines",
    "save_captions",
    "split_earlier",
    "split_line",
    "trim_ranges",
    "trim_spans",
    "trimmed_parts",
]

# The same style names as the export renderer's captions (``clippy.export``), so the style
# chosen here is the one an export burns in.
CAPTION_STYLES = {
    "clean": "Clean — white text, soft shadow",
    "bold": "Bold — large words, thick outline",
    "karaoke": "Karaoke — each word lights up as it is said",
}
_MAX_WORDS_PER_LINE = 7
_LINE_GAP_SECONDS = 0.7


@dataclass(frozen=True)
class CaptionLine:
    """One caption line in clip time."""

    start: float
    end: float
    text: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as stored."""
        return {"start": round(self.start, 3), "end": round(self.end, 3), "text": self.text}


def trim_ranges(
    ranges: Sequence[tuple[float, float]], start: float, end: float
) -> list[tuple[float, float]]:
    """The stream-time ranges covering clip time ``[start, end)`` of a clip made of ``ranges``.

    Raises ``ValueError`` when the requested part is empty or outside the clip.
    """
    return [(s, e) for _, s, e in trim_spans([(0, s, e) for s, e in ranges], start, end)]


def trim_spans(
    spans: Sequence[tuple[int, float, float]], start: float, end: float
) -> list[tuple[int, float, float]]:
    """``trim_ranges`` of a clip whose ranges may come from several streams: each kept part
    keeps its ``(stream id, start, end)`` stream (a callback's earlier setup stays in the
    earlier stream)."""
    length = sum(e - s for _, s, e in spans)
    if not 0 <= start < end or end > length + 1e-3:
        raise ValueError(
            f"choose a part inside the clip (0 to {length:.2f} s); got {start:.2f}-{end:.2f} s"
        )
    out: list[tuple[int, float, float]] = []
    offset = 0.0
    for sid, s, e in spans:
        lo = max(start, offset)
        hi = min(end, offset + (e - s))
        if hi - lo > 1e-6:
            out.append((sid, s + lo - offset, s + hi - offset))
        offset += e - s
    return out


def split_earlier(
    spans: Sequence[tuple[int, float, float]],
) -> tuple[int, list[tuple[int, float, float]], list[tuple[float, float]]]:
    """A trimmed clip's parts as ``make_clip`` takes them: the stream the clip belongs to
    (that of its last part), the parts of other streams before it (``earlier``), and its own
    ranges. Raises ``ValueError`` when another stream's part comes after the clip's own."""
    stream_id = spans[-1][0]
    own = [(s, e) for sid, s, e in spans if sid == stream_id]
    earlier = [sp for sp in spans if sp[0] != stream_id]
    if any(sid != stream_id for sid, _, _ in spans[len(earlier) :]):
        raise ValueError("another stream's part can only come before the clip's own")
    return stream_id, earlier, own


def trimmed_parts(
    clip: Clip, start: float, end: float
) -> tuple[int, list[tuple[int, float, float]], list[tuple[float, float]]]:
    """Clip time ``[start, end)`` of ``clip`` as ``split_earlier`` gives it: the new clip's
    stream, the parts of other streams before it, and its own ranges."""
    return split_earlier(trim_spans(clip_spans(clip), start, end))


def _clip_time(ranges: Sequence[tuple[float, float]], t: float) -> float | None:
    offset = 0.0
    for s, e in ranges:
        if s <= t < e:
            return offset + t - s
        offset += e - s
    return None


def caption_lines(
    words: Sequence[dict[str, Any]], ranges: Sequence[tuple[float, float]]
) -> list[CaptionLine]:
    """Group stream-time ``words`` inside ``ranges`` into short caption lines in clip time.

    A line ends after a pause, at sentence punctuation, or after seven words: short lines
    read well on a phone-sized vertical video.
    """
    lines: list[CaptionLine] = []
    current: list[tuple[float, float, str]] = []

    def flush() -> None:
        if current:
            text = " ".join(w for _, _, w in current)
            lines.append(CaptionLine(current[0][0], current[-1][1], text))
            current.clear()

    for word in words:
        start = _clip_time(ranges, float(word["start"]))
        if start is None:
            continue
        end = max(start, start + float(word["end"]) - float(word["start"]))
        text = str(word.get("text", "")).strip()
        if not text:
            continue
        if current and (start - current[-1][1] > _LINE_GAP_SECONDS):
            flush()
        current.append((start, end, text))
        if len(current) >= _MAX_WORDS_PER_LINE or text[-1] in ".!?":
            flush()
    flush()
    return lines


def split_line(lines: Sequence[CaptionLine], index: int) -> list[CaptionLine]:
    """Split line ``index`` in two at its middle word; times divided by text length."""
    out = list(lines)
    line = out[index]
    words = line.text.split()
    if len(words) < 2:
        return out
    half = len(words) // 2
    first, second = " ".join(words[:half]), " ".join(words[half:])
    cut = line.start + (line.end - line.start) * len(first) / (len(first) + len(second) + 1)
    out[index : index + 1] = [
        CaptionLine(line.start, cut, first),
        CaptionLine(cut, line.end, second),
    ]
    return out


def merge_lines(lines: Sequence[CaptionLine], index: int) -> list[CaptionLine]:
    """Merge line ``index`` with the next one."""
    out = list(lines)
    if index + 1 >= len(out):
        return out
    a, b = out[index], out[index + 1]
    out[index : index + 2] = [CaptionLine(a.start, b.end, f"{a.text} {b.text}".strip())]
    return out


def clip_captions(session: Session, clip: Clip) -> tuple[list[CaptionLine], str, bool]:
    """The clip's caption lines and style; ``edited`` is False while they come from the
    transcript unchanged."""
    saved = session.get(ClipCaption, clip.id)
    if saved is not None:
        lines = [
            CaptionLine(float(x["start"]), float(x["end"]), str(x["text"])) for x in saved.lines
        ]
        return lines, saved.style, True
    ranges = [(r.start, r.end) for r in clip.ranges]
    if not ranges:
        return [], "clean", False
    words = words_between(session, clip.stream_id, ranges[0][0], ranges[-1][1])
    return caption_lines(words, ranges), "clean", False


def save_captions(session: Session, clip: Clip, lines: Sequence[CaptionLine], style: str) -> None:
    """Store the user's caption lines and style for ``clip`` (replacing earlier edits).

    The edited text also becomes the clip's searchable spoken text.
    """
    if style not in CAPTION_STYLES:
        raise ValueError(
            f"unknown caption style {style!r}; choose one of {', '.join(CAPTION_STYLES)}"
        )
    row = session.get(ClipCaption, clip.id)
    if row is None:
        row = ClipCaption(clip_id=clip.id)
        session.add(row)
    row.lines = [ln.as_dict() for ln in lines if ln.text.strip()]
    row.style = style
    row.updated_at = utcnow()
    # The user's corrections are what was really said: search must find the fixed words
    # ("Kappa", a name) and no longer the recogniser's mistakes.
    clip.transcript_text = " ".join(x["text"] for x in row.lines)
    session.flush()
