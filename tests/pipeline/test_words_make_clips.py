"""What is said finds moments: "clip it" said plainly (no loudness change, no chat) makes a
clip titled from the streamer's own words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.speech import ClipItStream, spoken_title_words
from tests.pipeline.test_offline import run_process

pytestmark = pytest.mark.timeout(900)


def test_clip_it_said_plainly_makes_a_titled_clip(
    tmp_path: Path, clip_it_stream: ClipItStream
) -> None:
    proc = run_process(
        str(clip_it_stream.video), "--out", str(tmp_path / "clips"), "--json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    clips = json.loads(proc.stdout)
    (clip,) = [c for c in clips if c["start"] <= clip_it_stream.said + 1 <= c["end"]]
    assert "'clip it'" in clip["reason"]
    # The streamer's words make the title; the command itself is cut from it.
    assert clip["title"].replace(",", "") == "Okay that was so clean", clip["title"]
    assert len(clips) == 1, clips  # calm talk around it makes nothing
    assert spoken_title_words(clip["title"], clip_it_stream.script, clip["start"], clip["end"]) >= 2
