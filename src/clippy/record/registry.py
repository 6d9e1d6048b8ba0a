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
from collections.abc import Awaitable, Callable, Mapping

from clippy.db import session_scope
from clippy.record.claims import Claim, Claims
from clippy.record.feed import RecordParts
from clippy.record.importer import import_video
from clippy.record.recorder import record_channel
from clippy.record.recordings import RecordingKind, active_recordings

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
    PostgreSQL, whenever ``watch`` finds one); off for ``clippy record``, which runs its own.
    """

    def __init__(
        self,
        parts: RecordParts,
        loop: asyncio.AbstractEventLoop,
        *,
        resume: bool = True,
        runners: Mapping[str, Runner] = RUNNERS,
    ) -> None:
        self.parts = parts
        self.resume = resume
        self._loop = loop
        self._runners = runners
        self._tasks: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._claims = Claims(parts.settings.resolved_database_url)
        self._held: dict[int, Claim] = {}
        self._crashed: set[int] = set()  # not taken up again by ``watch``: it would crash again
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
        claim = await asyncio.to_thread(self._claims.take, recording_id)
        if claim is None:
            log.info("recording %s runs on another node", recording_id)
            return
        self._held[recording_id] = claim
        try:
            await self._runners[kind](self.parts, recording_id, stop)
        finally:
            self._held.pop(recording_id, None)
            claim.release()

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
            with session_scope(self.parts.session_factory) as session:
                active = dict(active_recordings(session))
            return active, self._claims.held()

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
        for recording_id, kind in active.items():
            free = recording_id not in held and recording_id not in self._tasks
            if free and recording_id not in self._crashed:
                log.info("recording %s: no node runs it, taking it over", recording_id)
                self.start(recording_id, kind)

    async def close(self) -> None:
        """Cancel every task without finishing its recording: the next start resumes it."""
        self._closed = True  # a ``watch`` still running must not start another
        tasks = [t for t, _ in self._tasks.values()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._claims.close()
