"""LocalStore specifics: temp-file layout, crash safety under SIGKILL, cleanup, errors."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clippy.storage.base import StorageError
from clippy.storage.local import LocalStore

KEY = "streams/1/segments/00000001.webm"

# The child streams a FIFO into put_file, so the parent controls exactly how far the
# write has got when it sends SIGKILL.
_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from clippy.storage.local import LocalStore
    LocalStore(Path(sys.argv[1])).put_file(sys.argv[2], Path(sys.argv[3]))
    """
)


def _start_child(root: Path, key: str, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(root), key, str(source)])


def _wait_for_tmp_bytes(root: Path, at_least: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sizes = [p.stat().st_size for p in (root / ".tmp").iterdir()]
        if sizes and max(sizes) >= at_least:
            return
        time.sleep(0.02)
    raise AssertionError(f"child never wrote {at_least} bytes into {root / '.tmp'}")


def test_sigkill_mid_write_leaves_no_partial_object(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    child = _start_child(root, KEY, fifo)
    with open(fifo, "wb") as feed:
        feed.write(b"x" * (4 * 1024 * 1024))
        feed.flush()
        _wait_for_tmp_bytes(root, 2 * 1024 * 1024)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
    assert not store.exists(KEY)
    assert list(store.list()) == []
    assert store.cleanup_partial() == 1
    assert list((root / ".tmp").iterdir()) == []


def test_sigkill_mid_overwrite_keeps_old_object(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalStore(root)
    store.put_bytes(KEY, b"complete old version")
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    child = _start_child(root, KEY, fifo)
    with open(fifo, "wb") as feed:
        feed.write(b"y" * (1024 * 1024))
        feed.flush()
        _wait_for_tmp_bytes(root, 512 * 1024)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert store.get_bytes(KEY) == b"complete old version"
    assert list(store.list()) == [KEY]


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.4])
def test_sigkill_at_any_moment_is_absent_or_complete(tmp_path: Path, delay: float) -> None:
    """Kill a real-file write at an arbitrary moment: never a truncated object."""
    root = tmp_path / "store"
    store = LocalStore(root)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(1024 * 1024) * 24)
    want = hashlib.sha256(source.read_bytes()).hexdigest()
    child = _start_child(root, KEY, source)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    keys = list(store.list())
    if store.exists(KEY):
        assert hashlib.sha256(store.get_bytes(KEY)).hexdigest() == want
        assert keys == [KEY]
    else:
        assert keys == []
    store.cleanup_partial()
    assert list((root / ".tmp").iterdir()) == []


def test_list_hides_tmp_and_tmp_keys_are_reserved(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    (tmp_path / ".tmp" / "leftover").write_bytes(b"partial")
    store.put_bytes("a/b", b"1")
    assert list(store.list()) == ["a/b"]
    with pytest.raises(ValueError, match="reserved"):
        store.put_bytes(".tmp/x", b"1")


def test_objects_are_plain_files_under_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes(KEY, b"data")
    assert (tmp_path / KEY).read_bytes() == b"data"
    with store.open_local(KEY) as path:
        assert path == tmp_path / KEY  # no copy for ffmpeg on local disk


def test_delete_prunes_empty_folders_only(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("streams/1/segments/1", b".")
    store.put_bytes("streams/1/clips/1.mp4", b".")
    store.delete("streams/1/segments/1")
    assert not (tmp_path / "streams/1/segments").exists()
    assert (tmp_path / "streams/1/clips/1.mp4").exists()
    assert (tmp_path / ".tmp").is_dir()


def test_write_failure_is_storage_error_and_cleans_tmp(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("file", b"i am a file, not a folder")
    with pytest.raises(StorageError, match="could not write 'file/child'"):
        store.put_bytes("file/child", b"x")
    assert list((tmp_path / ".tmp").iterdir()) == []


def test_cleanup_partial_on_clean_store_is_zero(tmp_path: Path) -> None:
    assert LocalStore(tmp_path).cleanup_partial() == 0
