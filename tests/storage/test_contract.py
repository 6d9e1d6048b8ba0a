"""One behaviour contract for every ObjectStore backend: local disk and real S3 (SeaweedFS)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from clippy.storage.base import ObjectNotFound, ObjectStore, StorageError
from clippy.storage.local import LocalStore
from tests.fixtures.s3 import S3Server


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """Each contract test runs once per backend."""
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    s3: ObjectStore = request.getfixturevalue("s3_store")
    return s3


def test_put_get_roundtrip(store: ObjectStore) -> None:
    store.put_bytes("streams/1/segments/000001.webm", b"abc", "video/webm")
    assert store.get_bytes("streams/1/segments/000001.webm") == b"abc"
    assert store.exists("streams/1/segments/000001.webm")
    assert store.size("streams/1/segments/000001.webm") == 3


def test_put_replaces(store: ObjectStore) -> None:
    store.put_bytes("a/b", b"old")
    store.put_bytes("a/b", b"new-longer")
    assert store.get_bytes("a/b") == b"new-longer"


def test_put_file_and_open_local(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    data = bytes(range(256)) * 4096  # 1 MiB
    src.write_bytes(data)
    store.put_file("streams/2/clips/7.mp4", src, "video/mp4")
    with store.open_local("streams/2/clips/7.mp4") as path:
        assert path.read_bytes() == data
        assert path.suffix == ".mp4"  # ffmpeg picks formats by extension


def test_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    assert not store.exists("nope/x")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("nope/x")
    with pytest.raises(ObjectNotFound):
        store.size("nope/x")
    with pytest.raises(ObjectNotFound), store.open_local("nope/x"):
        pass


def test_delete_missing_is_fine(store: ObjectStore) -> None:
    store.put_bytes("d/1", b"x")
    store.delete("d/1")
    store.delete("d/1")
    assert not store.exists("d/1")


def test_list_is_sorted_and_prefix_filtered(store: ObjectStore) -> None:
    for key in ["streams/2/b", "streams/1/segments/2", "streams/1/segments/1", "other/x"]:
        store.put_bytes(key, b".")
    assert list(store.list("streams/1/")) == ["streams/1/segments/1", "streams/1/segments/2"]
    assert list(store.list()) == [
        "other/x",
        "streams/1/segments/1",
        "streams/1/segments/2",
        "streams/2/b",
    ]


def test_delete_prefix(store: ObjectStore) -> None:
    for i in range(5):
        store.put_bytes(f"streams/9/segments/{i}", b".")
    store.put_bytes("streams/90/keep", b".")
    assert store.delete_prefix("streams/9/") == 5
    assert list(store.list()) == ["streams/90/keep"]


@pytest.mark.parametrize("key", ["", "/abs", "a//b", "a/../b", "..", "a/./b", "trailing/"])
def test_invalid_keys_rejected(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        store.put_bytes(key, b"x")
    with pytest.raises(ValueError, match="invalid object key"):
        store.exists(key)


def test_presigned_url(store: ObjectStore) -> None:
    store.put_bytes("p/q.txt", b"signed")
    url = store.presigned_url("p/q.txt", expires_seconds=60)
    if isinstance(store, LocalStore):
        assert url is None  # the web layer serves local files itself
        return
    assert url is not None
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read() == b"signed"


def test_s3_wrong_credentials_refused(s3_server: S3Server) -> None:
    good = s3_server.store(prefix="creds")
    good.put_bytes("k", b"secret data")
    bad = s3_server.store(prefix="creds", secret_access_key="wrong-secret-000000")
    with pytest.raises(StorageError) as exc_info:
        bad.get_bytes("k")
    assert not isinstance(exc_info.value, ObjectNotFound)
    with pytest.raises(StorageError):
        bad.put_bytes("k2", b"x")
    assert not good.exists("k2")


def test_s3_multipart_upload(s3_store: ObjectStore, tmp_path: Path) -> None:
    # Above boto3's 8 MiB multipart threshold, so upload_file goes multipart.
    src = tmp_path / "big.bin"
    chunk = bytes(range(251)) * 4177
    with open(src, "wb") as fh:
        for _ in range(10):
            fh.write(chunk)
    store = s3_store
    store.put_file("big/object.bin", src)
    assert store.size("big/object.bin") == src.stat().st_size
    assert store.get_bytes("big/object.bin") == src.read_bytes()
