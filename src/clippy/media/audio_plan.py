"""Which of the mezzanines' AAC packets a cut copies and which short stretches it re-encodes.

Pure planning, no I/O (``audio_splice`` runs the plan). Sample counts are at the
mezzanine's 48 kHz; an AAC frame is ``FRAME`` samples.

In a mezzanine (see ``mezzanine``) AAC packet ``k`` decodes, after packet ``k - 1``, to the
segment's samples ``[FRAME * (k - 1), FRAME * k)``: packet 0 is the encoder's priming. So the
middle of a piece is copied packet for packet. Two things stop a plain copy across a join:

* AAC frames overlap (MDCT): a packet's output is half its own and half its predecessor's,
  so packets of two independent encodes cannot simply follow each other.
* Each segment's frame grid starts at its own first sample, and a segment is rarely a whole
  number of frames long (10 s = 468.75 frames): the next segment's grid sits a fraction of a
  frame off the previous one's.

So around each join a short stretch (``JOIN_MARGIN`` frames either side) is decoded and
re-encoded: it starts with the block the last copied packet overlaps into and ends with the
block the next copied packet overlaps from, both as they were, so the overlaps cancel as in
the original encodes (the encoder is first fed the frames before the lead, so it windows the
lead as the mezzanine's encoder did: see ``audio_splice``). Between them the audio is
resampled by at most a frame's worth of samples (``Encode.blocks``) to land the next
segment's grid on the clip's; each piece's audio keeps within ``MAX_OFFSET`` samples of its
video, with no gap and no jump in the waveform. The clip's first packet is a pre-roll that
the MP4 edit list trims to the exact first sample; its end is the frame edge nearest the
asked end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FRAME = 1024
# Frames re-encoded either side of a join. A shift of at most a frame spread over 2 x 32
# frames (1.4 s) changes the pitch by at most 1.6 % (typically a quarter of that) for that
# long: no click, no gap.
JOIN_MARGIN = 32
# How far a piece's audio may sit from its video: half a frame (10.7 ms), well inside what
# anyone notices (lip sync is judged in tens of milliseconds).
MAX_OFFSET = FRAME // 2


@dataclass(frozen=True)
class Span:
    """Samples ``[start, stop)`` of part ``part``'s audio (part-local)."""

    part: int
    start: int
    stop: int

    @property
    def length(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class Copy:
    """Packets ``first`` up to ``stop`` of part ``part``, as they are."""

    part: int
    first: int
    stop: int


@dataclass(frozen=True)
class Encode:
    """A re-encoded stretch: ``lead`` (one frame, as it was: the block the previous copied
    packet overlaps into), then ``content`` resampled to ``blocks`` frames, then ``tail`` (one
    frame, as it was: the block the next copied packet overlaps from). No ``lead`` at the
    clip's start: the encoder's priming packet is the pre-roll then. No ``tail`` at its end."""

    lead: Span | None
    content: tuple[Span, ...]
    tail: Span | None
    blocks: int

    @property
    def packets(self) -> int:
        """Packets this stretch puts in the clip (the priming one too at the clip's start)."""
        return self.blocks + 1


@dataclass(frozen=True)
class AudioPlan:
    """Packets in clip order; the first ``preroll`` samples they decode to come before the
    clip's start (trimmed by the MP4 edit list). ``offsets`` says, per piece, how many
    samples its audio sits late (negative: early) against its video."""

    preroll: int
    steps: tuple[Copy | Encode, ...]
    offsets: tuple[int, ...]

    @property
    def packets(self) -> int:
        return sum(s.stop - s.first if isinstance(s, Copy) else s.packets for s in self.steps)


def plan_audio(
    pieces: Sequence[Span], packets: Mapping[int, int], *, margin: int = JOIN_MARGIN
) -> AudioPlan:
    """Copy or re-encode steps for the clip's audio: ``pieces`` (part-local samples, joined
    in order) from parts with ``packets[part]`` AAC packets each."""
    if not pieces:
        raise ValueError("no audio pieces")
    steps: list[Copy | Encode] = []
    offsets: list[int] = []
    pending: list[Span] = []  # audio not yet placed, re-encoded with the next stretch
    lead: Span | None = None
    preroll = FRAME  # a clip that starts with a re-encode: the encoder's priming packet
    pos = 0  # where in the clip the next packet's block begins
    offset = 0  # how late the audio placed so far sits
    ideal = 0  # where in the clip the current piece begins
    for i, piece in enumerate(pieces):
        count = packets[piece.part]
        if i == 0:
            # The clip opens with a copy: the packet before its first block is the pre-roll.
            first = piece.start // FRAME
            lowest, new_offset, blocks = first + 1, 0, 0
            tail = content = None
        else:
            first = math.ceil(piece.start / FRAME) + margin + 1
            lowest = first
            tail = Span(piece.part, FRAME * (first - 1), FRAME * first)
            content = (*pending, Span(piece.part, piece.start, tail.start))
            target = ideal + tail.start - piece.start
            blocks, new_offset = _fit(pos, lead, content, target, offset)
        # Packet k decodes block k - 1. At the clip's end copy up to the frame edge nearest
        # the end (the audio sits new_offset late); elsewhere stop margin frames early, so
        # the block after the copy is the next stretch's lead.
        stop = round((piece.stop - new_offset) / FRAME) + 1
        at_end = i == len(pieces) - 1 and stop <= count
        if not at_end:
            stop = min(piece.stop // FRAME - margin, count - 1)
        if stop - lowest < 1:  # too short to copy any of: re-encoded with the next stretch
            pending.append(piece)
            offsets.append(offset)
            ideal += piece.length
            continue
        if tail is None or content is None:
            preroll = FRAME + piece.start - FRAME * first
            pos = FRAME * (stop - first) - preroll
        else:
            steps.append(Encode(lead, _nonempty(content), tail, blocks))
            pos = target + new_offset + FRAME * (stop - first)
        steps.append(Copy(piece.part, first, stop))
        offset = new_offset
        offsets.append(offset)
        ideal += piece.length
        if at_end:
            lead, pending = None, []
        else:
            lead = Span(piece.part, FRAME * (stop - 1), FRAME * stop)
            pending = [Span(piece.part, lead.stop, piece.stop)]
    if lead is not None or pending:
        blocks, _ = _fit(pos, lead, tuple(pending), ideal, offset)
        steps.append(Encode(lead, _nonempty(tuple(pending)), None, blocks))
    return AudioPlan(preroll=preroll, steps=tuple(steps), offsets=tuple(offsets))


def _nonempty(spans: Sequence[Span]) -> tuple[Span, ...]:
    return tuple(s for s in spans if s.length > 0)


def _fit(
    pos: int, lead: Span | None, content: Sequence[Span], target: int, offset: int
) -> tuple[int, int]:
    """How many frames to resample ``content`` to so the next block lands within
    ``MAX_OFFSET`` of ``target``, as close as possible to the offset so far (the least
    resampling); and the new offset."""
    length = sum(s.length for s in content)
    start = pos + (FRAME if lead is not None else 0)
    least = 1 if length > 0 else 0  # content never vanishes (only with a few samples of it)
    near = (target - start) // FRAME
    counts = [b for b in range(near - 1, near + 3) if b >= least] or [least]
    fits = [b for b in counts if abs(start + FRAME * b - target) <= MAX_OFFSET] or counts
    blocks = min(fits, key=lambda b: (abs(start + FRAME * b - target - offset), b))
    return blocks, start + FRAME * blocks - target
