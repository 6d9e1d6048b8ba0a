"""The recordings this process runs: one asyncio task per recording, started and stopped by id.

Each task is a plain async function of the recording's id (``record_channel`` or
``import_video``), so moving them onto a job layer means handing it the same call. On start
the process resumes every recording the database still shows as under way.

Several servers on one PostgreSQL database: each recording runs where its claim is held
(``record.claims``), so it runs once; ``watch`` then stops here what a user stopped through
another node, and takes over what a node that died was running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from clippy.db import session_scope
from clippy.record.claims import Claim, Claims
from clippy.record.feed import RecordParts
from clippy.record.importer import import_video
from clippy.record.recorder import record_channel
from clippy.record.recordings import RecordingKind, active_recordings, is_active

__all__ = ["Recorders"]

log = logging.getLogger(__name__)


Runner = Callable[[RecordParts, int, asyncio.Event], Awaitable[None]]
RUNNERS: Mapping[str, Runner] = {
    RecordingKind.CHANNEL: record_channel,
    RecordingKind.IMPORT: import_video,
}


class Recorders:
    """Starts, stops and awaits this process's recording tasks.

    ``resume``: take up recordings under way that no process runs (at start and, on
    PostgreSQL, whenever ``watch`` has found one unheld for ``takeover_after`` seconds: a
    recording just created is claimed by the node that made it, not by the first to look);
    off for ``clippy record``, which runs its own.
    """

    def __init__(
        self,
        parts: RecordParts,
        loop: asyncio.AbstractEventLoop,
        *,
        resume: bool = True,
        runners: Mapping[str, Runner] = RUNNERS,
        takeover_after: float = 15.0,
    ) -> None:
        self.parts = parts
        self.resume = resume
        self._loop = loop
        self._runners = runners
        self._tasks: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._claims = Claims(parts.settings.resolved_database_url)
        self._held: dict[int, Claim] = {}
        self._crashed: set[int] = set()  # not taken up again by ``watch``: it would crash again
        self._unheld_since: dict[int, float] = {}
        self.takeover_after = takeover_after
        self.refused: set[int] = set()  # ids another node held when this one tried (any thread)
        self._closed = False

    def _on_loop(self, fn: Callable[..., object], *args: object) -> None:
        # Sync routes run in worker threads: tasks and events belong to the loop's thread.
        try:
            here = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            here = False
        if here:
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    def start(self, recording_id: int, kind: str) -> None:
        """Run recording ``recording_id`` (no-op if it already runs here); any thread."""
        self._on_loop(self._start, recording_id, kind)

    def _start(self, recording_id: int, kind: str) -> None:
        if recording_id in self._tasks or self._closed:
            return
        stop = asyncio.Event()
        task = asyncio.create_task(self._run(recording_id, kind, stop), name=f"rec-{recording_id}")
        self._tasks[recording_id] = (task, stop)
        task.add_done_callback(lambda t: self._done(recording_id, t))

    async def _run(self, recording_id: int, kind: str, stop: asyncio.Event) -> None:
        taking = asyncio.ensure_future(asyncio.to_thread(self._claim, recording_id))
        try:
            claim = await asyncio.shield(taking)
        except asyncio.CancelledError:
            # The thread goes on: what it takes is let go as soon as it has it.
            taking.add_done_callback(_release_late)
            raise
        except Exception:  # not a crash: the database away for a moment, the next check retries
            log.warning("recording %s: cannot claim it now", recording_id, exc_info=True)
            return
        if claim is None:
            return
        self._held[recording_id] = claim
        try:
            await self._runners[kind](self.parts, recording_id, stop)
        finally:
            self._held.pop(recording_id, None)
            await asyncio.shield(asyncio.to_thread(claim.release))

    def _claim(self, recording_id: int) -> Claim | None:
        """The claim on a recording still under way (blocking); ``None`` when another node
        holds it (noted in ``refused``) or it has finished."""
        claim = self._claims.take(recording_id)
        if claim is None:
            log.info("recording %s runs on another node", recording_id)
            self.refused.add(recording_id)
            return None
        try:
            # It may have finished between the look that started it here and the claim: its
            # holder writes the final status before letting go, so this read settles it.
            with session_scope(self.parts.session_factory) as session:
                active = is_active(session, recording_id)
        except BaseException:
            claim.release()
            raise
        if not active:
            claim.release()
            return None
        return claim

    def _done(self, recording_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.pop(recording_id, None)
        if not task.cancelled() and task.exception() is not None:
            self._crashed.add(recording_id)
            log.error("recording %s crashed", recording_id, exc_info=task.exception())

    def stop(self, recording_id: int) -> None:
        """Ask recording ``recording_id`` to finish (its stream ends with final detection);
        any thread."""

        def set_stop() -> None:
            entry = self._tasks.get(recording_id)
            if entry is not None:
                entry[1].set()

        self._on_loop(set_stop)

    def running(self) -> set[int]:
        """Ids of the recordings started in this process (one another node holds leaves as
        soon as its claim is refused)."""
        return set(self._tasks)

    async def wait(self, recording_id: int) -> None:
        """Until recording ``recording_id`` has finished here."""
        entry = self._tasks.get(recording_id)
        if entry is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(entry[0])

    async def resume_active(self) -> list[int]:
        """Start every recording the database shows as under way; their ids."""

        def read() -> list[tuple[int, str]]:
            with session_scope(self.parts.session_factory) as session:
                return active_recordings(session)

        found = await asyncio.to_thread(read)
        for recording_id, kind in found:
            self.start(recording_id, kind)
        return [i for i, _ in found]

    async def watch(self, every: float) -> None:
        """Every ``every`` s, ``check`` (until cancelled)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check()
            except Exception:  # the database away for a moment: look again next time
                log.warning("checking recordings failed", exc_info=True)

    async def check(self) -> None:
        """Stop here the recordings no longer under way (stopped through another node), let
        go of those whose claim was lost with its connection, and, with ``resume`` on
        PostgreSQL, start the ones under way that no process holds (their node died)."""

        def read() -> tuple[dict[int, str], set[int] | None]:
            # Claims first: a recording that finishes between the two reads is then seen held
            # (or gone), never under way with nobody holding it.
            held = self._claims.held()
            with session_scope(self.parts.session_factory) as session:
                return dict(active_recordings(session)), held

        active, held = await asyncio.to_thread(read)
        for recording_id, (task, stop) in list(self._tasks.items()):
            claim = self._held.get(recording_id)
            if recording_id not in active:
                stop.set()
            elif claim is not None and not await asyncio.to_thread(claim.alive):
                # Cancelled, not finished: the recording stays under way for whoever holds it.
                log.warning("recording %s: lost its claim, leaving it", recording_id)
                task.cancel()
        if not self.resume or held is None:
            return  # SQLite: one node, which resumed everything at start
        now = time.monotonic()
        busy = held | set(self._tasks) | self._crashed
        free = [r for r in active if r not in busy]
        self._unheld_since = {r: self._unheld_since.get(r, now) for r in free}
        for recording_id in free:
            if now - self._unheld_since[recording_id] >= self.takeover_after:
                log.info("recording %s: no node runs it, taking it over", recording_id)
                self.start(recording_id, active[recording_id])

    async def close(self) -> None:
        """Cancel every task without finishing its recording: the next start resumes it."""
        self._closed = True  # a ``watch`` still running must not start another
        tasks = [t for t, _ in self._tasks.values()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await asyncio.to_thread(self._claims.close)


def _release_late(taking: asyncio.Future[Claim | None]) -> None:
    """Let go of a claim whose task was cancelled while the claim was being taken."""
    if taking.cancelled() or taking.exception() is not None:
        return
    claim = taking.result()
    if claim is not None:
        asyncio.get_running_loop().run_in_executor(None, claim.release)
