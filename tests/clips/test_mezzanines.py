"""A mezzanine the busy pipeline skipped is made from the stored original when first needed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clippy.clips import ensure_mezzanine
from clippy.media.probe import probe
from clippy.storage import LocalStore, ObjectNotFound, mezzanine_key, segment_key


def _tiny_webm(path: Path) -> Path:
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30:duration=2"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=2"),
            *("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"),
            *("-c:a", "libopus", "-shortest", str(path)),
        ],
        check=True,
    )
    return path


def test_made_once_from_the_original(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_file(segment_key(7, 3, "video/webm"), _tiny_webm(tmp_path / "s.webm"))
    key = ensure_mezzanine(store, 7, 3)  # the original found by listing
    assert key == mezzanine_key(7, 3)
    with store.open_local(key) as mezz:
        info = probe(mezz)
        made = mezz.stat().st_mtime_ns
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert ensure_mezzanine(store, 7, 3, segment_key(7, 3, "video/webm")) == key
    with store.open_local(key) as mezz:
        assert mezz.stat().st_mtime_ns == made  # already there: not transcoded again


def test_expired_segment_is_not_found(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    with pytest.raises(ObjectNotFound, match="segment 4 of stream 7"):
        ensure_mezzanine(store, 7, 4)
    assert not store.exists(mezzanine_key(7, 4))
