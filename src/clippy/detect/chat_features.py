"""Per-second features of how chat reacts, for the learned chat ranker (``detect/ranker.py``).

Row ``j`` describes the chat of the windows *ending* at second ``j`` (the reaction side; the
scorer moves the result back by the reaction lag). Every feature compares chat with itself
(ratios, or a window against the channel's own recent level), so a 5-viewer and a 50 000-viewer
channel give the same numbers for the same kind of reaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from clippy.detect.audience import (
    BASELINE_FLOOR,
    LONG_WINDOW_SECONDS,
    MIN_HISTORY_SECONDS,
    REACTION_TOKENS,
    REPEAT_SECONDS,
    WINDOW_SECONDS,
    message_weight,
)
from clippy.detect.chat import ChatLine

SHORT_WINDOW = 10  # a sharp burst
LONG_WINDOW = LONG_WINDOW_SECONDS  # a long reaction
ECHO_SECONDS = 25.0  # a line repeating another viewer's line this recent is the crowd echoing
_TOKEN = re.compile(r"[a-z0-9]+")

FEATURES = (
    "log_mult",  # log2 of today's signal: weighted rate (25 s), or reaction messages', over usual
    "log_mult_short",  # same over 10 s
    "log_mult_long",  # same over 50 s
    "log_count_mult",  # plain message count (25 s) over its usual level
    # Shares of the window's messages, each minus the channel's usual share:
    "reaction_share",  # holding a reaction token
    "caps_share",  # mostly in capitals
    "question_share",  # asking something
    "log_length_change",  # (log2 mean words per message against the usual)
    "echo_share",  # repeating another viewer's recent line (the crowd echoing)
    "new_chatter_share",  # from viewers silent in the last 25 s
    "rise",  # log2 rate of the last 10 s over the 10 s before
)


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _per_second(lines: Sequence[ChatLine], start: float, n: int) -> np.ndarray:
    """``[n, 9]`` per-second sums: weight, count, reaction, caps, question, words, echo, new
    chatter, 1 (seconds); one viewer's lines within ``REPEAT_SECONDS`` count once."""
    out = np.zeros((n, 9))
    out[:, 8] = 1.0
    last: dict[str, float] = {}
    spoke: dict[str, float] = {}
    said: dict[str, tuple[float, str]] = {}
    for line in sorted(lines, key=lambda c: c.time):
        i = int(np.floor(line.time - start))
        user = line.user
        if user:
            prev = last.get(user)
            if prev is not None and line.time - prev < REPEAT_SECONDS:
                continue
            last[user] = line.time
        text = _norm(line.text)
        recent = said.get(text)
        echo = recent is not None and recent[1] != user and line.time - recent[0] <= ECHO_SECONDS
        if text:
            said[text] = (line.time, user)
        new = not user or line.time - spoke.get(user, -1e9) > WINDOW_SECONDS
        if user:
            spoke[user] = line.time
        if not 0 <= i < n:
            continue
        letters = [c for c in line.text if c.isalpha()]
        row = out[i]
        row[0] += message_weight(line.text)
        row[1] += 1
        row[2] += any(tok in REACTION_TOKENS for tok in text.split())
        row[3] += len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
        row[4] += "?" in line.text
        row[5] += len(line.text.split())
        row[6] += echo
        row[7] += new
    return out


def chat_features(
    lines: Sequence[ChatLine], t0: float, t1: float, *, history: float = 120.0
) -> np.ndarray:
    """``[seconds of [t0, t1), len(FEATURES)]``: the features of each second (see ``FEATURES``).

    Lines from before ``t0`` serve as history when given (as for ``audience_multiplier``), so
    a live window and an offline pass over the whole stream agree. Seconds with under
    ``MIN_HISTORY_SECONDS`` of history are all zeros (no usual level to compare with yet).
    """
    lead = int(min(history + LONG_WINDOW, max(0.0, t0)))
    n = max(0, int(np.ceil(t1 - t0))) + lead
    sums = _per_second(lines, t0 - lead, n)
    cum = np.vstack([np.zeros((1, sums.shape[1])), np.cumsum(sums, axis=0)])
    idx = np.arange(n)

    def window(width: int, back: int = 0) -> np.ndarray:
        hi = np.maximum(0, idx + 1 - back)
        lo = np.maximum(0, hi - width)
        return np.asarray(cum[hi] - cum[lo])

    def baseline(width: int) -> tuple[np.ndarray, np.ndarray]:
        hi = np.maximum(0, idx + 1 - width)
        lo = np.maximum(0, hi - int(history))
        span = hi - lo
        return (cum[hi] - cum[lo]) / np.maximum(span, 1)[:, None], span

    def log_mult(col: int, width: int) -> np.ndarray:
        base, _ = baseline(width)
        rate = window(width)[:, col] / width
        return np.log2(np.maximum(rate, 0.01) / np.maximum(base[:, col], BASELINE_FLOOR))

    w = window(WINDOW_SECONDS)
    base, span = baseline(WINDOW_SECONDS)
    count = np.maximum(w[:, 1], 1.0)
    usual_count = np.maximum(base[:, 1], 1e-9)

    def share_change(col: int) -> np.ndarray:
        # A channel whose chat is always one pasted emote is not always reacting: a share
        # counts as it differs from the channel's usual share.
        return np.asarray(w[:, col] / count - base[:, col] / usual_count)

    words = w[:, 5] / count
    usual_words = base[:, 5] / usual_count
    recent, before = window(SHORT_WINDOW)[:, 0], window(SHORT_WINDOW, SHORT_WINDOW)[:, 0]
    feats = np.column_stack(
        [
            # The live signal (audience_multiplier): weighted activity or reaction messages.
            np.maximum(log_mult(0, WINDOW_SECONDS), log_mult(2, WINDOW_SECONDS)),
            log_mult(0, SHORT_WINDOW),
            log_mult(0, LONG_WINDOW),
            log_mult(1, WINDOW_SECONDS),
            share_change(2),
            share_change(3),
            share_change(4),
            np.log2(np.maximum(words, 0.5) / np.maximum(usual_words, 0.5)),
            share_change(6),
            share_change(7),
            np.log2((recent + 1.0) / (before + 1.0)),
        ]
    )
    feats[span < MIN_HISTORY_SECONDS] = 0.0
    return np.asarray(feats[lead:])
