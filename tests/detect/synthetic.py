"""Synthetic signals for detection tests: voice-like audio, timed words, chat lines.

Pure numpy, generated in milliseconds, with every level and pitch known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

SR = 16_000


def tone(seconds: float, freq: float, dbfs: float, *, harmonics: int = 1) -> np.ndarray:
    """A harmonic tone whose RMS level is ``dbfs`` (float32, 16 kHz)."""
    t = np.arange(int(seconds * SR)) / SR
    x = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, harmonics + 1))
    x = np.asarray(x, dtype=np.float64)
    x *= 10 ** (dbfs / 20) / np.sqrt(np.mean(x**2))
    return x.astype(np.float32)


def voice(
    seconds: float, f0: float, dbfs: float, *, harmonics: int = 6, seed: int = 0
) -> np.ndarray:
    """Speech-like sound: a harmonic voice with F0 wandering ±1 semitone and a slow level
    drift (no syllable rhythm, so it never reads as laughter)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    wander = np.interp(np.arange(n), np.linspace(0, n, 8), rng.uniform(-1, 1, 8))
    f = f0 * 2 ** (wander / 12)
    phase = 2 * np.pi * np.cumsum(f) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, harmonics + 1))
    x = np.asarray(x, dtype=np.float64)
    x *= 10 ** (dbfs / 20) / np.sqrt(np.mean(x**2))
    return x.astype(np.float32)


def words_of(text: str, start: float, gap: float = 0.35) -> list[dict[str, Any]]:
    """Timed words for ``text`` spoken from ``start``, one word every ``gap`` seconds."""
    return [
        {"text": w, "start": round(start + i * gap, 3), "end": round(start + i * gap + 0.3, 3)}
        for i, w in enumerate(text.split())
    ]


CALM = [
    "so we are going to head over to the left side of the map now",
    "let me check the settings before we continue with the next round",
    "the map is quite large and there are many places to explore",
    "i will read some messages from the chat in a moment",
    "this part of the level is usually pretty quiet",
]


@dataclass
class Stream:
    """A synthetic stream: audio, words and chat, plus where the planted moments are."""

    audio: np.ndarray
    words: list[dict[str, Any]]
    chat: list[float]
    moments: dict[str, float] = field(default_factory=dict)  # name -> planted time

    @property
    def duration(self) -> float:
        return len(self.audio) / SR


def planted_stream(seed: int = 7) -> Stream:
    """Three calm minutes with three planted moments: a shouted "oh my god no way" at 41 s,
    a chat burst at 95 s (a reaction: what it reacts to happened before it, here at 88 s) and
    a sentiment swing (despair → joy) at 146 s."""
    rng = np.random.default_rng(seed)
    duration = 180
    audio = np.concatenate(
        [voice(1.0, 140, -26 + rng.uniform(-2, 2), seed=i) for i in range(duration)]
    )
    audio[41 * SR : 44 * SR] = voice(3.0, 260, -10, harmonics=12, seed=99)
    words: list[dict[str, Any]] = []
    t = 1.0
    specials = {
        40.0: "oh my god no way",
        141.0: "no this is terrible i hate it we lost everything",
        146.0: "wait yes we won this is amazing i love it",
    }
    while t < duration - 5:
        due = [k for k in specials if t <= k < t + 6]
        if due:
            t = due[0] + 0.5
            text = specials.pop(due[0])
        else:
            text = CALM[int(rng.integers(len(CALM)))]
        ws = words_of(text, t)
        words += ws
        t = ws[-1]["end"] + 1.0  # a pause between sentences
    chat = sorted(
        list(rng.uniform(0, duration, int(duration * 0.5))) + list(rng.uniform(95, 100, 40))
    )
    return Stream(
        audio, words, [float(c) for c in chat], {"shout": 41.5, "chat": 88.0, "swing": 146.5}
    )
