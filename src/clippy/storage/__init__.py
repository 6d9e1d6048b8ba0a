"""Object storage (local disk or S3-compatible) and the key of every stored object.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.storage.base import ObjectNotFound, ObjectStore
from clippy.storage.expiry import delete_rows_then_objects
from clippy.storage.factory import make_store
from clippy.storage.keys import (
    archive_cache_prefix,
    archive_preview_key,
    archive_thumb_key,
    clip_file_key,
    clip_thumb_key,
    export_prefix,
    logo_key,
    logo_prefix,
    mezzanine_key,
    segment_key,
    segment_original_prefix,
    stream_prefix,
)
from clippy.storage.local import LocalStore

__all__ = [
    "LocalStore",
    "ObjectNotFound",
    "ObjectStore",
    "archive_cache_prefix",
    "archive_preview_key",
    "archive_thumb_key",
    "clip_file_key",
    "clip_thumb_key",
    "delete_rows_then_objects",
    "export_prefix",
    "logo_key",
    "logo_prefix",
    "make_store",
    "mezzanine_key",
    "segment_key",
    "segment_original_prefix",
    "stream_prefix",
]
