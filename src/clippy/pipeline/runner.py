"""The embedded pipeline runner: asyncio + a process pool, bounded queue, bounded retries.

Segments enter through ``submit`` (awaiting when the queue is full: backpressure reaches the
ingest socket instead of memory). CPU work (mezzanine transcode, audio features, speech
recognition) runs in worker processes; detection and clip creation run per stream under a
lock so a stream's windows are scored in order, while different streams proceed in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

from sqlalchemy import select

from clippy import metrics
from clippy.clips.events import announce_clip
from clippy.config import Settings
from clippy.db.models import Clip, Segment
from clippy.detect.judge import make_judge
from clippy.pipeline import stages
from clippy.pipeline.detection import detect_and_clip
from clippy.web.context import AppContext

log = logging.getLogger(__name__)

SegmentStage = Callable[[int], int]


class PipelineRunner:
    """Runs every stored segment through the stages, then detection for its stream."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        segment_stage: SegmentStage | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self._stage = segment_stage or stages.process_segment
        self._executor = executor
        self._owns_executor = executor is None
        self._queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue(
            maxsize=self.settings.pipeline_queue_size
        )
        self._workers: list[asyncio.Task[None]] = []
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: set[int] = set()
        self._pending: dict[int, int] = {}  # stream id -> segments queued or in progress
        self._finishing: set[int] = set()
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
                initializer=stages.init_worker,
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
                .where(Segment.status.in_(("pending", "processing")))
                .order_by(Segment.stream_id, Segment.seq)
            )
            return [(a, b) for a, b in session.execute(q)]

    async def submit(self, segment_id: int, stream_id: int) -> None:
        """Queue a stored segment (waits while the queue is full)."""
        if segment_id in self._queued:
            return
        self._queued.add(segment_id)
        self._pending[stream_id] = self._pending.get(stream_id, 0) + 1
        await self._queue.put((segment_id, stream_id))
        metrics.QUEUE_DEPTH.set(self._queue.qsize())

    def finish(self, stream_id: int) -> None:
        """The stream ended: once its queued segments are done, run a final detection that
        clips moments whose payoff would otherwise wait for a next segment."""
        if self._pending.get(stream_id, 0) == 0:
            self._spawn_final(stream_id)
        else:
            self._finishing.add(stream_id)

    def _spawn_final(self, stream_id: int) -> None:
        task = asyncio.create_task(self.detect(stream_id, final=True))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def queue_depth(self) -> int:
        """Segments waiting to be processed."""
        return self._queue.qsize()

    async def join(self) -> None:
        """Wait until every queued segment has been handled (tests, ``clippy process``)."""
        await self._queue.join()

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
            seg_id, stream_id = await self._queue.get()
            metrics.QUEUE_DEPTH.set(self._queue.qsize())
            try:
                await self._handle(seg_id)
            except Exception:  # one segment must never stop the worker
                log.exception("pipeline: segment %s failed outside its stages", seg_id)
            finally:
                self._queued.discard(seg_id)
                left = self._pending.get(stream_id, 1) - 1
                self._pending[stream_id] = left
                if left <= 0:
                    self._pending.pop(stream_id, None)
                    if stream_id in self._finishing:
                        self._finishing.discard(stream_id)
                        await self.detect(stream_id, final=True)
                self._queue.task_done()

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
        hub = self.ctx.extras.get("hub")
        announce_clip(hub, self.ctx.session_factory, clip, self.ctx.secret_key)
