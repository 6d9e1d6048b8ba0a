"""Known English sentences spoken by espeak-ng, and word error rate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from clippy.media.audio import decode_audio
from tests.fixtures.media import VOICE

SENTENCES = [
    "hello world this is a test of the speech recognition system",
    "we are going to win this game today",
    "this is the best day of my life",
    "please subscribe to the channel for more videos",
    "the weather is nice and the sun is shining",
    "let me show you how to build a house",
    "today we are going to talk about the plans for the week",
    "i will read some messages from the chat in a moment",
]


def spoken(text: str, path: Path) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz mono float32 with 0.5 s of silence around."""
    subprocess.run(["espeak-ng", "-v", VOICE, "-s", "140", "-w", str(path), text], check=True)
    pad = np.zeros(8000, dtype=np.float32)
    return np.concatenate([pad, decode_audio(path), pad])


def word_errors(reference: str, hypothesis: str) -> int:
    """Levenshtein distance in words (substitutions + insertions + deletions)."""
    r, h = reference.split(), hypothesis.split()
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Word error rate over (reference, hypothesis) pairs."""
    errors = sum(word_errors(r, h) for r, h in pairs)
    return errors / sum(len(r.split()) for r, _ in pairs)
