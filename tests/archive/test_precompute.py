"""Thumbnails of the archive's first view are made while segments are processed."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from clippy.archive.media import archive_thumbnail, precompute_thumbnails
from clippy.archive.timeline import SegmentSpan
from clippy.storage.keys import archive_thumb_key as thumb_key
from clippy.storage.local import LocalStore
from tests.fixtures.media import mezzanine_recording


def test_segment_thumbnails_are_made_ahead_and_served_from_the_cache(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    parts = mezzanine_recording(tmp_path / "media", 7)  # 70 s
    made: list[int] = []
    for seq, path in enumerate(parts):
        made += precompute_thumbnails(store, 7, path, seq * 10.0, 10.0)
    end = 70.0
    # Every 30 s of the recording, each once, and only where there is a frame.
    assert made == list(range(0, int(end - 0.5) + 1, 30))
    for t in made:
        data = store.get_bytes(thumb_key(7, t))
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[1] == 320
    # The page's request finds it made (the spans are not even looked at).
    assert archive_thumbnail(store, 7, [SegmentSpan(0, 0.0, 1.0)], made[-1]) == store.get_bytes(
        thumb_key(7, made[-1])
    )
