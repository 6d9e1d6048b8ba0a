"""Hype key phrases in timed words ("oh my god", "no way", "clip that" …)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clippy.detect.words import Word

BUILTIN_PHRASES = (
    "oh my god",
    "omg",
    "oh my gosh",
    "no way",
    "let's go",
    "clip that",
    "clip it",
    "what the",
    "what the hell",
    "what the heck",
    "what the fuck",
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
    "wait what",
    "gg",
    "wow",
    "haha",
    "lol",
    "lmao",
)
# The streamer asking for a clip outright weighs more than any exclamation.
COMMAND_PHRASES = frozenset({"clip that", "clip it"})
# Phrases that are an exclamation only when the speaker breaks off after them: "what the—!"
# is, "see what the other team does" is calm talk (it made clips once recognition improved).
_CUT_OFF_PHRASES = frozenset({"what the"})
_CUT_OFF_PAUSE = 0.3  # seconds of silence after a cut-off phrase

_KEEP = re.compile(r"[^a-z0-9' ]+")
_LAUGH = re.compile(r"^(?:a?h+a+)+h*$|^(?:he){2,}h*$")  # haha, hahaha, ahah, hehe
_CONTRACTIONS = frozenset({"s", "t", "re", "ll", "ve", "d", "m"})
_REPEAT_GAP = 1.0  # seconds between repeats of one phrase that still make one hit
# ASR and chat spellings of the same thing, applied to every token (phrases included).
_ALIASES: dict[str, tuple[str, ...]] = {
    "lets": ("let's",),
    "cant": ("can't",),
    "omg": ("oh", "my", "god"),
    "omfg": ("oh", "my", "god"),
    "gosh": ("god",),
    "lmfao": ("lmao",),
    "lool": ("lol",),
    "looool": ("lol",),
    "ha": ("haha",),
}


@dataclass(frozen=True)
class PhraseHit:
    """A phrase heard between ``start`` and ``end`` (stream seconds)."""

    phrase: str
    start: float
    end: float


def _raw_tokens(text: str) -> list[str]:
    text = _KEEP.sub(" ", text.lower().replace("\u2019", "'"))
    out: list[str] = []
    for tok in text.split():
        # "let 's" (split by the recogniser) is "let's"; a quote mark is not part of a word.
        if tok.startswith("'") and tok.strip("'") in _CONTRACTIONS and out:
            out[-1] += "'" + tok.strip("'")
            continue
        tok = tok.strip("'")
        if tok:
            out.append(tok)
    return out


def _canonical(tok: str) -> tuple[str, ...]:
    if _LAUGH.match(tok):
        return ("haha",)
    return _ALIASES.get(tok, (tok,))


def normalize(text: str) -> list[str]:
    """Lowercase tokens without punctuation, with common spellings unified ("omg" → oh my god)."""
    return [tok for tok, _, _ in _timed_tokens([{"text": text, "start": 0.0, "end": 0.0}])]


def clean_phrase(text: str) -> str:
    """``text`` as a phrase is stored: lowercase words without punctuation ("Let's GO!!" →
    "let's go"); spellings are kept as typed (matching unifies them, see ``normalize``)."""
    return " ".join(_raw_tokens(text))


def phrase_list(extra: str | Iterable[str] = "") -> list[str]:
    """The built-in phrases plus extra ones (``settings.key_phrases``: comma-separated)."""
    items = extra.split(",") if isinstance(extra, str) else list(extra)
    out = list(BUILTIN_PHRASES)
    out += [p.strip() for p in items if p.strip() and p.strip() not in out]
    return out


def _timed_tokens(words: Sequence[Word]) -> list[tuple[str, float, float]]:
    """Canonical tokens with the time of the word each came from (ASR splits merged first)."""
    raw: list[tuple[str, float, float]] = []
    for w in words:
        for tok in _raw_tokens(str(w["text"])):
            raw.append((tok, float(w["start"]), float(w["end"])))
    merged: list[tuple[str, float, float]] = []
    for tok, s, e in raw:
        # A contraction the recogniser emitted as its own word ("let", "'s").
        if merged and tok in _CONTRACTIONS and merged[-1][0] in {"let", "can", "it"}:
            prev = merged.pop()
            merged.append((prev[0] + "'" + tok, prev[1], e))
        else:
            merged.append((tok, s, e))
    out: list[tuple[str, float, float]] = []
    i = 0
    while i < len(merged):
        j = i
        while j < len(merged) and len(merged[j][0]) == 1:
            j += 1
        if j - i >= 3:
            word = "".join(t for t, _, _ in merged[i:j])
            out += [(c, merged[i][1], merged[j - 1][2]) for c in _canonical(word)]
            i = j
            continue
        tok, s, e = merged[i]
        out += [(c, s, e) for c in _canonical(tok)]
        i += 1
    return out


def _broken_off(tokens: Sequence[tuple[str, float, float]], after: int) -> bool:
    """Whether speech stops (the words end or pause) right before token ``after``."""
    if after >= len(tokens):
        return True
    return tokens[after][1] - tokens[after - 1][2] >= _CUT_OFF_PAUSE


def find_phrases(words: Sequence[Word], phrases: Iterable[str]) -> list[PhraseHit]:
    """Every place a phrase was said, in time order; one hit per place (the longest phrase)."""
    tokens = _timed_tokens(words)
    hits: list[tuple[PhraseHit, int]] = []
    for rank, phrase in enumerate(dict.fromkeys(phrases)):
        pattern = normalize(phrase)
        if not pattern:
            continue
        n = len(pattern)
        for i in range(len(tokens) - n + 1):
            if not all(tokens[i + k][0] == pattern[k] for k in range(n)):
                continue
            if phrase in _CUT_OFF_PHRASES and not _broken_off(tokens, i + n):
                continue
            hits.append((PhraseHit(phrase, tokens[i][1], tokens[i + n - 1][2]), rank))
    # "omg" and "oh my god", "no way" inside "no no no way": one utterance, one hit (the
    # longest span; on a tie the phrase listed first).
    hits.sort(key=lambda hr: (hr[0].start, -(hr[0].end - hr[0].start), hr[1]))
    unique: list[PhraseHit] = []
    for h, _ in hits:
        if any(u.start <= h.start + 0.01 and h.end <= u.end + 0.01 for u in unique):
            continue
        last = unique[-1] if unique else None
        if last and last.phrase == h.phrase and h.start - last.end <= _REPEAT_GAP:
            # "ha ha ha" is one laugh, not three.
            unique[-1] = PhraseHit(h.phrase, last.start, h.end)
        else:
            unique.append(h)
    return unique
