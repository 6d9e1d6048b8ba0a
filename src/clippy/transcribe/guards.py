"""Guards against Whisper's known failure modes: text invented on silence, music or noise,
repeated-phrase loops, and segments the decoder itself was unsure of (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from clippy.transcribe.base import Word

# Whisper's own fallback triggers, made stricter: it re-decodes above a compression ratio of
# 2.4 or below an average log-probability of -1, and calls a window silent when no_speech_prob
# is over 0.6 *and* the log-probability is under -1. Here such segments are dropped outright.
MAX_COMPRESSION_RATIO = 2.4
MIN_AVG_LOGPROB = -1.0
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -0.5
# What Whisper writes on silence or music, learnt from subtitled videos; kept only when the
# decoder was confident that speech was there.
_OUTRO = re.compile(
    r"^(thank you|thanks for watching|please subscribe|subtitles by.*|you|bye|music|"
    r"\W*)[.!\s]*$",
    re.IGNORECASE,
)
_OUTRO_NO_SPEECH = 0.2
_LOOP_MIN_REPEATS = 4  # an n-gram said this many times in a row is a decoder loop
_NORM = re.compile(r"[^\w']+")


@dataclass(frozen=True)
class DecodedSegment:
    """One segment as the decoder produced it, with its quality measures."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: list[Word] = field(default_factory=list)


def segment_is_trusted(seg: DecodedSegment) -> bool:
    """Whether a segment is likely real speech rather than invented text."""
    if seg.compression_ratio > MAX_COMPRESSION_RATIO or seg.avg_logprob < MIN_AVG_LOGPROB:
        return False
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < NO_SPEECH_LOGPROB:
        return False
    return not (_OUTRO.match(seg.text.strip()) and seg.no_speech_prob > _OUTRO_NO_SPEECH)


def _key(w: Word) -> str:
    return _NORM.sub("", w.text.lower())


def drop_loops(words: Sequence[Word], max_n: int = 6) -> list[Word]:
    """``words`` with decoder loops cut: an n-gram repeated ``_LOOP_MIN_REPEATS`` times or more
    in a row keeps its first occurrence ("no no no" said three times is left alone)."""
    out = list(words)
    i = 0
    while i < len(out):
        for n in range(1, max_n + 1):
            gram = [_key(w) for w in out[i : i + n]]
            if len(gram) < n:
                break
            k = 1
            while [_key(w) for w in out[i + k * n : i + (k + 1) * n]] == gram:
                k += 1
            if k >= _LOOP_MIN_REPEATS:
                del out[i + n : i + k * n]
                break
        i += 1
    return out


def trusted_words(segments: Sequence[DecodedSegment]) -> list[Word]:
    """The words of the trusted segments, loops removed."""
    return drop_loops([w for s in segments if segment_is_trusted(s) for w in s.words])
