"""Per-segment stages, run in a worker process: mezzanine, audio features, transcript.

Every stage is idempotent: it derives its outputs from the stored segment and overwrites
earlier outputs, so a retry or a re-run after a crash is safe.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.archive.media import precompute_thumbnails
from clippy.config import Settings
from clippy.db.models import Segment, TranscriptSegment
from clippy.db.session import make_engine, make_session_factory
from clippy.pipeline.analysis import analyse_audio
from clippy.pipeline.keys import mezzanine_key
from clippy.storage.base import ObjectStore
from clippy.storage.factory import make_store
from clippy.transcribe.base import Transcriber
from clippy.transcribe.factory import make_transcriber
from clippy.transcribe.rolling import tail_text
from clippy.transcripts.store import replace_segment_transcript


@dataclass
class WorkerState:
    """What one worker process keeps between segments (models load once)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    store: ObjectStore
    _transcriber: Transcriber | None = field(default=None, repr=False)

    @property
    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            self._transcriber = make_transcriber(self.settings)
        return self._transcriber


_STATE: WorkerState | None = None


def _exit_with_parent(parent: int) -> None:
    # A server killed with SIGKILL cannot stop its pool; orphaned workers would live on
    # holding memory and model weights, so each worker leaves when its parent is gone.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def start_parent_watch() -> None:
    """Make this worker process exit once the process that started it is gone."""
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch"
    ).start()


def init_worker(settings: dict[str, Any] | Settings, watch_parent: bool = True) -> None:
    """Process-pool initializer: open the database and store once per worker process."""
    global _STATE
    if watch_parent:
        start_parent_watch()
    s = settings if isinstance(settings, Settings) else Settings.model_validate(settings)
    _STATE = WorkerState(
        settings=s,
        session_factory=make_session_factory(make_engine(s.resolved_database_url)),
        store=make_store(s),
    )


def _state() -> WorkerState:
    if _STATE is None:
        raise RuntimeError("pipeline worker used before init_worker()")
    return _STATE


def process_segment(segment_id: int) -> int:
    """Run the CPU stages for one stored segment; returns its stream id."""
    st = _state()
    with st.session_factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise LookupError(f"segment {segment_id} no longer exists (expired or deleted)")
        stream_id, seq, key, start = seg.stream_id, seg.seq, seg.storage_key, seg.start_time
        seconds = seg.duration
        prompt = _previous_text(session, stream_id, start)

    with tempfile.TemporaryDirectory(prefix="clippy-seg-") as tmp, st.store.open_local(key) as src:
        from clippy.media.mezzanine import MEZZANINE_SUFFIX, transcode_to_mezzanine

        mezz = Path(tmp) / f"mezz{MEZZANINE_SUFFIX}"
        transcode_to_mezzanine(src, mezz)
        st.store.put_file(mezzanine_key(stream_id, seq), mezz)
        # The archive page's first view then shows frames at once instead of making 20.
        precompute_thumbnails(st.store, stream_id, mezz, start, seconds)
        analysis = analyse_audio(
            src, start, st.transcriber, chunk_id=f"{stream_id}:{seq}", prompt=prompt
        )

    with st.session_factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise LookupError(f"segment {segment_id} was deleted while it was processed")
        seg.features = analysis.features
        replace_segment_transcript(
            session,
            stream_id,
            segment_id,
            f"{stream_id}:{seq}",
            analysis.words,
            source=st.transcriber.name,
        )
        seg.status = "done"
        seg.error = None
        session.commit()
    return stream_id


def _previous_text(session: Session, stream_id: int, before: float) -> str:
    q = (
        select(TranscriptSegment.text)
        .where(TranscriptSegment.stream_id == stream_id, TranscriptSegment.start_time < before)
        .order_by(TranscriptSegment.start_time.desc())
        .limit(3)
    )
    return tail_text(reversed(list(session.scalars(q))))


def mark_attempt(factory: sessionmaker[Session], segment_id: int, attempt: int) -> None:
    """Record that a processing attempt started."""
    with factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is not None:
            seg.status = "processing"
            seg.attempts = attempt
            session.commit()


def record_failure(
    factory: sessionmaker[Session], segment_id: int, exc: BaseException, final: bool
) -> None:
    """Record a failed attempt on the segment; ``final`` marks it failed for good."""
    with factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is not None:
            seg.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            seg.status = "failed" if final else "processing"
            session.commit()
