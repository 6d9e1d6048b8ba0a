"""The mezzanine copy of a segment, made when first needed if the pipeline did not make it.

The live pipeline makes each segment's mezzanine after its detection, and skips it when
segments are waiting: the x264 transcode is most of a segment's CPU (measured 3.5 CPU s for
10 s of 720p speech-over-test-pattern, against 1.7 CPU s for everything detection needs,
ingest included; benchmarks/live_capacity_bench.py). Whoever reads a mezzanine (a cut, the archive's
previews, playback and thumbnails) goes through ``ensure_mezzanine``, which makes a missing
one from the segment's stored original, so a skipped mezzanine costs only a later wait.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from clippy.media.mezzanine import MEZZANINE_SUFFIX, transcode_to_mezzanine
from clippy.storage import ObjectNotFound, ObjectStore, mezzanine_key, segment_original_prefix


def ensure_mezzanine(
    store: ObjectStore, stream_id: int, seq: int, original_key: str | None = None
) -> str:
    """The key of the segment's mezzanine, transcoded from its original first if missing.

    ``original_key`` (the segment row's ``storage_key``) saves a listing of the store.
    Raises ``ObjectNotFound`` when neither the mezzanine nor the original is stored (the
    segment expired), ``FFmpegError`` when the original cannot be transcoded. Safe to call
    concurrently: a race only transcodes twice, and each write is atomic.
    """
    key = mezzanine_key(stream_id, seq)
    if store.exists(key):
        return key
    source = original_key or _original_key(store, stream_id, seq)
    with (
        tempfile.TemporaryDirectory(prefix="clippy-mezz-") as tmp,
        store.open_local(source) as src,
    ):
        mezz = Path(tmp) / f"mezz{MEZZANINE_SUFFIX}"
        transcode_to_mezzanine(src, mezz)
        store.put_file(key, mezz)
    return key


def _original_key(store: ObjectStore, stream_id: int, seq: int) -> str:
    prefix = segment_original_prefix(stream_id, seq)
    for key in store.list(prefix):
        return key
    raise ObjectNotFound(f"segment {seq} of stream {stream_id} is not stored (expired?)")
