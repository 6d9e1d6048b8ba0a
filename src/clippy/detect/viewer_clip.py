"""Viewers can clip: a chat command (``!clip`` by default) sent by enough distinct viewers.

A request needs ``viewers`` distinct senders (default 2) within ``window`` seconds, or a single
broadcaster or moderator where the chat shows badges. One viewer sending it ten times is one
sender. After a request is granted, the commands of the next ``window`` seconds belong to it
(late agreement makes no second clip).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clippy.detect.chat import ChatLine

DEFAULT_COMMAND = "!clip"
DEFAULT_VIEWERS = 2
WINDOW_SECONDS = 20.0
PRIVILEGED_BADGES = frozenset({"broadcaster", "moderator", "owner", "mod"})


@dataclass(frozen=True)
class ClipRequest:
    """Viewers asked for a clip: the first request's time, when enough agreed, and who."""

    first: float
    granted: float
    users: tuple[str, ...]
    command: str


def is_command(text: str, command: str) -> bool:
    """Whether a message is the command (its first word, any case): "!clip", "!CLIP that"."""
    words = text.split()
    return bool(command) and bool(words) and words[0].lower() == command.lower()


def clip_requests(
    lines: Sequence[ChatLine],
    *,
    command: str = DEFAULT_COMMAND,
    viewers: int = DEFAULT_VIEWERS,
    window: float = WINDOW_SECONDS,
) -> list[ClipRequest]:
    """The clip requests granted in ``lines`` (any order), oldest first; none if ``command``
    is empty."""
    if not command:
        return []
    out: list[ClipRequest] = []
    pending: list[ChatLine] = []
    quiet_until = float("-inf")
    for line in sorted(lines, key=lambda c: c.time):
        if not is_command(line.text, command) or line.time < quiet_until:
            continue
        pending = [p for p in pending if line.time - p.time <= window]
        if all(p.user != line.user for p in pending) or not line.user:
            pending.append(line)
        privileged = PRIVILEGED_BADGES.intersection(b.lower() for b in line.badges)
        users = tuple(dict.fromkeys(p.user for p in pending))
        if privileged or len(users) >= max(1, viewers):
            out.append(ClipRequest(pending[0].time, line.time, users, command))
            pending = []
            quiet_until = line.time + window
    return out
