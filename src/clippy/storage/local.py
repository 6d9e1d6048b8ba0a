"""Local-directory object store with atomic, durable writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from clippy.storage.base import ObjectNotFound, ObjectStore, StorageError, check_key

_TMP = ".tmp"
WriterFn = Callable[[BinaryIO], object]


class LocalStore(ObjectStore):
    """Objects are files under ``root``; writes go to ``root/.tmp`` then ``os.replace``.

    The rename is atomic on POSIX, and the file and its directory are fsynced, so after a
    crash (even SIGKILL mid-write) a key is either absent or complete. Leftover temp files
    are removed by ``cleanup_partial`` at start-up and never listed.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / _TMP).mkdir(exist_ok=True)

    def path(self, key: str) -> Path:
        """The file that holds ``key`` (it may not exist)."""
        return self.root / check_key(key)

    def _write(self, key: str, writer: WriterFn) -> None:
        dest = self.path(key)
        tmp = self.root / _TMP / uuid.uuid4().hex
        try:
            with open(tmp, "wb") as fh:
                writer(fh)
                fh.flush()
                os.fsync(fh.fileno())
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StorageError(f"could not write {key!r} under {self.root}: {exc}") from exc

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self._write(key, lambda fh: fh.write(data))

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        def copy(fh: BinaryIO) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, fh, 1024 * 1024)

        self._write(key, copy)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    @contextlib.contextmanager
    def open_local(self, key: str) -> Iterator[Path]:
        p = self.path(key)
        if not p.is_file():
            raise ObjectNotFound(key)
        yield p

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        p = self.path(key)
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
        # Prune empty parent folders so a deleted stream leaves no directory litter.
        parent = p.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def list(self, prefix: str = "") -> Iterator[str]:
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            if Path(dirpath) == self.root and _TMP in dirnames:
                dirnames.remove(_TMP)
            for name in filenames:
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    out.append(key)
        yield from sorted(out)

    def cleanup_partial(self) -> int:
        """Remove temp files left by writes that a crash interrupted; returns how many."""
        n = 0
        for p in (self.root / _TMP).iterdir():
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
        return n


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
