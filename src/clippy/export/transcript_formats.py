"""A recording's transcript as files: JSON, SubRip (SRT), WebVTT and plain text (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from clippy.export.captions import CaptionLine, CaptionWord, srt, vtt
from clippy.transcribe import Word

FORMATS = ("json", "srt", "vtt", "txt")
# A subtitle cue: at most two lines' worth of text, and short enough to read while it shows.
_CUE_CHARS = 84
_CUE_SECONDS = 6.0
_PAUSE = 0.6  # silence that always starts a new cue
_ENDS_SENTENCE = (".", "?", "!")


@dataclass(frozen=True)
class Cue:
    """A run of words shown (or read) together: ``[start, end]`` in seconds and its text."""

    text: str
    start: float
    end: float


def _groups(words: Sequence[Word]) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in words:
        cur = out[-1] if out else None
        if (
            cur is None
            or w.start - cur[-1].end > _PAUSE
            or cur[-1].text.endswith(_ENDS_SENTENCE)
            or w.end - cur[0].start > _CUE_SECONDS
            or sum(len(x.text) + 1 for x in cur) + len(w.text) > _CUE_CHARS
        ):
            out.append([w])
        else:
            cur.append(w)
    return out


def cues(words: Sequence[Word]) -> list[Cue]:
    """Words grouped at sentence ends, pauses, and the length a reader can take in at once."""
    return [Cue(" ".join(w.text for w in g), g[0].start, g[-1].end) for g in _groups(words)]


def to_json(words: Sequence[Word], language: str) -> str:
    """``{"language", "words": [{text, start, end, confidence}], "segments": [{text, start,
    end}]}``."""
    data = {
        "language": language,
        "words": [w.to_json() for w in words],
        "segments": [
            {"text": c.text, "start": round(c.start, 3), "end": round(c.end, 3)}
            for c in cues(words)
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _lines(words: Sequence[Word]) -> list[CaptionLine]:
    return [
        CaptionLine(tuple(CaptionWord(w.text, w.start, w.end) for w in group))
        for group in _groups(words)
    ]


def to_srt(words: Sequence[Word]) -> str:
    """SubRip subtitles, one cue per ``cues`` group."""
    return srt(_lines(words))


def to_vtt(words: Sequence[Word]) -> str:
    """WebVTT subtitles, one cue per ``cues`` group."""
    return vtt(_lines(words))


def to_txt(words: Sequence[Word]) -> str:
    """The text, one sentence-like group per line."""
    return "".join(c.text + "\n" for c in cues(words))


def render(words: Sequence[Word], language: str, fmt: str) -> str:
    """The transcript in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "json":
        return to_json(words, language)
    if fmt == "srt":
        return to_srt(words)
    if fmt == "vtt":
        return to_vtt(words)
    if fmt == "txt":
        return to_txt(words)
    raise ValueError(f"unknown transcript format {fmt!r}; choose one of {', '.join(FORMATS)}")
