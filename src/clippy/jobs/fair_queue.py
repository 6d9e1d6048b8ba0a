"""Per-stream segment queues served round-robin (pure: the clock is passed in).

One global FIFO let a stream that sent many segments at once (a reconnect flush, a fast
client) hold every worker while the others waited, and its bound made the ingest socket wait
for the pipeline. Here each stream has its own queue of segment ids and the workers take one
segment from each stream in turn, so a heavy stream slows only itself. Streams of a paying
plan (higher ``priority``) take their turns before the others. The queues hold ids
only: the segment is already durable and its row (status ``pending``) is the source of truth,
so nothing here bounds ingestion.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["FairQueue"]


@dataclass
class _StreamQueue:
    waiting: deque[tuple[int, float]] = field(default_factory=deque)  # (segment id, queued at)
    running: dict[int, float] = field(default_factory=dict)  # segment id -> queued at
    priority: int = 0
    plan: str = "free"


class FairQueue:
    """Segment ids per stream; ``pop`` serves streams round-robin."""

    def __init__(self) -> None:
        self._streams: dict[int, _StreamQueue] = {}
        # Streams with waiting segments, next turn first, one line per priority.
        self._turns: dict[int, deque[int]] = {}
        self._known: set[int] = set()

    def push(
        self, stream_id: int, segment_id: int, now: float, *, priority: int = 0, plan: str = "free"
    ) -> bool:
        """Queue a segment; ``False`` (and nothing queued) if it is already queued or running."""
        if segment_id in self._known:
            return False
        self._known.add(segment_id)
        q = self._streams.setdefault(stream_id, _StreamQueue(priority=priority, plan=plan))
        if not q.waiting:
            self._turns.setdefault(q.priority, deque()).append(stream_id)
        q.waiting.append((segment_id, now))
        return True

    def pop(self) -> tuple[int, int] | None:
        """(stream id, segment id) of the next segment to process, or ``None`` if none waits.

        The stream whose turn it is (in the highest priority line with any) gives its oldest
        segment and goes to the back of its line.
        """
        if not self._turns:
            return None
        priority = max(self._turns)
        line = self._turns[priority]
        stream_id = line.popleft()
        if not line:
            del self._turns[priority]
        q = self._streams[stream_id]
        segment_id, queued_at = q.waiting.popleft()
        q.running[segment_id] = queued_at
        if q.waiting:
            self._turns.setdefault(priority, deque()).append(stream_id)
        return stream_id, segment_id

    def pop_more(self, stream_id: int, limit: int) -> list[int]:
        """Up to ``limit`` more waiting segments of ``stream_id`` (oldest first), taken with
        the one ``pop`` just gave, to be processed together; the stream keeps its turn only
        if some are still waiting."""
        q = self._streams.get(stream_id)
        if q is None or limit <= 0:
            return []
        taken: list[int] = []
        while q.waiting and len(taken) < limit:
            segment_id, queued_at = q.waiting.popleft()
            q.running[segment_id] = queued_at
            taken.append(segment_id)
        if taken and not q.waiting:
            line = self._turns.get(q.priority)
            if line is not None and stream_id in line:
                line.remove(stream_id)
                if not line:
                    del self._turns[q.priority]
        return taken

    def done(self, stream_id: int, segment_id: int) -> int:
        """A popped segment is finished; returns how many of its stream's remain."""
        q = self._streams.get(stream_id)
        self._known.discard(segment_id)
        if q is None:
            return 0
        q.running.pop(segment_id, None)
        left = len(q.waiting) + len(q.running)
        if left == 0:
            del self._streams[stream_id]
        return left

    def pending(self, stream_id: int) -> int:
        """Segments of the stream waiting or being processed."""
        q = self._streams.get(stream_id)
        return 0 if q is None else len(q.waiting) + len(q.running)

    def depth(self) -> int:
        """Segments waiting (not yet started), all streams together."""
        return sum(len(q.waiting) for q in self._streams.values())

    def oldest_wait(self, now: float) -> float:
        """Seconds the longest-waiting segment not yet started has waited (0 when none)."""
        firsts = [q.waiting[0][1] for q in self._streams.values() if q.waiting]
        return max(0.0, now - min(firsts)) if firsts else 0.0

    def waiting_by_stream(self) -> dict[int, int]:
        """Segments waiting per stream (streams with none left out)."""
        return {sid: len(q.waiting) for sid, q in self._streams.items() if q.waiting}

    def waiting_by_plan(self) -> dict[str, int]:
        """Segments waiting per plan of the streams' owners (plans with none left out)."""
        out: dict[str, int] = {}
        for q in self._streams.values():
            if q.waiting:
                out[q.plan] = out.get(q.plan, 0) + len(q.waiting)
        return out

    def lag(self, stream_id: int, now: float) -> float:
        """Seconds the stream's oldest unfinished segment has waited since it was queued."""
        q = self._streams.get(stream_id)
        if q is None:
            return 0.0
        # Waiting segments are in arrival order: the first is the oldest of them.
        times = [q.waiting[0][1]] if q.waiting else []
        times += q.running.values()
        return max(0.0, now - min(times)) if times else 0.0

    def lags(self, now: float) -> dict[int, float]:
        """``lag`` of every stream with unfinished segments."""
        return {sid: self.lag(sid, now) for sid in self._streams}
