"""The object-store interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from clippy.errors import NotFound, Unavailable


class StorageError(Unavailable, RuntimeError):
    """The backend failed (disk full, bucket unreachable, credentials refused …)."""


class ObjectNotFound(NotFound, StorageError, KeyError):
    """No object is stored under the key."""


def check_key(key: str) -> str:
    """Validate an object key: relative, '/'-separated, no empty, '.' or '..' parts."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid object key {key!r}: use relative paths like 'streams/1/x.webm'")
    if any(p.startswith(".tmp") for p in parts[:1]):
        raise ValueError(f"invalid object key {key!r}: '.tmp' is reserved")
    return key


class ObjectStore(abc.ABC):
    """Bytes under '/'-separated keys. Writes are atomic: a key is absent or complete."""

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Store ``data`` durably under ``key`` (replacing any previous object)."""

    @abc.abstractmethod
    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Store the file at ``path`` durably under ``key``."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The object's bytes; raises ``ObjectNotFound``."""

    @abc.abstractmethod
    def open_local(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes for the duration of the ``with`` block."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes; raises ``ObjectNotFound``."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix``, in lexical order."""

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under ``prefix``; returns how many."""
        keys = list(self.list(prefix))
        for key in keys:
            self.delete(key)
        return len(keys)

    def presigned_url(self, key: str, expires_seconds: int = 3600) -> str | None:
        """A time-limited URL the client can fetch directly, or ``None`` (served by the app)."""
        return None
