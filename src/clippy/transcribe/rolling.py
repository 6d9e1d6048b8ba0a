"""Rolling-window helpers: the previous text as context, de-duplicating window overlaps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from clippy.transcribe.base import Word

_NORM = re.compile(r"[^\w']+")


def _norm(text: str) -> str:
    return _NORM.sub("", text.lower())


@dataclass
class RollingContext:
    """Keeps the tail of the recognised text to prompt the next window."""

    max_chars: int = 200
    text: str = ""

    def add(self, words: Sequence[Word]) -> None:
        """Append a window's words."""
        joined = " ".join(w.text for w in words)
        self.text = (self.text + " " + joined).strip()[-self.max_chars :]

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
