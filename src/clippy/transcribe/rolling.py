"""Rolling recognition: each window gets the text before it as a prompt, and words heard twice
where windows overlap are kept once. The one implementation for live segments (prompt from the
stored transcript) and for ``clippy process`` (overlapping windows over a whole recording)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from clippy.transcribe.base import SAMPLE_RATE, Transcriber, Word

PROMPT_CHARS = 200  # Whisper reads at most 224 prompt tokens; the last sentence or two is plenty
_NORM = re.compile(r"[^\w']+")


def _norm(text: str) -> str:
    return _NORM.sub("", text.lower())


def tail_text(texts: Iterable[str], max_chars: int = PROMPT_CHARS) -> str:
    """The last ``max_chars`` of ``texts`` joined, starting at a word boundary."""
    text = " ".join(" ".join(t.split()) for t in texts if t.strip())
    if len(text) <= max_chars:
        return text
    cut = text[-max_chars:]
    return cut.split(" ", 1)[1] if " " in cut else cut


@dataclass(frozen=True)
class Heard:
    """What a long recording said: its words in time order and the main language ("" when the
    engine does not tell)."""

    words: list[Word]
    language: str = ""


@dataclass
class RollingContext:
    """Keeps the tail of the recognised text to prompt the next window."""

    max_chars: int = PROMPT_CHARS
    text: str = ""

    def add(self, words: Sequence[Word]) -> None:
        """Append a window's words."""
        self.text = tail_text([self.text, " ".join(w.text for w in words)], self.max_chars)

    @property
    def prompt(self) -> str:
        return self.text


def merge_overlap(
    previous: Sequence[Word], new: Sequence[Word], overlap_start: float, overlap_end: float
) -> list[Word]:
    """Words of ``new`` minus those already in ``previous`` within the overlap interval.

    A word of the new window that starts inside ``[overlap_start, overlap_end)`` is dropped
    when the previous window has the same word (normalised) within 0.3 s of it; words the
    previous window cut off at its edge are kept from the new one, which heard them whole.
    """
    tail = [w for w in previous if w.end > overlap_start - 0.3]
    out: list[Word] = []
    for w in new:
        if overlap_start <= w.start < overlap_end:
            dup = any(
                _norm(p.text) == _norm(w.text) and abs(p.start - w.start) <= 0.3 for p in tail
            )
            if dup:
                continue
        out.append(w)
    return out


def _drop_cut_edge(words: list[Word], edge: float) -> list[Word]:
    # A word still going on at a window's end was heard only in part; the next window, which
    # overlaps it, hears it whole.
    return [w for w in words if w.end < edge - 0.05]


def transcribe_span(
    transcriber: Transcriber,
    audio: np.ndarray,
    start_time: float,
    *,
    window_seconds: float,
    overlap_seconds: float,
    prompt: str = "",
    final: bool = True,
    on_window: Callable[[float], None] | None = None,
) -> Heard:
    """All words of a long recording, recognised window by window with rolling context.

    With ``final`` False the audio is followed by more (recognised separately, overlapping):
    a word cut off at its very end is left to that next part. ``on_window`` is told the seconds
    of audio each window covered (for a progress bar).
    """
    n = int(window_seconds * SAMPLE_RATE)
    step = max(1, n - int(overlap_seconds * SAMPLE_RATE))
    context = RollingContext(text=prompt)
    words: list[Word] = []
    languages: Counter[str] = Counter()
    for i in range(0, max(len(audio) - (n - step), 1), step):
        t0 = start_time + i / SAMPLE_RATE
        piece = audio[i : i + n]
        chunk = transcriber.transcribe(
            piece, start_time=t0, chunk_id=f"w{i}", prompt=context.prompt
        )
        new = chunk.words
        if i + n < len(audio) or not final:
            new = _drop_cut_edge(new, t0 + len(piece) / SAMPLE_RATE)
        new = merge_overlap(words, new, t0, t0 + overlap_seconds) if words else new
        words += new
        context.add(new)
        if chunk.language and new:
            languages[chunk.language] += len(new)
        if on_window is not None:
            on_window(min(len(piece), step) / SAMPLE_RATE)
    return Heard(words, languages.most_common(1)[0][0] if languages else "")
