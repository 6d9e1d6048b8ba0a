"""Pick the object store the settings describe."""

from __future__ import annotations

from clippy.config import Settings
from clippy.storage.base import ObjectStore
from clippy.storage.local import LocalStore


def make_store(settings: Settings) -> ObjectStore:
    """S3 when ``CLIPPY_S3_BUCKET`` is set, else a directory under the data dir."""
    if settings.s3_bucket:
        from clippy.storage.s3 import S3Store

        return S3Store(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
        )
    return LocalStore(settings.resolved_storage_dir)
