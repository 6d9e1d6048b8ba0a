"""Reference cues in what was just said or typed: callbacks, predictions, outcomes (pure).

A *callback* points back at something earlier ("remember yesterday when I fell off the
bridge", "I fell off the bridge again"); its ``topic`` is what to look for in memory. A
*prediction* ("I bet I win this next round") is remembered until an *outcome* ("I told you!
I called it!") makes it worth a clip. Look-alikes such as "I remember the map now" or
"remember to drink water" carry no cue: "remember" alone points nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from clippy.detect import ChatLine, Sentence, Word, split_sentences

CALLBACK, PREDICTION, OUTCOME = "callback", "prediction", "outcome"

_WHEN = r"yesterday|last (?:stream|time|night|week)|the other day|that time|earlier"
# Each pattern reads one normalised sentence (lowercase, no punctuation but ".?!").
_CALLBACKS = (
    re.compile(rf"\bremember (?:(?P<when>{_WHEN}) )?(?:when|how) (?P<topic>[^.?!]+)"),
    re.compile(rf"\bremember (?P<when>{_WHEN})(?: when)? (?P<topic>[^.?!]+)"),
    re.compile(r"\bremember (?:the time|that time) (?P<topic>[^.?!]+)"),
)
# "… just like yesterday" and "… again": the topic is what the sentence said before them.
# (Found by searching the anchor and taking the text before it: a lazy "anything before"
# pattern is quadratic in the sentence's length, measured 3 ms a sentence.)
_LIKE = re.compile(rf"\b(?:just )?like (?P<when>{_WHEN})\b")
# "again" alone is a weak cue: it needs a longer topic and a closer match (see resolve).
_AGAIN = re.compile(r"\b(?:again|one more time)\b")
_PREDICTIONS = (
    re.compile(r"\bi bet (?:you )?(?:that )?(?P<topic>[^.?!]+)"),
    re.compile(r"\bi predict (?:that )?(?P<topic>[^.?!]+)"),
    re.compile(r"\bmark my words (?P<topic>[^.?!]+)"),
    re.compile(r"\bwatch (?:this|me) (?P<topic>[^.?!]+)"),
    re.compile(r"\bif i (?P<topic>(?:win|hit|make|beat|land|clutch|get)\b[^.?!]*)"),
    re.compile(
        r"\bi(?: am|m|ll| will) (?:going to |gonna )?"
        r"(?P<topic>(?:win|hit|make|beat|land|clutch)\b[^.?!]*)"
    ),
)
# Every prediction pattern holds one of these words: a chunk without any is skipped cheaply.
_PREDICTION_HINT = re.compile(r"\b(?:bet|predict|mark|watch|if i|win|hit|make|beat|land|clutch)")
# The same words for the full-text index ("if i get" is the one pattern without another of
# them): only chunks holding one are read at all.
PREDICTION_SEARCH_WORDS = (
    "bet", "predict", "mark", "watch", "win", "hit", "make", "beat", "land", "clutch", "get",
)  # fmt: skip
_OUTCOMES = re.compile(
    r"(?:^|\bi )told (?:you|ya|y all)\b"
    r"|\b(?:told you so|called it|i said i would|like i said|as i predicted)\b"
)
_CHAT_CALLBACK = re.compile(r"\b(?:callback|again|flashback|deja vu)\b")
_CHAT_OUTCOME = re.compile(r"\b(?:called it|told us|he said it|she said it|prediction)\b")

_STOPWORD_TEXT = """a about after again all am an and any are as at be been before being
    but by can could
    did do does doing don for from had has have he her here him his how i if in into is it its
    just like me my myself no not now of off on once one only or our out over same she should
    so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who why will with would you
    your yesterday last stream time remember night week other day earlier gonna going get got
    oh okay ok yeah really thing things"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_IRREGULAR = {"fell": "fall", "fallen": "fall", "won": "win", "lost": "lose", "hit": "hit"}
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Cue:
    """A reference found at ``[start, end]`` (stream seconds): its kind, the words that
    made it (``phrase``) and what it refers to (``topic``; "" when unknown)."""

    kind: str
    start: float
    end: float
    phrase: str
    topic: str
    weak: bool = False
    when: str = ""


def normalise(text: str) -> str:
    """Lowercase words, apostrophes dropped, sentence marks kept, everything else a space."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9.?! ]+", " ", text)
    return " ".join(text.split())


def stem(token: str) -> str:
    """A crude English stem, enough for "falling"/"fell"/"falls" to meet."""
    token = _IRREGULAR.get(token, token)
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            break
    if len(token) > 3 and token[-1] == token[-2]:
        token = token[:-1]  # "hitt(ing)" -> "hit"
    return token


def content_terms(text: str) -> list[str]:
    """The distinctive words of ``text``, stemmed, stopwords and short words dropped."""
    out: list[str] = []
    for tok in _TOKEN.findall(normalise(text)):
        if tok in STOPWORDS or len(tok) < 3:
            continue
        s = stem(tok)
        if s not in out:
            out.append(s)
    return out


def sentence_cues(sentence: Sentence) -> list[Cue]:
    """The cues in one spoken sentence (at most one of each kind)."""
    text = normalise(sentence.text)
    found: list[Cue] = []
    span = (sentence.start, sentence.end)
    callback = _callback(text, span)
    if callback is not None:
        found.append(callback)
    for pattern in _PREDICTIONS:
        m = pattern.search(text)
        if m and content_terms(m["topic"]):
            found.append(Cue(PREDICTION, *span, m[0].strip(), m["topic"].strip()))
            break
    m = _OUTCOMES.search(text)
    if m:
        found.append(Cue(OUTCOME, *span, m[0], _outcome_topic(text, m)))
    return found


def _callback(text: str, span: tuple[float, float]) -> Cue | None:
    for pattern in _CALLBACKS:
        m = pattern.search(text)
        if m and content_terms(m["topic"]):
            when = m.groupdict().get("when") or ""
            return Cue(CALLBACK, *span, m[0].strip(), m["topic"].strip(), when=when)
    m = _LIKE.search(text)
    if m:
        topic = _before(text, m.start())
        if content_terms(topic):
            return Cue(CALLBACK, *span, f"{topic} {m[0]}", topic, when=m["when"])
    m = _AGAIN.search(text)
    if m:
        topic = _before(text, m.start())
        if len(content_terms(topic)) >= 2:
            return Cue(CALLBACK, *span, f"{topic} {m[0]}", topic, weak=True)
    return None


def _before(text: str, end: int) -> str:
    """The words of the sentence that ``text[:end]`` ends in."""
    head = text[:end]
    cut = max(head.rfind(c) for c in ".?!")
    return head[cut + 1 :].strip(" ,")


def _outcome_topic(text: str, m: re.Match[str]) -> str:
    """What came true, when the sentence says it ("told you I would hit it")."""
    rest = _OUTCOMES.sub(" ", text[m.end() :]).strip(" .?!")
    rest = re.sub(r"^(?:so |that |i would |i could |i d )+", "", rest)
    topic = rest.split(".")[0].split("?")[0].split("!")[0].strip()
    return topic if content_terms(topic) else ""


def may_predict_text(text: str) -> bool:
    """Whether ``text`` could hold a prediction (a quick test before finding cues)."""
    return bool(_PREDICTION_HINT.search(text.lower()))


def may_predict(words: Sequence[Word]) -> bool:
    """``may_predict_text`` of timed words."""
    return may_predict_text(" ".join(str(w["text"]) for w in words))


def find_cues(words: Sequence[Word]) -> list[Cue]:
    """Every cue in ``words`` (timed transcript words), in time order."""
    return [c for s in split_sentences(words, max_words=None) for c in sentence_cues(s)]


def chat_cues(
    chat: Sequence[ChatLine], *, lag: float = 27.0, viewers: int = 2, span: float = 30.0
) -> list[Cue]:
    """Cues viewers type ("callback", "he did it again", "called it"): ``viewers`` distinct
    authors within ``span`` s make one, placed ``lag`` s before the first line (chat reacts
    late). Its topic is unknown: the streamer's words around it say what it refers to."""
    out: list[Cue] = []
    for kind, pattern in ((CALLBACK, _CHAT_CALLBACK), (OUTCOME, _CHAT_OUTCOME)):
        hits = [c for c in chat if pattern.search(normalise(c.text))]
        i = 0
        while i < len(hits):
            group = [h for h in hits[i:] if h.time - hits[i].time <= span]
            if len({h.user for h in group}) >= viewers:
                t = hits[i].time - lag
                out.append(Cue(kind, t - 10.0, t + 5.0, f"chat: {group[0].text}", ""))
                i += len(group)
            else:
                i += 1
    return sorted(out, key=lambda c: c.start)
