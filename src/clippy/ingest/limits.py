"""Per-connection ingest limits (pure: the clock is passed in)."""

from __future__ import annotations

from dataclasses import dataclass, field

from clippy.accounts import get_plan

__all__ = ["CHAT_BURST_LINES", "CHAT_LINES_PER_SECOND", "TokenBucket", "segment_limit"]

# Visible chat of the busiest channels scrolls at a few dozen lines a second; the extension
# reads what is on screen, so 50 lines/s sustained with a 600-line burst (a reconnect flush)
# is generous for a real client and still bounds what one socket can write.
CHAT_LINES_PER_SECOND = 50.0
CHAT_BURST_LINES = 600.0


@dataclass
class TokenBucket:
    """``rate`` tokens a second up to ``burst``; ``take`` spends them or says how long to wait."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, n: float, now: float) -> float:
        """Spend ``n`` tokens at time ``now``: 0.0 when allowed, else seconds until it would be
        (nothing is spent then)."""
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if n <= self.tokens:
            self.tokens -= n
            return 0.0
        return (n - self.tokens) / self.rate


def segment_limit(plan_name: str, configured: int) -> int:
    """The largest segment (bytes) a user of ``plan_name`` may send: the plan's cap, never
    above the operator's ``max_segment_bytes``."""
    return min(configured, get_plan(plan_name).max_segment_bytes)
