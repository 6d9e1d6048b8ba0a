"""Attempt limits for log-in, sign-up, token refresh and password change.

Each guarded action takes a ticket before it does any work (before the password hash, the
expensive part): the ticket counts one attempt against every key it names (the account,
the client address) and is refused with the seconds until the oldest counted attempt
leaves the window. Taking the ticket first means 20 concurrent guesses are counted as 20,
not 0 until the first one finishes. A success gives the attempts back (``refund``), so
only failures and sign-ups use the budget.

Counters live in the process (a restart forgets them, which only ever lets a client try
again sooner); their number is capped so a flood of made-up account names cannot grow the
table without bound.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from clippy.errors import QuotaExceeded

__all__ = ["Limit", "Throttle", "Throttled", "Ticket", "wait_seconds"]


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` counted attempts per ``window`` seconds."""

    attempts: int
    window: float


class Throttled(QuotaExceeded):
    """Too many attempts; ``retry_after`` whole seconds until the next one is counted."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            f"too many {what} attempts; try again in {retry_after} s"
            if retry_after < 120
            else f"too many {what} attempts; try again in {math.ceil(retry_after / 60)} min"
        )
        self.retry_after = retry_after


def wait_seconds(times: Sequence[float], limit: Limit, now: float) -> float:
    """Seconds until one more attempt fits ``limit``, given the recent attempt ``times``
    (oldest first); 0 when it fits now."""
    recent = [t for t in times if now - t < limit.window]
    if len(recent) < limit.attempts:
        return 0.0
    return recent[len(recent) - limit.attempts] + limit.window - now


@dataclass
class Ticket:
    """The attempts one action counted; ``refund`` gives them back after a success."""

    throttle: Throttle
    keys: tuple[str, ...]
    at: float

    def refund(self) -> None:
        """Uncount this attempt (the action succeeded)."""
        self.throttle._uncount(self.keys, self.at)


class Throttle:
    """Sliding-window attempt counters keyed by strings (thread-safe)."""

    def __init__(self, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def take(self, what: str, keys: Sequence[tuple[str, Limit]]) -> Ticket:
        """Count one attempt against every key, or raise ``Throttled`` (counting nothing)
        when any key is at its limit."""
        with self._lock:
            now = self._clock()
            wait = max(
                (wait_seconds(self._times.get(key, ()), limit, now) for key, limit in keys),
                default=0.0,
            )
            if wait > 0:
                raise Throttled(what, max(1, math.ceil(wait)))
            for key, limit in keys:
                times = self._times.pop(key, None) or deque(maxlen=limit.attempts)
                while times and now - times[0] >= limit.window:
                    times.popleft()
                times.append(now)
                self._times[key] = times  # most recently used last
            while len(self._times) > self._max_keys:
                self._times.popitem(last=False)
        return Ticket(self, tuple(key for key, _ in keys), now)

    def _uncount(self, keys: Sequence[str], at: float) -> None:
        with self._lock:
            for key in keys:
                times = self._times.get(key)
                if times is not None and at in times:
                    times.remove(at)
