"""Render a clip's video and thumbnail from the stream's mezzanine segments."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.clips.mezzanines import ensure_mezzanine
from clippy.clips.service import STREAM_BAND, clip_spans
from clippy.db import Clip, ClipStatus, Segment, SegmentStatus
from clippy.errors import Conflict
from clippy.media.cut import CutError, SourcePart, cut_clip, plan_cut
from clippy.media.thumbnail import make_thumbnail
from clippy.storage import ObjectStore, clip_file_key, clip_thumb_key
from clippy.transcribe import spoken_text


class ClipSourceMissing(Conflict, RuntimeError):
    """The segments a clip needs are not (yet, or any more) available."""


@dataclass(frozen=True)
class _Needed:
    seq: int
    start: float
    duration: float


@contextlib.contextmanager
def open_mezzanines(
    store: ObjectStore, stream_id: int, spans: Iterable[tuple[int, float, float]]
) -> Iterator[list[SourcePart]]:
    """The stream's mezzanine segments ``(seq, start, duration)`` as local cut sources, open
    for the block (a remote store's copies are removed after it); a mezzanine the pipeline
    skipped is made here (``ensure_mezzanine``)."""
    with contextlib.ExitStack() as stack:
        yield [
            SourcePart(
                stack.enter_context(store.open_local(ensure_mezzanine(store, stream_id, seq))), t, d
            )
            for seq, t, d in spans
        ]


def _needed_segments(
    session: Session, stream_id: int, ranges: Sequence[tuple[float, float]]
) -> list[_Needed]:
    lo = min(s for s, _ in ranges)
    hi = max(e for _, e in ranges)
    q = (
        select(Segment)
        .where(
            Segment.stream_id == stream_id,
            Segment.start_time < hi,
            Segment.start_time + Segment.duration > lo,
        )
        .order_by(Segment.start_time)
    )
    out = []
    for seg in session.scalars(q):
        if seg.status != SegmentStatus.DONE:
            raise ClipSourceMissing(
                f"segment {seg.seq} of stream {stream_id} is {seg.status}, not processed"
            )
        out.append(_Needed(seg.seq, seg.start_time, seg.duration))
    if not out:
        raise ClipSourceMissing(
            f"no stored segments cover {lo:.1f}-{hi:.1f} s of stream {stream_id}"
        )
    # A range reaching into a hole in the recording (segments never sent) is refused here,
    # before a clip row exists, with the cut's own coverage rule rather than a failed render.
    try:
        plan_cut([SourcePart(Path(), n.start, n.duration) for n in out], ranges)
    except CutError as exc:
        raise ClipSourceMissing(f"stream {stream_id}: {exc}") from exc
    return out


def _by_stream(
    spans: Sequence[tuple[int, float, float]],
) -> dict[int, list[tuple[float, float]]]:
    """The ranges of each stream, streams in the order their first range comes."""
    out: dict[int, list[tuple[float, float]]] = {}
    for sid, s, e in spans:
        out.setdefault(sid, []).append((s, e))
    return out


def check_sources(session: Session, stream_id: int, ranges: Sequence[tuple[float, float]]) -> None:
    """Raise ``ClipSourceMissing`` unless every segment the ranges need is processed."""
    _needed_segments(session, stream_id, ranges)


def render_clip(session_factory: sessionmaker[Session], store: ObjectStore, clip_id: int) -> Clip:
    """Cut the clip's ranges into an MP4 + JPEG thumbnail, store both, mark the clip ready.

    Idempotent: rendering again overwrites the same keys. On failure the clip is marked
    ``failed`` with the error and the exception propagates.
    """
    with session_factory() as session:
        clip = session.get(Clip, clip_id)
        if clip is None:
            raise ClipSourceMissing(f"clip {clip_id} does not exist")
        stream_id = clip.stream_id
        spans = clip_spans(clip)
        groups = _by_stream(spans)
        needed = {sid: _needed_segments(session, sid, rs) for sid, rs in groups.items()}
    # Ranges of another stream (a callback's earlier setup) share the cut's one time axis:
    # each stream's times move to a band of their own.
    offset = {sid: k * STREAM_BAND for k, sid in enumerate(groups)}
    ranges = [(s + offset[sid], e + offset[sid]) for sid, s, e in spans]
    try:
        with (
            tempfile.TemporaryDirectory(prefix="clippy-cut-") as tmp,
            contextlib.ExitStack() as opened,
        ):
            parts = [
                part
                for sid, ns in needed.items()
                for part in opened.enter_context(
                    open_mezzanines(
                        store, sid, ((n.seq, n.start + offset[sid], n.duration) for n in ns)
                    )
                )
            ]
            out = Path(tmp) / "clip.mp4"
            result = cut_clip(parts, ranges, out)
            thumb = Path(tmp) / "thumb.jpg"
            make_thumbnail(out, min(result.duration / 2, 3.0), thumb)
            file_key, thumb_key = (
                clip_file_key(stream_id, clip_id),
                clip_thumb_key(stream_id, clip_id),
            )
            store.put_file(file_key, out, content_type="video/mp4")
            store.put_file(thumb_key, thumb, content_type="image/jpeg")
    except Exception as exc:
        with session_factory() as session:
            clip = session.get(Clip, clip_id)
            if clip is not None:
                clip.status = ClipStatus.FAILED
                clip.error = str(exc)[:2000]
                session.commit()
        raise
    with session_factory() as session:
        clip = session.get(Clip, clip_id)
        assert clip is not None
        clip.file_key = file_key
        clip.thumb_key = thumb_key
        clip.duration = result.duration
        clip.transcript_text = " ".join(
            t for sid, rs in groups.items() if (t := spoken_text(session, sid, rs))
        )
        clip.status = ClipStatus.READY
        clip.error = None
        session.commit()
        session.refresh(clip)
        _ = clip.ranges
        return clip
