"""Clip titles without an LLM: the sentence said at the moment, cleaned up to read well; when
nothing was said or recognition was unsure, what happened and when ("Huge reaction at 12:34")."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from clippy.detect.phrases import COMMAND_PHRASES, normalize
from clippy.detect.sentiment import compound
from clippy.detect.words import Sentence, Word, split_sentences

TITLE_CHARS = 60
MIN_CONFIDENCE = 0.45  # mean word confidence under which the words are not worth showing
_FILLERS = frozenset({"um", "uh", "uhm", "erm", "er", "ah", "hmm", "mm", "mhm"})
_LEADING = frozenset({"and", "so", "but"})
_TRAILING_PUNCT = ",;:-–— "  # noqa: RUF001 (dashes people type)


def clip_title(
    words: Sequence[Word],
    start: float,
    end: float,
    peak: float,
    reasons: Sequence[Mapping[str, Any]],
    clip: tuple[float, float] | None = None,
) -> str:
    """A title for the moment ``[start, end]`` (peak at ``peak``) from what was said then.

    The sentence holding the moment's key phrase comes first, then (for a mood swing) the most
    charged sentence, else the sentence nearest the peak; a streamer's "clip it" is cut from
    the sentence it ends. When nothing was heard during the moment itself (a reaction in a
    pause, a few words recognition lost), the sentences of the ``clip`` range around it count,
    nearest the peak first. Without at least two clear words, a title from ``reasons`` and time.
    """
    sentences = _sentences(words)
    near = [s for s in sentences if s.end >= start - 1.0 and s.start <= end + 1.0]
    if not near and clip is not None:
        near = [s for s in sentences if s.start >= clip[0] and s.end <= clip[1]]
    keys = [" ".join(normalize(p)) for r in reasons for p in r.get("phrases", [])]
    for sentence in _ranked(near, keys, peak, reasons):
        title = _with_phrase(sentence.text, keys)
        if len(title.split()) >= 2 and _confidence(words, sentence) >= MIN_CONFIDENCE:
            return title
    return fallback_title(reasons, peak)


def _sentences(words: Sequence[Word]) -> list[Sentence]:
    """Runs between pauses, split after words that end a sentence (".", "?", "!")."""
    out: list[Sentence] = []
    for run in split_sentences(words, max_words=None):
        run_words = [w for w in words if run.start <= float(w["start"]) <= run.end]
        cur: list[Word] = []
        for w in run_words:
            cur.append(w)
            if str(w["text"]).endswith((".", "?", "!")) or w is run_words[-1]:
                text = " ".join(str(x["text"]) for x in cur)
                out.append(Sentence(float(cur[0]["start"]), float(cur[-1]["end"]), text))
                cur = []
    return out


def _with_phrase(text: str, keys: Sequence[str]) -> str:
    """The cleaned sentence; when the cut would lose its key phrase, from the phrase on."""
    title = clean_title(text)
    for key in keys:
        if key in COMMAND_PHRASES:
            continue  # "clip it" is cut from titles on purpose
        if key and key in " ".join(normalize(text)) and key not in " ".join(normalize(title)):
            tokens = text.split()
            n = len(key.split())
            for i in range(len(tokens)):
                if " ".join(normalize(" ".join(tokens[i : i + n]))) == key:
                    return clean_title(" ".join(tokens[i:]))
    return title


def _ranked(
    near: list[Sentence], keys: Sequence[str], peak: float, reasons: Sequence[Mapping[str, Any]]
) -> list[Sentence]:
    said = [s for s in near if any(k and k in " ".join(normalize(s.text)) for k in keys)]
    by_peak = sorted(near, key=lambda s: 0.0 if s.start <= peak <= s.end else _gap(s, peak))
    if any("sentiment" in r for r in reasons):
        by_peak.sort(key=lambda s: -abs(compound(s.text)))
    return said + [s for s in by_peak if s not in said]


def _gap(s: Sentence, t: float) -> float:
    return min(abs(s.start - t), abs(s.end - t))


def _confidence(words: Sequence[Word], s: Sentence) -> float:
    conf = [float(w.get("confidence", 1.0)) for w in words if s.start <= float(w["start"]) <= s.end]
    return sum(conf) / len(conf) if conf else 0.0


def clean_title(text: str) -> str:
    """``text`` as a title: fillers, stutters and a trailing "clip it" dropped, leading
    "and/so/but" trimmed, capitalised, at most ``TITLE_CHARS`` characters (cut at a word)."""
    tokens = [t for t in text.split() if _bare(t) not in _FILLERS]
    tokens = [t for k, t in enumerate(tokens) if k == 0 or _bare(t) != _bare(tokens[k - 1])]
    tokens = _drop_command(tokens)
    while tokens and _bare(tokens[0]) in _LEADING and len(tokens) > 2:
        tokens = tokens[1:]
    title = " ".join(tokens).strip(_TRAILING_PUNCT)
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(_TRAILING_PUNCT) + "…"
    return title[:1].upper() + title[1:]


def _bare(token: str) -> str:
    return re.sub(r"[^\w']", "", token.lower())


def _drop_command(tokens: list[str]) -> list[str]:
    """The tokens without a "clip it"/"clip that" the streamer said to ask for the clip."""
    bare = [_bare(t) for t in tokens]
    for cmd in COMMAND_PHRASES:
        parts = cmd.split()
        for i in range(len(bare) - len(parts) + 1):
            if bare[i : i + len(parts)] == parts:
                kept = tokens[:i] + tokens[i + len(parts) :]
                if len(kept) >= 2:
                    return kept
    return tokens


def clock(t: float) -> str:
    """Stream time as people read it: 12:34 or 1:02:10."""
    s = max(0, int(t))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fallback_title(reasons: Sequence[Mapping[str, Any]], peak: float) -> str:
    """What happened and when, from the strongest kind of signal in ``reasons``."""
    kinds = {k for r in reasons for k in r}
    at = clock(peak)
    if "viewer_clip" in kinds:
        return f"Viewers clipped this at {at}"
    if "chat" in kinds:
        return f"Chat explodes at {at}"
    if "laughter" in kinds:
        return f"Laughing fit at {at}"
    if kinds & {"loudness", "shout"}:
        return f"Huge reaction at {at}"
    if "sentiment" in kinds:
        return f"Mood swing at {at}"
    if "phrases" in kinds:
        return f"Hype at {at}"
    return f"Highlight at {at}"
