"""The export's timeline: a clip's ranges played back to back, with title cards between.

A clip's MP4 holds its ranges concatenated. The export may put a short card between two
ranges, which shifts everything after it; this maps stream time and clip-file time to
output time in one place (pure, no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """One range of the clip: where it is in stream time, in the clip file and in the output."""

    stream_start: float
    stream_end: float
    file_start: float
    out_start: float

    @property
    def duration(self) -> float:
        return self.stream_end - self.stream_start


@dataclass(frozen=True)
class Timeline:
    """The pieces in play order and the card length between consecutive pieces."""

    pieces: tuple[Piece, ...]
    card_seconds: float

    @property
    def duration(self) -> float:
        """Length of the output in seconds."""
        last = self.pieces[-1]
        return last.out_start + last.duration

    def cards(self) -> list[tuple[float, float]]:
        """(start, end) of each title card on the output timeline."""
        if self.card_seconds <= 0:
            return []
        return [(p.out_start - self.card_seconds, p.out_start) for p in self.pieces[1:]]

    def place(self, start: float, end: float) -> tuple[float, float] | None:
        """Output-time span of the stream-time span, clipped to the piece that holds its
        start; ``None`` when no piece holds it."""
        for p in self.pieces:
            if p.stream_start - 1e-6 <= start < p.stream_end:
                end = min(end, p.stream_end)
                return (p.out_start + start - p.stream_start, p.out_start + end - p.stream_start)
        return None

    def place_file(self, start: float, end: float) -> tuple[float, float] | None:
        """Output-time span of a span of the clip file (clip-relative seconds, as the
        caption editor uses), clipped to the piece that holds its start."""
        for p in self.pieces:
            if p.file_start - 1e-6 <= start < p.file_start + p.duration:
                end = min(end, p.file_start + p.duration)
                return (p.out_start + start - p.file_start, p.out_start + end - p.file_start)
        return None


def build_timeline(
    ranges: Sequence[tuple[float, float]], file_duration: float, card_seconds: float = 0.0
) -> Timeline:
    """The timeline of a clip cut from ``ranges`` into a file of ``file_duration`` seconds.

    The cut may come out a few frames shorter than the ranges (it skips holes between
    recorded segments), so the last piece is shortened to end with the file.
    """
    if not ranges:
        raise ValueError("a clip has at least one range")
    pieces = []
    file_t = out_t = 0.0
    for k, (a, b) in enumerate(ranges):
        if k:
            out_t += card_seconds
        if k == len(ranges) - 1:
            b = min(b, a + max(0.0, file_duration - file_t))
        pieces.append(Piece(a, b, file_t, out_t))
        file_t += b - a
        out_t += b - a
    return Timeline(tuple(pieces), card_seconds if len(ranges) > 1 else 0.0)
