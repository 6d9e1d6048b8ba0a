"""The recordings this process runs: one asyncio task per recording, started and stopped by id.

Each task is a plain async function of the recording's id (``record_channel`` or
``import_video``), so moving them onto a job layer means handing it the same call. On start
the process resumes every recording the database still shows as under way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from clippy.db import session_scope
from clippy.record.feed import RecordParts
from clippy.record.importer import import_video
from clippy.record.recorder import record_channel
from clippy.record.recordings import RecordingKind, active_recordings

__all__ = ["Recorders"]

log = logging.getLogger(__name__)


class Recorders:
    """Starts, stops and awaits this process's recording tasks."""

    def __init__(self, parts: RecordParts, loop: asyncio.AbstractEventLoop) -> None:
        self.parts = parts
        self._loop = loop
        self._tasks: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}

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
        if recording_id in self._tasks:
            return
        stop = asyncio.Event()
        run = import_video if kind == RecordingKind.IMPORT else record_channel
        task = asyncio.create_task(run(self.parts, recording_id, stop), name=f"rec-{recording_id}")
        self._tasks[recording_id] = (task, stop)
        task.add_done_callback(lambda t: self._done(recording_id, t))

    def _done(self, recording_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.pop(recording_id, None)
        if not task.cancelled() and task.exception() is not None:
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
        """Ids of the recordings running in this process."""
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

    async def close(self) -> None:
        """Cancel every task without finishing its recording: the next start resumes it."""
        tasks = [t for t, _ in self._tasks.values()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
