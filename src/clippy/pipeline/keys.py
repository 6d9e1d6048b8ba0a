"""Object-store keys of everything the pipeline derives from a stream."""

from __future__ import annotations

from clippy.media.mezzanine import MEZZANINE_SUFFIX


def mezzanine_key(stream_id: int, seq: int) -> str:
    """The H.264/AAC mezzanine copy of a segment (what clips are cut from)."""
    return f"streams/{stream_id}/mezzanine/{seq:08d}{MEZZANINE_SUFFIX}"


def clip_file_key(stream_id: int, clip_id: int) -> str:
    """A clip's MP4."""
    return f"streams/{stream_id}/clips/{clip_id}.mp4"


def clip_thumb_key(stream_id: int, clip_id: int) -> str:
    """A clip's JPEG thumbnail."""
    return f"streams/{stream_id}/clips/{clip_id}.jpg"
