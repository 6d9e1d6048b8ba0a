"""S3-compatible object store (AWS S3, Cloudflare R2, MinIO, SeaweedFS) through boto3."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from clippy.storage.base import ObjectNotFound, ObjectStore, StorageError, check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store(ObjectStore):
    """Objects in ``bucket`` under an optional ``prefix``. A PUT is atomic in S3 itself:
    readers see the old object or the whole new one, never a part."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str = "",
        region: str = "auto",
        access_key_id: str = "",
        secret_access_key: str = "",
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=None if region == "auto" and not endpoint_url else region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            # Path-style works with every S3-compatible server; virtual hosts need DNS.
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5}),
        )

    def _k(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, what: str, key: str, fn: Any, **kw: Any) -> Any:
        try:
            return fn(Bucket=self.bucket, **kw)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise ObjectNotFound(key) from None
            raise StorageError(
                f"S3 {what} of {key!r} in bucket {self.bucket!r} failed: {exc}"
            ) from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 {what} of {key!r} failed: {exc}") from exc

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self._call("put", key, self.client.put_object, Key=self._k(key), Body=data, **extra)

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        try:
            # upload_file switches to multipart for large files; the object appears on completion.
            self.client.upload_file(str(path), self.bucket, self._k(key), ExtraArgs=extra or None)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"S3 upload of {key!r} failed: {exc}") from exc

    def get_bytes(self, key: str) -> bytes:
        resp = self._call("get", key, self.client.get_object, Key=self._k(key))
        data: bytes = resp["Body"].read()
        return data

    @contextlib.contextmanager
    def open_local(self, key: str) -> Iterator[Path]:
        suffix = Path(key).suffix
        with tempfile.TemporaryDirectory(prefix="clippy-s3-") as tmp:
            path = Path(tmp) / f"object{suffix}"
            try:
                self.client.download_file(self.bucket, self._k(key), str(path))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code", "")) in _MISSING:
                    raise ObjectNotFound(key) from None
                raise StorageError(f"S3 download of {key!r} failed: {exc}") from exc
            yield path

    def exists(self, key: str) -> bool:
        try:
            self._call("head", key, self.client.head_object, Key=self._k(key))
        except ObjectNotFound:
            return False
        return True

    def size(self, key: str) -> int:
        resp = self._call("head", key, self.client.head_object, Key=self._k(key))
        return int(resp["ContentLength"])

    def delete(self, key: str) -> None:
        self._call("delete", key, self.client.delete_object, Key=self._k(key))

    def list(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for obj in page.get("Contents", []):
                    yield obj["Key"][len(self.prefix) :]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"S3 list of {prefix!r} failed: {exc}") from exc

    def presigned_url(self, key: str, expires_seconds: int = 3600) -> str | None:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._k(key)},
            ExpiresIn=expires_seconds,
        )
        return url
