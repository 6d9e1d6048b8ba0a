"""How a live event travels between processes as PostgreSQL ``NOTIFY`` payloads (pure).

A payload may hold at most 8000 bytes. Events are small (ids, a title, signed URLs), so
nearly every one goes as a single message; a larger one is cut into numbered parts that
are sent in one transaction, which PostgreSQL delivers together and in order, and joined
again by the receiver (rare in practice, but no event is ever refused for its size). Every
message names the process that sent it, so a process skips its own events (it delivered
them to its own subscribers when they were published).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_PAYLOAD", "Reassembler", "encode_event"]

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. JSON here is ASCII-only
# (``ensure_ascii``), so characters and bytes count the same; keep room for the envelope.
MAX_PAYLOAD = 7900
_ENVELOPE_ROOM = 200
_PART_TTL_S = 60.0  # parts of a message whose rest never came are dropped after this


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)


def encode_event(
    origin: str,
    user_ids: set[int],
    event: dict[str, Any],
    limit: int = MAX_PAYLOAD,
    serial: int = 0,
) -> list[str]:
    """The NOTIFY payload(s) carrying ``event`` for ``user_ids``, each at most ``limit`` long.

    ``serial`` (the sender's count) keeps two equal events apart: PostgreSQL delivers
    identical payloads sent in one transaction only once."""
    whole = _dump({"o": origin, "s": serial, "u": sorted(user_ids), "e": event})
    if len(whole) <= limit:
        return [whole]
    # Base64 so a part's characters need no JSON escaping (which would lengthen it).
    body = base64.b64encode(_dump({"u": sorted(user_ids), "e": event}).encode()).decode()
    step = limit - _ENVELOPE_ROOM
    if step <= 0:
        raise ValueError(f"payload limit {limit} leaves no room for an event")
    pieces = [body[i : i + step] for i in range(0, len(body), step)]
    msg = uuid.uuid4().hex
    return [
        _dump({"o": origin, "m": msg, "i": i, "n": len(pieces), "d": piece})
        for i, piece in enumerate(pieces)
    ]


@dataclass
class _Partial:
    parts: dict[int, str]
    total: int
    since: float


@dataclass
class Reassembler:
    """Turns received payloads back into ``(user ids, event)``, skipping this process's own."""

    origin: str
    _partial: dict[str, _Partial] = field(default_factory=dict)

    def feed(
        self, payload: str, now: float | None = None
    ) -> tuple[set[int], dict[str, Any]] | None:
        """The event ``payload`` completes, or ``None`` (own event, a part, or unreadable)."""
        try:
            msg = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(msg, dict) or msg.get("o") == self.origin:
            return None
        if "m" in msg:
            joined = self._join(msg, time.monotonic() if now is None else now)
            if joined is None:
                return None
            try:
                msg = json.loads(base64.b64decode(joined))
            except ValueError:
                return None
        users, event = msg.get("u"), msg.get("e")
        if not isinstance(users, list) or not isinstance(event, dict):
            return None
        return {int(u) for u in users}, event

    def _join(self, msg: dict[str, Any], now: float) -> str | None:
        self._drop_stale(now)
        key, index, total = str(msg["m"]), int(msg["i"]), int(msg["n"])
        partial = self._partial.setdefault(key, _Partial({}, total, now))
        partial.parts[index] = str(msg["d"])
        if len(partial.parts) < partial.total:
            return None
        del self._partial[key]
        return "".join(partial.parts[i] for i in range(partial.total))

    def _drop_stale(self, now: float) -> None:
        for key in [k for k, p in self._partial.items() if now - p.since > _PART_TTL_S]:
            del self._partial[key]
