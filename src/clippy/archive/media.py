"""Archive media made on demand from stored mezzanine segments, cached in the object store.

Thumbnails and preview MP4s are derived data: made the first time someone looks, kept under
the stream's prefix (so deleting the stream removes them), and made again if missing.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.archive.timeline import PreviewWindow, SegmentSpan, covering, preview_windows
from clippy.clips import ensure_mezzanine, open_mezzanines
from clippy.db import Segment, SegmentStatus
from clippy.errors import NotFound
from clippy.media.cut import cut_clip
from clippy.media.thumbnail import make_thumbnail
from clippy.storage import (
    ObjectNotFound,
    ObjectStore,
    archive_cache_prefix,
    archive_preview_key,
    archive_thumb_key,
)

__all__ = [
    "ArchiveMediaMissing",
    "archive_thumbnail",
    "precompute_thumbnails",
    "preview_key",
    "preview_video",
    "prune_archive_cache",
    "stale_cache_keys",
    "stored_spans",
]

THUMB_WIDTH = 320
# The thumbnail spacing of the archive's ten-minute view (``thumb_step(600)``): made ahead.
PRECOMPUTED_STEP = 30


class ArchiveMediaMissing(NotFound):
    """No processed segment covers the requested time (never recorded, pending or expired)."""


def preview_key(stream_id: int, window: PreviewWindow) -> str:
    """Where a preview window's MP4 is cached (keyed by its segments: a grown window is new)."""
    return archive_preview_key(stream_id, window.first_seq, window.last_seq)


def stale_cache_keys(keys: Iterable[str], first_seq: int | None, first_time: float) -> list[str]:
    """The cached archive objects that show media retention has already deleted.

    ``first_seq``/``first_time`` describe the stream's oldest remaining segment (``None``:
    none remain). A thumbnail before ``first_time`` or a preview that starts at an older
    segment can never be viewed again, so it is only wasted storage.
    """
    stale = []
    for key in keys:
        name = key.rsplit("/", 1)[-1].split(".", 1)[0]
        try:
            if "/archive/thumbs/" in key:
                old = first_seq is None or int(name) < first_time
            elif "/archive/preview/" in key:
                old = first_seq is None or int(name.split("-", 1)[0]) < first_seq
            else:
                continue
        except ValueError:
            continue  # not a name this module writes: leave it alone
        if old:
            stale.append(key)
    return stale


def prune_archive_cache(session: Session, store: ObjectStore, stream_id: int) -> int:
    """Delete the stream's cached thumbnails/previews of expired segments; returns how many."""
    first = session.execute(
        select(Segment.seq, Segment.start_time)
        .where(Segment.stream_id == stream_id)
        .order_by(Segment.seq)
        .limit(1)
    ).first()
    keys = store.list(archive_cache_prefix(stream_id))
    stale = stale_cache_keys(keys, first.seq if first else None, first.start_time if first else 0)
    for key in stale:
        store.delete(key)
    return len(stale)


def stored_spans(session: Session, stream_id: int) -> list[SegmentSpan]:
    """The stream's processed segments (those with a mezzanine), in time order."""
    q = (
        select(Segment.seq, Segment.start_time, Segment.duration)
        .where(Segment.stream_id == stream_id, Segment.status == SegmentStatus.DONE)
        .order_by(Segment.start_time)
    )
    rows = session.execute(q).tuples()
    # Rows stored before the protocol bounded times may hold Infinity: not a place in time.
    return [SegmentSpan(seq, start, dur) for seq, start, dur in rows if math.isfinite(start + dur)]


def archive_thumbnail(
    store: ObjectStore, stream_id: int, spans: list[SegmentSpan], t: int
) -> bytes:
    """The JPEG frame at stream second ``t``, from the cache or made from its segment."""
    key = archive_thumb_key(stream_id, t)
    with contextlib.suppress(ObjectNotFound):
        return store.get_bytes(key)
    span = covering(spans, t + 0.5)
    if span is None:
        raise ArchiveMediaMissing(f"no stored recording at {t} s of stream {stream_id}")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="clippy-thumb-") as tmp,
            store.open_local(ensure_mezzanine(store, stream_id, span.seq)) as mezz,
        ):
            out = make_thumbnail(mezz, t + 0.5 - span.start, Path(tmp) / "t.jpg", THUMB_WIDTH)
            data = out.read_bytes()
    except ObjectNotFound as exc:
        # The sweeper removed the segment's media between the row query and now.
        raise ArchiveMediaMissing(f"segment {span.seq} of stream {stream_id} has expired") from exc
    store.put_bytes(key, data, content_type="image/jpeg")
    return data


def precompute_thumbnails(
    store: ObjectStore,
    stream_id: int,
    mezzanine: Path,
    start: float,
    duration: float,
    step: int = PRECOMPUTED_STEP,
) -> list[int]:
    """Make and cache the thumbnails a segment holds for the archive's ten-minute view (every
    ``step`` s), so a first visit finds them made; returns their whole-second times."""
    times = list(range(math.ceil(start / step) * step, math.ceil(start + duration), step))
    times = [t for t in times if t + 0.5 < start + duration]
    with tempfile.TemporaryDirectory(prefix="clippy-thumbs-") as tmp:
        for t in times:
            out = make_thumbnail(mezzanine, t + 0.5 - start, Path(tmp) / f"{t}.jpg", THUMB_WIDTH)
            store.put_file(archive_thumb_key(stream_id, t), out, content_type="image/jpeg")
    return times


def find_window(spans: list[SegmentSpan], first_seq: int) -> PreviewWindow:
    """The preview window starting at segment ``first_seq``; ``ArchiveMediaMissing`` if none."""
    for window in preview_windows(spans):
        if window.first_seq == first_seq:
            return window
    raise ArchiveMediaMissing(f"no preview starts at segment {first_seq}")


def preview_video(
    store: ObjectStore, stream_id: int, spans: list[SegmentSpan], window: PreviewWindow
) -> str:
    """The object key of the window's MP4 (browsers cannot play the MPEG-TS mezzanine)."""
    key = preview_key(stream_id, window)
    if store.exists(key):
        return key
    parts_spans = [s for s in spans if window.first_seq <= s.seq <= window.last_seq]
    try:
        with (
            tempfile.TemporaryDirectory(prefix="clippy-preview-") as tmp,
            open_mezzanines(
                store, stream_id, ((s.seq, s.start, s.duration) for s in parts_spans)
            ) as parts,
        ):
            # Whole segments start on keyframes, so the cut is a stream copy plus the audio.
            out = cut_clip(parts, [(window.start, window.end)], Path(tmp) / "preview.mp4").path
            store.put_file(key, out, content_type="video/mp4")
    except ObjectNotFound as exc:
        raise ArchiveMediaMissing(f"the recording of {window.start:.0f} s has expired") from exc
    return key
