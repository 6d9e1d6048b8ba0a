"""The audience signal: how hard chat reacts, from what it says as well as how fast.

Measured on the Lightor train chat (docs/detection.md): messages holding reaction emotes and
laughter (LUL, OMEGALUL, PogChamp, EZ, GG...), shouting in capitals and stretched letters are
two to three times more frequent in the minute after a labelled highlight than elsewhere, so
they weigh more; one viewer repeating a line (spam, copypasta pasted again) counts once, while
many viewers pasting the same line is a real reaction and counts for each. Chat reacts 10-40 s
after the moment, so the activity is averaged over a trailing window and the clip planner moves
a chat-found moment back by the learned lag (``PlanConfig.chat_lag``).

The reaction tokens are also a signal of their own: a crowd answering with emotes in a chat busy
with conversation barely moves the weighted rate, while the rate of reaction messages jumps from
its usual low level; the signal is the larger of the two (docs/detection.md, "Candidate
generation": leave-one-video-out P@10 0.51 to 0.56 on the Lightor Dota 2 train chat, LoL kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from clippy.detect.chat import ChatLine

# Emotes and words people type when something happens (Twitch, BTTV, FFZ, 7TV spellings).
_REACTIONS = """
    lul lulw kekw kekl omegalul lol lmao lmfao rofl xd haha hahaha hehe jaja
    pog pogu poggers pogchamp pogg wow omg wtf holy kreygasm monkas monkaw pepega
    ez gg wp rekt clip clipit 4head jebaited notlikethis biblethump wutface dansgame
    failfish residentsleeper pepelaugh pepehands sadge hype insane nuts
"""
REACTION_TOKENS = frozenset(_REACTIONS.split())
_TOKEN = re.compile(r"[a-z0-9]+")
_STRETCH = re.compile(r"(\w)\1{3,}")  # "LOOOOL", "noooo"
REPEAT_SECONDS = 10.0  # one viewer's lines this close together count once
WINDOW_SECONDS = 25  # chat's reaction spreads over this many seconds
# Reactions are short ("LUL", "no way"); conversation is long: on the train chat weighing
# outbursts up and remarks down raised P@5 from 0.66 to 0.76 (Dota 2) and 0.8 to 1.0 (LoL).
SHORT_WORDS = 2
LONG_WORDS = 6
REACTION_WEIGHT = 1.0
SHOUT_WEIGHT = 0.5
STRETCH_WEIGHT = 0.5
# The channel's usual activity: its last two minutes (follows a game's calm and busy phases;
# 2, 5, 10 and 20 minutes scored alike on the train chat, and 2 needs the least history).
BASELINE_SECONDS = 120
MIN_HISTORY_SECONDS = 60
# The learned ranker's features (detect/chat_features.py) look at up to this many seconds.
LONG_WINDOW_SECONDS = 50
# How much chat before a window detection needs for the baseline of its longest window.
CHAT_HISTORY_SECONDS = BASELINE_SECONDS + LONG_WINDOW_SECONDS
BASELINE_FLOOR = 0.2  # weighted lines/s: a quiet chat is not silent


def message_weight(text: str) -> float:
    """How much one message says "something happened": 1, plus a point for a reaction
    token, plus half for shouting (mostly capitals) and half for stretched letters or "!!";
    doubled for a short outburst (one or two words), halved for a long remark (over six)."""
    weight = 1.0
    if is_reaction(text):
        weight += REACTION_WEIGHT
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        weight += SHOUT_WEIGHT
    if _STRETCH.search(text) or "!!" in text:
        weight += STRETCH_WEIGHT
    words = len(text.split())
    if words <= SHORT_WORDS:
        return weight * 2.0
    return weight * 0.5 if words > LONG_WORDS else weight


def is_reaction(text: str) -> bool:
    """Whether a message holds a reaction token (an emote, laughter, "clip"...)."""
    return any(tok in REACTION_TOKENS for tok in _TOKEN.findall(text.lower()))


def _counted(lines: Sequence[ChatLine]) -> Iterator[ChatLine]:
    """The lines in time order, less each viewer's lines within ``REPEAT_SECONDS`` of their
    previous counted one (a single viewer flooding chat reads as one message)."""
    last: dict[str, float] = {}
    for line in sorted(lines, key=lambda c: c.time):
        if line.user:
            prev = last.get(line.user)
            if prev is not None and line.time - prev < REPEAT_SECONDS:
                continue
            last[line.user] = line.time
        yield line


def audience_counts(lines: Sequence[ChatLine], t0: float, t1: float) -> np.ndarray:
    """``[seconds of [t0, t1), 2]``: per second, the summed ``message_weight`` of its messages
    and the number of them holding a reaction token, spam counted once (``_counted``)."""
    n = max(0, int(np.ceil(t1 - t0)))
    out = np.zeros((n, 2))
    for line in _counted(lines):
        i = int(np.floor(line.time - t0))
        if 0 <= i < n:
            out[i, 0] += message_weight(line.text)
            out[i, 1] += is_reaction(line.text)
    return out


def weighted_counts(lines: Sequence[ChatLine], t0: float, t1: float) -> np.ndarray:
    """Per second of ``[t0, t1)``: the summed weight of its messages, spam counted once."""
    return np.asarray(audience_counts(lines, t0, t1)[:, 0])


def unique_share(lines: Sequence[ChatLine]) -> float:
    """Share of distinct viewers among the messages (1.0: everyone spoke once)."""
    users = [c.user for c in lines if c.user]
    return len(set(users)) / len(users) if users else 1.0


def audience_multiplier(
    lines: Sequence[ChatLine], t0: float, t1: float, *, history: float = BASELINE_SECONDS
) -> np.ndarray:
    """Per second of ``[t0, t1)``: the weighted chat activity of the trailing
    ``WINDOW_SECONDS`` over the channel's own usual activity (its mean over the ``history``
    seconds before that window, floored at ``BASELINE_FLOOR``), or the same ratio for the
    messages holding a reaction token when that is larger.

    Lines from before ``t0`` serve as that history when given, so a live window (given the
    chat since ``t0 - history``) and an offline pass over the whole stream agree.
    """
    lead = int(min(history + WINDOW_SECONDS, max(0.0, t0)))
    counts = audience_counts(lines, t0 - lead, t1)
    weighted = _over_usual(counts[:, 0], history)
    reactions = _over_usual(counts[:, 1], history)
    return np.maximum(weighted, reactions)[lead:]


def _over_usual(counts: np.ndarray, history: float) -> np.ndarray:
    """Per second: the mean of ``counts`` over the trailing ``WINDOW_SECONDS`` over its mean in
    the ``history`` seconds before that window (floored at ``BASELINE_FLOOR``); 1.0 while
    under ``MIN_HISTORY_SECONDS`` of history exist."""
    cum = np.concatenate([[0.0], np.cumsum(counts)])
    idx = np.arange(len(counts))
    w_lo = np.maximum(0, idx + 1 - WINDOW_SECONDS)
    rate = (cum[idx + 1] - cum[w_lo]) / WINDOW_SECONDS
    b_lo = np.maximum(0, w_lo - int(history))
    span = w_lo - b_lo
    base = (cum[w_lo] - cum[b_lo]) / np.maximum(span, 1)
    mult = rate / np.maximum(base, BASELINE_FLOOR)
    # A stream's first minute has no usual level to compare with: its first lines would all
    # look like a burst (they were the top "moments" of most train videos). Nothing counts yet.
    mult[span < MIN_HISTORY_SECONDS] = 1.0
    return np.asarray(mult)
