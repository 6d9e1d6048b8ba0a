"""Word-timed caption lines from transcript words, and SRT/VTT sidecars (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clippy.export.timeline import Timeline


@dataclass(frozen=True)
class CaptionWord:
    """One word on the output's timeline (seconds from the export's first frame)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class CaptionLine:
    """Words shown together; the line is on screen from ``start`` to ``end``."""

    words: tuple[CaptionWord, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def words_on_timeline(words: Iterable[dict[str, Any]], timeline: Timeline) -> list[CaptionWord]:
    """Transcript words (stream time) placed on the export's timeline; words outside every
    range of the clip are dropped, words across a range edge are clipped to it."""
    out = []
    for w in words:
        text = str(w.get("text", "")).strip()
        if not text:
            continue
        placed = timeline.place(float(w["start"]), float(w["end"]))
        if placed is not None:
            out.append(CaptionWord(text, *placed))
    out.sort(key=lambda w: w.start)
    return out


def edited_lines(lines: Iterable[dict[str, Any]], timeline: Timeline) -> list[CaptionLine]:
    """The user's edited caption lines (clip-relative ``start``/``end``/``text``) on the
    export's timeline. The editor keeps no per-word times, so each line's span is shared
    among its words by length (what the karaoke style lights up)."""
    out = []
    for ln in lines:
        words = str(ln.get("text", "")).split()
        placed = timeline.place_file(float(ln["start"]), float(ln["end"]))
        if not words or placed is None or placed[1] <= placed[0]:
            continue
        start, end = placed
        weights = [len(w) + 1 for w in words]
        total, acc, timed = sum(weights), 0, []
        for w, weight in zip(words, weights, strict=True):
            a = start + (end - start) * acc / total
            acc += weight
            timed.append(CaptionWord(w, a, start + (end - start) * acc / total))
        out.append(CaptionLine(tuple(timed)))
    return out


def group_lines(
    words: Sequence[CaptionWord], max_words: int = 4, max_gap: float = 0.7
) -> list[CaptionLine]:
    """Break words into lines of at most ``max_words``; a pause longer than ``max_gap`` or a
    sentence end starts a new line, so a line never spans a silence."""
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    lines: list[CaptionLine] = []
    cur: list[CaptionWord] = []
    for w in words:
        if cur and (
            len(cur) >= max_words or w.start - cur[-1].end > max_gap or cur[-1].text[-1:] in ".?!"
        ):
            lines.append(CaptionLine(tuple(cur)))
            cur = []
        cur.append(w)
    if cur:
        lines.append(CaptionLine(tuple(cur)))
    return lines


def _stamp(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(lines: Sequence[CaptionLine]) -> str:
    """The lines as a SubRip (.srt) document."""
    blocks = [
        f"{i}\n{_stamp(ln.start, ',')} --> {_stamp(ln.end, ',')}\n{ln.text}\n"
        for i, ln in enumerate(lines, 1)
    ]
    return "\n".join(blocks)


def vtt(lines: Sequence[CaptionLine]) -> str:
    """The lines as a WebVTT (.vtt) document."""
    blocks = [f"{_stamp(ln.start, '.')} --> {_stamp(ln.end, '.')}\n{ln.text}\n" for ln in lines]
    return "WEBVTT\n\n" + "\n".join(blocks)
