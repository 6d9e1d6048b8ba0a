"""Per-segment stages, run in a worker process: audio features and transcript (what detection
needs), then the mezzanine clips are cut from.

Every stage is idempotent: it derives its outputs from the stored segment and overwrites
earlier outputs, so a retry or a re-run after a crash is safe.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.archive import precompute_thumbnails
from clippy.clips import ensure_mezzanine
from clippy.config import Settings
from clippy.db import (
    Segment,
    SegmentStatus,
    Stream,
    TranscriptSegment,
    User,
    make_engine,
    make_session_factory,
)
from clippy.media.audio import decode_audio
from clippy.media.source import InvalidMedia
from clippy.pipeline.analysis import SAMPLE_RATE, LeadIn, analyse_run
from clippy.storage import ObjectNotFound, ObjectStore, make_store
from clippy.transcribe import (
    LanguageSupport,
    NoTranscriber,
    Transcriber,
    Word,
    effective_language,
    language_support,
    make_transcriber,
    replace_segment_transcript,
    tail_text,
    with_heard,
    words_between,
)

# Segment times come from the extension's clock: a join within this is seamless.
_JOIN_TOLERANCE = 0.1


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

    @property
    def languages(self) -> LanguageSupport:
        return language_support(self.settings)


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
    """Run the stages detection needs (audio features, transcript) for one stored segment;
    returns its stream id. The mezzanine is ``make_mezzanine``'s job."""
    return process_segments([segment_id])


def process_segments(segment_ids: Sequence[int]) -> int:
    """``process_segment`` for consecutive segments of one stream, recognised together
    (``analysis.analyse_run``); returns their stream id.

    The ids must be one stream's segments in order, each joining the one before without a
    hole (``SegmentRunner`` only groups such); otherwise they are processed one by one.
    """
    st = _state()
    with st.session_factory() as session:
        segs = [session.get(Segment, i) for i in segment_ids]
        if any(seg is None for seg in segs):
            missing = [i for i, seg in zip(segment_ids, segs, strict=True) if seg is None]
            raise LookupError(f"segment {missing[0]} no longer exists (expired or deleted)")
        run = [seg for seg in segs if seg is not None]
        if len(run) > 1 and not _contiguous(run):
            stream_ids = {process_segments([i]) for i in segment_ids}
            return stream_ids.pop()
        first = run[0]
        stream_id = first.stream_id
        inputs = [(seg.id, seg.seq, seg.storage_key, seg.start_time) for seg in run]
        prompt = _previous_text(session, stream_id, first.start_time)
        previous = previous_segment(session, first, st.settings.transcribe_overlap_seconds)
        language = stream_language(session, stream_id, st.languages)
    # A language the model cannot recognise (chosen before the server's model changed) is
    # left unheard, with the reason on the segment, rather than decoded as English nonsense.
    refusal = st.languages.refusal(language)
    transcriber = NoTranscriber() if refusal else st.transcriber

    samples = []
    for _, _, key, _ in inputs:
        with st.store.open_local(key) as src:
            samples.append(decode_audio(src, sample_rate=SAMPLE_RATE))
    analyses = analyse_run(
        samples,
        [start for *_, start in inputs],
        transcriber,
        chunk_id=f"{stream_id}:{inputs[0][1]}",
        prompt=prompt,
        lead_in=lead_in_audio(st.store, previous),
        end_heard_again=st.settings.transcribe_overlap_seconds > 0,
        language=language,
    )

    with st.session_factory() as session:
        for (segment_id, seq, _, _), analysis in zip(inputs, analyses, strict=True):
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
                source=transcriber.name,
            )
            seg.status = SegmentStatus.DONE
            seg.error = refusal or None
        heard = [a for a in analyses if a.language]
        if heard:
            stream = session.get(Stream, stream_id, with_for_update=True)
            if stream is not None:
                stream.settings = with_heard(
                    stream.settings, heard[0].language, sum(len(a.words) for a in heard)
                )
        session.commit()
    return stream_id


def segment_run(factory: sessionmaker[Session], segment_id: int, limit: int) -> list[int] | None:
    """The segment and up to ``limit - 1`` segments after it that are still waiting
    (``pending``, each joining the previous without a hole), to be processed together with
    ``process_segments``; ``None`` when the segment was already processed with an earlier one.

    Only for a caller that holds the stream's order (the procrastinate worker's
    ``stream:<id>`` lock): nothing else may be processing the stream's segments meanwhile.
    """
    with factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            return [segment_id]  # the stage reports it gone
        if seg.status == SegmentStatus.DONE:
            return None
        after = session.scalars(
            select(Segment)
            .where(
                Segment.stream_id == seg.stream_id,
                Segment.seq > seg.seq,
                Segment.seq < seg.seq + max(1, limit),
            )
            .order_by(Segment.seq)
        ).all()
        run = [seg]
        for nxt in after:
            if nxt.status != SegmentStatus.PENDING or not _joins(run[-1], nxt):
                break
            run.append(nxt)
        return [s.id for s in run]


def _joins(prev: Segment, seg: Segment) -> bool:
    """Whether ``seg`` follows ``prev`` in its stream without a hole or an overlap."""
    return (
        seg.stream_id == prev.stream_id
        and seg.seq == prev.seq + 1
        and abs(prev.start_time + prev.duration - seg.start_time) <= _JOIN_TOLERANCE
    )


def _contiguous(run: Sequence[Segment]) -> bool:
    return all(_joins(a, b) for a, b in pairwise(run))


def make_mezzanine(segment_id: int) -> None:
    """Make the segment's mezzanine (if nothing made it yet) and its archive thumbnails.

    Run after the segment's detection, when the pipeline is not behind: a skipped one is made
    when first needed (``clips.ensure_mezzanine``). Raises ``LookupError`` when the segment
    is gone.
    """
    st = _state()
    with st.session_factory() as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise LookupError(f"segment {segment_id} no longer exists (expired or deleted)")
        stream_id, seq, key = seg.stream_id, seg.seq, seg.storage_key
        start, seconds = seg.start_time, seg.duration
    mezz = ensure_mezzanine(st.store, stream_id, seq, key)
    with st.store.open_local(mezz) as path:
        # The archive page's first view then shows frames at once instead of making 20.
        precompute_thumbnails(st.store, stream_id, path, start, seconds)


@dataclass(frozen=True)
class PreviousSegment:
    """The segment just before one being processed: its stored file, how many seconds of its
    end to hear again, and the words already stored for them."""

    key: str
    seconds: float
    words: list[Word]


def previous_segment(session: Session, seg: Segment, seconds: float) -> PreviousSegment | None:
    """The segment ``seg`` continues without a hole, if there is one and ``seconds`` > 0."""
    if seconds <= 0:
        return None
    prev = session.scalars(
        select(Segment).where(Segment.stream_id == seg.stream_id, Segment.seq == seg.seq - 1)
    ).first()
    if prev is None or not prev.has_audio:
        return None
    if not _joins(prev, seg):
        return None  # a hole or an overlap: its end is not the audio just before this one
    seconds = min(seconds, prev.duration)
    stored = words_between(session, seg.stream_id, seg.start_time - seconds, seg.start_time)
    return PreviousSegment(prev.storage_key, seconds, [Word.from_json(w) for w in stored])


def lead_in_audio(store: ObjectStore, previous: PreviousSegment | None) -> LeadIn | None:
    """The last seconds of the previous segment's audio, or None when it is gone or unreadable
    (the segment is then recognised on its own, as before)."""
    if previous is None:
        return None
    try:
        with store.open_local(previous.key) as path:
            samples = decode_audio(path, sample_rate=SAMPLE_RATE)
    except (ObjectNotFound, InvalidMedia):
        return None
    n = int(previous.seconds * SAMPLE_RATE)
    if samples.size < n or n == 0:
        return None
    return LeadIn(samples[-n:], previous.words)


def stream_language(session: Session, stream_id: int, support: LanguageSupport) -> str:
    """The language a stream is recognised in: its own choice, its owner's, else the server's
    default (``"auto"`` or a code)."""
    stream = session.get(Stream, stream_id)
    if stream is None:
        return support.default
    owner = session.get(User, stream.user_id)
    return effective_language(owner.settings if owner else None, stream.settings, support)


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
            seg.status = SegmentStatus.PROCESSING
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
            seg.status = SegmentStatus.FAILED if final else SegmentStatus.PROCESSING
            session.commit()
