"""The embedded pipeline runner: asyncio + a process pool, per-stream queues, bounded retries.

Segments enter through ``submit`` after they are durably stored; it never waits, so a slow
pipeline delays processing, never the acknowledgement. Streams are served round-robin
(``FairQueue``): a stream with a backlog cannot hold the workers while others wait, and each
stream's processing lag (how long its oldest unfinished segment has waited) is measured. CPU
work (mezzanine transcode, audio features, speech
recognition) runs in worker processes; detection and clip creation run per stream under a
lock so a stream's windows are scored in order, while different streams proceed in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import clippy.pipeline.stages as stages
from clippy import metrics
from clippy.clips import MediaLinks, announce_clip
from clippy.config import Settings
from clippy.db import SEGMENT_UNFINISHED, Clip, Segment
from clippy.detect import make_judge
from clippy.events import EventHub
from clippy.pipeline.detection import detect_and_clip
from clippy.pipeline.fair_queue import FairQueue
from clippy.storage import ObjectStore

log = logging.getLogger(__name__)

SegmentStage = Callable[[int], int]
# Worker processes (and the ffmpeg they start) run this much nicer than the server, so a
# saturated pipeline takes the CPU the ingest path (validation, acks) does not need.
PIPELINE_NICENESS = 10


def _init_background_worker(settings: dict[str, object]) -> None:
    os.nice(PIPELINE_NICENESS)
    stages.init_worker(settings)


class PipelineParts(Protocol):
    """What the runner needs from the process (``clippy.runtime.Runtime`` has it all)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    store: ObjectStore
    hub: EventHub
    links: MediaLinks


class PipelineRunner:
    """Runs every stored segment through the stages, then detection for its stream."""

    def __init__(
        self,
        ctx: PipelineParts,
        *,
        segment_stage: SegmentStage | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self._stage = segment_stage or stages.process_segment
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
        self._background: set[asyncio.Task[list[int]]] = set()
        self._judge = make_judge(self.settings)  # None unless an LLM is configured

    async def start(self) -> None:
        """Start the worker pool and re-queue segments left unfinished by a previous run."""
        if not self._owns_executor:
            # An injected executor (threads, in tests) shares this process: init here.
            stages.init_worker(self.settings, watch_parent=False)
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.pipeline_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_background_worker,
                initargs=(self.settings.model_dump(),),
            )
        for _ in range(self.settings.pipeline_workers):
            self._workers.append(asyncio.create_task(self._work()))
        for seg_id, stream_id in await asyncio.to_thread(self._unfinished):
            await self.submit(seg_id, stream_id)

    def _unfinished(self) -> list[tuple[int, int]]:
        with self.ctx.session_factory() as session:
            q = (
                select(Segment.id, Segment.stream_id)
                .where(Segment.status.in_(SEGMENT_UNFINISHED))
                .order_by(Segment.stream_id, Segment.seq)
            )
            return [(a, b) for a, b in session.execute(q)]

    async def submit(self, segment_id: int, stream_id: int) -> None:
        """Queue a stored segment for its stream; returns at once (never waits for workers)."""
        if not self._queue.push(stream_id, segment_id, time.monotonic()):
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

    def _spawn_final(self, stream_id: int) -> None:
        task = asyncio.create_task(self.detect(stream_id, final=True))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

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
            if item is None:  # cannot happen: one release per pushed segment
                continue
            stream_id, seg_id = item
            self._publish()
            try:
                await self._handle(seg_id)
            except Exception:  # one segment must never stop the worker
                log.exception("pipeline: segment %s failed outside its stages", seg_id)
            finally:
                left = self._queue.done(stream_id, seg_id)
                self._publish()
                try:
                    if left == 0 and stream_id in self._finishing:
                        self._finishing.discard(stream_id)
                        await self.detect(stream_id, final=True)
                finally:
                    self._unfinished_count -= 1
                    if self._unfinished_count == 0:
                        self._idle.set()

    async def _handle(self, seg_id: int) -> None:
        loop = asyncio.get_running_loop()
        stream_id: int | None = None
        attempts = self.settings.pipeline_max_attempts
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            await asyncio.to_thread(stages.mark_attempt, self.ctx.session_factory, seg_id, attempt)
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
                    stages.record_failure, self.ctx.session_factory, seg_id, exc, final
                )
                if final:
                    return
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
        if stream_id is not None:
            await self.detect(stream_id)

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
