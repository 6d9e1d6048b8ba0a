"""Hype key phrases in timed words ("oh my god", "no way", "clip that" …)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

BUILTIN_PHRASES = (
    "oh my god",
    "omg",
    "no way",
    "let's go",
    "lets go",
    "clip that",
    "clip it",
    "are you kidding",
    "are you serious",
    "insane",
    "holy",
    "oh no",
    "no no no",
    "yes yes yes",
    "unbelievable",
    "i can't believe",
    "did you see that",
    "haha",
    "hahaha",
    "lol",
    "lmao",
    "gg",
    "wow",
    "wait what",
    "oh my gosh",
    "what the hell",
    "what the heck",
    "what the fuck",
)
COMMAND_PHRASES = frozenset({"clip that", "clip it"})
_NORM = re.compile(r"[^a-z0-9' ]+")
# ASR and chat spellings of the same thing.
_ALIASES = {"lets": "let's", "cant": "can't", "omfg": "omg", "gosh": "god", "ha": "haha"}


@dataclass(frozen=True)
class PhraseHit:
    """A phrase heard between ``start`` and ``end`` (stream seconds)."""

    phrase: str
    start: float
    end: float


def normalize(text: str) -> list[str]:
    """Lowercase tokens without punctuation, with common spellings unified."""
    tokens = _NORM.sub(" ", text.lower().replace("\u2019", "'")).split()
    return [_ALIASES.get(t, t) for t in tokens]


def phrase_list(extra: str | Iterable[str] = "") -> list[str]:
    """The built-in phrases plus extra ones (a comma-separated string or an iterable)."""
    items = extra.split(",") if isinstance(extra, str) else list(extra)
    out = list(BUILTIN_PHRASES)
    out += [p.strip() for p in items if p.strip()]
    return out


def find_phrases(words: Sequence[dict[str, Any]], phrases: Iterable[str]) -> list[PhraseHit]:
    """Every occurrence of any phrase in the word sequence (overlapping matches allowed)."""
    tokens: list[tuple[str, float, float]] = []
    for w in words:
        for t in normalize(str(w["text"])):
            tokens.append((t, float(w["start"]), float(w["end"])))
    patterns = {p: normalize(p) for p in phrases}
    hits = []
    for phrase, pat in patterns.items():
        if not pat:
            continue
        n = len(pat)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k][0] == pat[k] for k in range(n)):
                hits.append(PhraseHit(phrase, tokens[i][1], tokens[i + n - 1][2]))
    # "let's go" and "lets go" both match one utterance: keep one hit per place.
    hits.sort(key=lambda h: (h.start, -len(h.phrase)))
    unique: list[PhraseHit] = []
    for h in hits:
        if not any(abs(u.start - h.start) < 0.05 and u.end >= h.end - 0.05 for u in unique):
            unique.append(h)
    return unique
