"""Embedded segment runner: asyncio + a process pool, per-stream queues, bounded retries.

Segments enter through ``submit`` after they are durably stored; it never waits, so a slow
pipeline delays processing, never the acknowledgement. Streams are served round-robin
(``FairQueue``): a stream with a backlog cannot hold the workers while others wait, and each
stream's processing lag (how long its oldest unfinished segment has waited) is measured. CPU
work (audio features, speech recognition, then the mezzanine transcode) runs in worker
processes; detection and clip creation run per stream under a
lock so a stream's windows are scored in order, while different streams proceed in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from sqlalchemy import select

from clippy import metrics
from clippy.clips import announce_clip
from clippy.config import Settings
from clippy.db import SEGMENT_UNFINISHED, Clip, Segment, Stream, User
from clippy.detect import make_judge
from clippy.jobs.base import JobParts
from clippy.jobs.fair_queue import FairQueue
from clippy.jobs.priority import job_priority
from clippy.pipeline import (
    detect_and_clip,
    init_worker,
    make_mezzanine,
    mark_attempt,
    process_segment,
    process_segments,
    record_failure,
)

log = logging.getLogger(__name__)

SegmentStage = Callable[[int], int]
BatchStage = Callable[[Sequence[int]], int]
# Worker processes (and the ffmpeg they start) run this much nicer than the server, so a
# saturated pipeline takes the CPU the ingest path (validation, acks) does not need.
PIPELINE_NICENESS = 10
_DEFERRED_KEPT = 2000


def _init_background_worker(settings: dict[str, object]) -> None:
    os.nice(PIPELINE_NICENESS)
    init_worker(settings)


def stage_pool(settings: Settings, workers: int) -> ProcessPoolExecutor:
    """The process pool the CPU stages run in (niced; exits with its parent)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_background_worker,
        initargs=(settings.model_dump(),),
    )


class SegmentRunner:
    """Runs every stored segment through the stages, then detection for its stream."""

    def __init__(
        self,
        ctx: JobParts,
        *,
        segment_stage: SegmentStage | None = None,
        executor: Executor | None = None,
        mezzanine_stage: Callable[[int], None] | None = None,
        batch_stage: BatchStage | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self._stage = segment_stage or process_segment
        # A stream's waiting segments go through together (``process_segments``); a stage
        # given for one segment at a time (tests) is kept one at a time.
        self._batch_stage = batch_stage or (None if segment_stage else process_segments)
        self._mezzanine_stage = mezzanine_stage or make_mezzanine
        self._executor = executor
        self._owns_executor = executor is None
        self._queue = FairQueue()
        self._ready = asyncio.Semaphore(0)  # one release per waiting segment
        self._unfinished_count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._workers: list[asyncio.Task[None]] = []
        self._locks: dict[int, asyncio.Lock] = {}
        self._finishing: set[int] = set()
        self._lag_labels: set[int] = set()  # streams with a lag gauge published
        self._depth_labels: tuple[set[int], set[str]] = (set(), set())
        self._background: set[asyncio.Task[list[int]]] = set()
        self._final_running: dict[int, int] = {}  # stream id -> final passes running
        # Segments whose mezzanine was skipped while busy (bounded: a reader makes any missing).
        self._deferred: deque[int] = deque(maxlen=_DEFERRED_KEPT)
        self._judge = make_judge(self.settings)  # None unless an LLM is configured

    async def start(self) -> None:
        """Start the worker pool and re-queue segments left unfinished by a previous run."""
        if not self._owns_executor:
            # An injected executor (threads, in tests) shares this process: init here.
            init_worker(self.settings, watch_parent=False)
        if self._executor is None:
            self._executor = stage_pool(self.settings, self.settings.pipeline_workers)
        for _ in range(self.settings.pipeline_workers):
            self._workers.append(asyncio.create_task(self._work()))
        for seg_id, stream_id, plan in await asyncio.to_thread(self._unfinished):
            self.submit(seg_id, stream_id, plan)

    def _unfinished(self) -> list[tuple[int, int, str]]:
        with self.ctx.session_factory() as session:
            q = (
                select(Segment.id, Segment.stream_id, User.plan)
                .join(Stream, Stream.id == Segment.stream_id)
                .join(User, User.id == Stream.user_id)
                .where(Segment.status.in_(SEGMENT_UNFINISHED))
                .order_by(Segment.stream_id, Segment.seq)
            )
            return [(a, b, c) for a, b, c in session.execute(q)]

    def submit(self, segment_id: int, stream_id: int, plan: str = "free") -> None:
        """Queue a stored segment for its stream; returns at once (never waits for workers).

        Call it on the event loop's thread."""
        pushed = self._queue.push(
            stream_id, segment_id, time.monotonic(), priority=job_priority(plan), plan=plan
        )
        if not pushed:
            return
        self._unfinished_count += 1
        self._idle.clear()
        self._ready.release()
        self._publish()

    def _publish(self) -> None:
        metrics.QUEUE_DEPTH.set(self._queue.depth())
        lags = self._queue.lags(time.monotonic())
        for stream_id in self._lag_labels - lags.keys():
            with contextlib.suppress(KeyError):
                metrics.STREAM_LAG.remove(str(stream_id))
        for stream_id, lag in lags.items():
            metrics.STREAM_LAG.labels(str(stream_id)).set(lag)
        self._lag_labels = set(lags)
        self._publish_depths()

    def _publish_depths(self) -> None:
        streams, plans = self._queue.waiting_by_stream(), self._queue.waiting_by_plan()
        old_streams, old_plans = self._depth_labels
        for sid in old_streams - streams.keys():
            metrics.STREAM_QUEUE_DEPTH.labels(str(sid)).set(0)
        for plan in old_plans - plans.keys():
            metrics.PLAN_QUEUE_DEPTH.labels(plan).set(0)
        for sid, n in streams.items():
            metrics.STREAM_QUEUE_DEPTH.labels(str(sid)).set(n)
        for plan, n in plans.items():
            metrics.PLAN_QUEUE_DEPTH.labels(plan).set(n)
        self._depth_labels = (set(streams), set(plans))

    def processing_lag(self, stream_id: int) -> float:
        """Seconds the stream's oldest unprocessed segment has been waiting (0 when none)."""
        return self._queue.lag(stream_id, time.monotonic())

    def finish(self, stream_id: int) -> None:
        """The stream ended: once its queued segments are done, run a final detection that
        clips moments whose payoff would otherwise wait for a next segment."""
        if self._queue.pending(stream_id) == 0:
            self._spawn_final(stream_id)
        else:
            self._finishing.add(stream_id)

    def resume(self, stream_id: int) -> None:
        """The stream was started again: no final pass is owed any more."""
        self._finishing.discard(stream_id)

    def stream_pending(self, stream_id: int) -> bool:
        """Whether the stream has segments queued or running, or a final pass owed or running."""
        return (
            self._queue.pending(stream_id) > 0
            or stream_id in self._finishing
            or self._final_running.get(stream_id, 0) > 0
        )

    def _spawn_final(self, stream_id: int) -> asyncio.Task[list[int]]:
        # Counted from before the task first runs until it is done (or cancelled), so
        # ``stream_pending`` never has a gap between ``_finishing`` and the pass itself.
        self._final_running[stream_id] = self._final_running.get(stream_id, 0) + 1
        task = asyncio.create_task(self.detect(stream_id, final=True))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(lambda _t: self._final_done(stream_id))
        return task

    def _final_done(self, stream_id: int) -> None:
        left = self._final_running.pop(stream_id, 1) - 1
        if left:
            self._final_running[stream_id] = left

    def queue_depth(self) -> int:
        """Segments waiting to be processed, all streams together."""
        return self._queue.depth()

    async def join(self) -> None:
        """Wait until every queued segment has been handled, and every final detection pass
        started meanwhile has run (tests, ``clippy process``, ``clippy record``)."""
        await self._idle.wait()
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def stop(self) -> None:
        """Stop workers; unfinished segments stay 'pending' and are re-queued at next start."""
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()
        if self._owns_executor and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def _work(self) -> None:
        while True:
            await self._ready.acquire()
            item = self._queue.pop()
            if item is None:  # its segment was taken along with an earlier one of its stream
                continue
            stream_id, seg_id = item
            seg_ids = [seg_id]
            if self._batch_stage is not None:
                seg_ids += self._queue.pop_more(
                    stream_id, self.settings.pipeline_batch_segments - 1
                )
            self._publish()
            try:
                await self._handle(seg_ids)
            except Exception:  # one segment must never stop the worker
                log.exception("pipeline: segments %s failed outside their stages", seg_ids)
            finally:
                left = min(self._queue.done(stream_id, i) for i in seg_ids)
                self._publish()
                try:
                    if left == 0 and stream_id in self._finishing:
                        self._finishing.discard(stream_id)
                        await self._spawn_final(stream_id)
                finally:
                    self._unfinished_count -= len(seg_ids)
                    if self._unfinished_count == 0:
                        self._idle.set()

    async def _handle(self, seg_ids: list[int]) -> None:
        stream_id = await self._run_together(seg_ids) if len(seg_ids) > 1 else None
        if stream_id is None:
            for seg_id in seg_ids:
                stream_id = await self._run_stage(seg_id) or stream_id
        if stream_id is not None:
            await self.detect(stream_id)
            for seg_id in seg_ids:
                await self._mezzanine(seg_id)

    async def _run_together(self, seg_ids: list[int]) -> int | None:
        """One stream's waiting segments through the batch stage in one call; ``None`` if
        that failed (each is then retried on its own, so one bad segment fails alone)."""
        assert self._batch_stage is not None
        started = time.perf_counter()

        def mark() -> None:
            for seg_id in seg_ids:
                mark_attempt(self.ctx.session_factory, seg_id, 1)

        await asyncio.to_thread(mark)
        loop = asyncio.get_running_loop()
        try:
            stream_id = await loop.run_in_executor(self._executor, self._batch_stage, seg_ids)
        except Exception as exc:
            metrics.STAGE_FAILURES.labels("segment").inc()
            log.warning("pipeline: segments %s together failed (%s); one at a time", seg_ids, exc)
            return None
        share = (time.perf_counter() - started) / len(seg_ids)
        for _ in seg_ids:
            metrics.STAGE_SECONDS.labels("segment").observe(share)
        metrics.SEGMENTS_TOGETHER.inc(len(seg_ids))
        return stream_id

    async def _run_stage(self, seg_id: int) -> int | None:
        """One segment through the stage, retried with backoff; its stream id, or ``None``
        once every attempt failed (recorded on the segment)."""
        loop = asyncio.get_running_loop()
        stream_id: int | None = None
        attempts = self.settings.pipeline_max_attempts
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            await asyncio.to_thread(mark_attempt, self.ctx.session_factory, seg_id, attempt)
            try:
                stream_id = await loop.run_in_executor(self._executor, self._stage, seg_id)
                metrics.STAGE_SECONDS.labels("segment").observe(time.perf_counter() - started)
                break
            except Exception as exc:
                metrics.STAGE_FAILURES.labels("segment").inc()
                final = attempt == attempts
                log.warning(
                    "pipeline: segment %s attempt %d/%d failed: %s", seg_id, attempt, attempts, exc
                )
                await asyncio.to_thread(
                    record_failure, self.ctx.session_factory, seg_id, exc, final
                )
                if final:
                    return None
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
        return stream_id

    async def _mezzanine(self, seg_id: int) -> None:
        """Make the segment's mezzanine now, unless segments are waiting: detection of the
        next ones comes first, and a skipped mezzanine is made when first needed or, once
        nothing waits, here (newest first: the likeliest to be clipped or watched)."""
        waited = self._queue.oldest_wait(time.monotonic())
        if waited > self.settings.pipeline_mezzanine_defer_seconds:
            metrics.MEZZANINES_DEFERRED.inc()
            self._deferred.append(seg_id)
            return
        await self._make_mezzanine(seg_id)
        if self._deferred and self._queue.depth() == 0:
            await self._make_mezzanine(self._deferred.pop())

    async def _make_mezzanine(self, seg_id: int) -> None:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._mezzanine_stage, seg_id)
        except Exception as exc:  # a cut that needs it makes it (or reports the error)
            metrics.STAGE_FAILURES.labels("mezzanine").inc()
            log.warning("pipeline: mezzanine of segment %s failed: %s", seg_id, exc)
            return
        metrics.STAGE_SECONDS.labels("mezzanine").observe(time.perf_counter() - started)

    async def detect(self, stream_id: int, *, final: bool = False) -> list[int]:
        """Score the stream's latest window and make its clips (one stream at a time)."""
        lock = self._locks.setdefault(stream_id, asyncio.Lock())
        async with lock:
            started = time.perf_counter()
            try:
                clips = await asyncio.to_thread(
                    detect_and_clip,
                    self.ctx.session_factory,
                    self.ctx.store,
                    self.settings,
                    stream_id,
                    final=final,
                    on_clip=self._announce,
                    judge=self._judge,
                )
            except Exception:
                metrics.STAGE_FAILURES.labels("detect").inc()
                log.exception("pipeline: detection failed for stream %s", stream_id)
                return []
            metrics.STAGE_SECONDS.labels("detect").observe(time.perf_counter() - started)
            return clips

    def _announce(self, user_id: int, clip: Clip) -> None:
        announce_clip(self.ctx.hub, self.ctx.session_factory, clip, self.ctx.links)
