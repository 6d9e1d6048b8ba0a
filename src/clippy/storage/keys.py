"""Every object-store key, in one place: which capability writes where.

``streams/<id>/`` holds a stream's segments, mezzanine copies, clips and archive-browser
cache (deleting the prefix deletes the stream's media); ``exports/<user>/<job>/`` one export
job's outputs; ``branding/<user>/`` a user's logo versions. Retention relies on these
prefixes to find orphans, so a new kind of object gets its key here.
"""

from __future__ import annotations

from clippy.media.mezzanine import MEZZANINE_SUFFIX

# Uploaded segment MIME type -> file extension of its stored original.
_EXTENSIONS = {
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/x-matroska": "mkv",
    "video/mp2t": "ts",
}


def stream_prefix(stream_id: int) -> str:
    """Prefix of every object of one stream."""
    return f"streams/{stream_id}/"


def segment_key(stream_id: int, seq: int, mime: str) -> str:
    """A segment's original bytes, as the extension sent them."""
    ext = _EXTENSIONS.get(mime.split(";")[0].strip().lower(), "bin")
    return f"{stream_prefix(stream_id)}segments/{seq:08d}.{ext}"


def segment_original_prefix(stream_id: int, seq: int) -> str:
    """The prefix of a segment's original, whatever its extension (``segment_key``)."""
    return f"{stream_prefix(stream_id)}segments/{seq:08d}."


def mezzanine_key(stream_id: int, seq: int) -> str:
    """The H.264/AAC mezzanine copy of a segment (what clips are cut from)."""
    return f"{stream_prefix(stream_id)}mezzanine/{seq:08d}{MEZZANINE_SUFFIX}"


def clip_file_key(stream_id: int, clip_id: int) -> str:
    """A clip's MP4."""
    return f"{stream_prefix(stream_id)}clips/{clip_id}.mp4"


def clip_thumb_key(stream_id: int, clip_id: int) -> str:
    """A clip's JPEG thumbnail."""
    return f"{stream_prefix(stream_id)}clips/{clip_id}.jpg"


def archive_cache_prefix(stream_id: int) -> str:
    """Prefix of the archive browser's cached thumbnails and previews of one stream."""
    return f"{stream_prefix(stream_id)}archive/"


def archive_thumb_key(stream_id: int, t: int) -> str:
    """Where the archive thumbnail at whole second ``t`` is cached."""
    return f"{archive_cache_prefix(stream_id)}thumbs/{t:08d}.jpg"


def archive_preview_key(stream_id: int, first_seq: int, last_seq: int) -> str:
    """Where a preview of segments ``first_seq..last_seq`` is cached (a grown window is new)."""
    return f"{archive_cache_prefix(stream_id)}preview/{first_seq:08d}-{last_seq:08d}.mp4"


def export_prefix(user_id: int, job_id: int) -> str:
    """Prefix of everything one export job writes."""
    return f"exports/{user_id}/{job_id}/"


def logo_prefix(user_id: int) -> str:
    """Prefix of every logo version of one user."""
    return f"branding/{user_id}/"


def logo_key(user_id: int, digest: str) -> str:
    """The logo with SHA-256 ``digest`` (hex) of ``user_id``."""
    return f"{logo_prefix(user_id)}{digest}.png"
