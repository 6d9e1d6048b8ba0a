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


def join_lead_in(
    previous: Sequence[Word], new: Sequence[Word], start: float, lead_in: float
) -> list[Word]:
    """Words of a live window recognised from ``lead_in`` seconds before its ``start`` (the end
    of the previous window heard again, so that a word across the join is heard whole).

    Words in the first half of the lead-in may be cut at its beginning and belong to the
    previous window; the rest of the lead-in keeps only words ``previous`` lacks (see
    ``merge_overlap``): the word the previous window lost at its edge comes back, once.
    """
    if lead_in <= 0:
        return list(new)
    heard_whole = [w for w in new if w.end > start - lead_in / 2]
    return merge_overlap(previous, heard_whole, start - lead_in, start)


def quiet_point(audio: np.ndarray, near: int, radius: int) -> int:
    """The sample index in ``[near - radius, near]`` at the middle of the quietest 20 ms:
    where to end a window so that no word is cut (Whisper, made to stop mid-speech, may skip
    the words before the cut)."""
    lo = max(0, near - radius)
    frame = SAMPLE_RATE // 50
    span = audio[lo:near]
    k = len(span) // frame
    if k < 1:
        return near
    energy = np.square(span[: k * frame].astype(np.float64)).reshape(k, frame).sum(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def drop_cut_edge(words: Sequence[Word], edge: float) -> list[Word]:
    """``words`` less any still going on at the window's end ``edge``: heard only in part, it
    is left to the next window, which overlaps it and hears it whole."""
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

    Windows end at the quietest moment of their last seconds and overlap the next by
    ``overlap_seconds``. With ``final`` False the audio is followed by more (recognised
    separately, overlapping): a word cut off at its very end is left to that next part.
    ``on_window`` is told the seconds of audio each window moved on (for a progress bar).
    """
    n = int(window_seconds * SAMPLE_RATE)
    ov = int(overlap_seconds * SAMPLE_RATE)
    context = RollingContext(text=prompt)
    words: list[Word] = []
    languages: Counter[str] = Counter()
    pos = 0
    while True:
        last = len(audio) - pos <= n
        end = len(audio) if last else quiet_point(audio, pos + n, min(n // 4, 5 * SAMPLE_RATE))
        t0 = start_time + pos / SAMPLE_RATE
        piece = audio[pos:end]
        chunk = transcriber.transcribe(
            piece, start_time=t0, chunk_id=f"w{pos}", prompt=context.prompt
        )
        new = chunk.words
        if not (last and final):
            new = drop_cut_edge(new, t0 + len(piece) / SAMPLE_RATE)
        new = merge_overlap(words, new, t0, t0 + overlap_seconds) if words else new
        words += new
        context.add(new)
        if chunk.language and new:
            languages[chunk.language] += len(new)
        if on_window is not None:
            on_window((end - pos) / SAMPLE_RATE)
        if last:
            break
        pos = max(pos + 1, end - ov)
    return Heard(words, languages.most_common(1)[0][0] if languages else "")
