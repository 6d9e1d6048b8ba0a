"""``clippy process --key-phrases``: the phrases make a clip when said, as a streamer's own
phrases do live; bad ones are refused before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from clippy.cli import main
from clippy.config import Settings
from clippy.pipeline.analysis import Analysis
from clippy.pipeline.offline import SEGMENT_SECONDS, detect_offline
from tests.detect.synthetic import CALM, words_of


def _flat_recording() -> tuple[list[Analysis], list[float]]:
    """40 s of steady speech (no loudness change), "pineapple pizza" said at 18 s."""
    starts = [k * SEGMENT_SECONDS for k in range(4)]
    words = words_of(CALM[0], 2.0) + words_of("and pineapple pizza is here", 17.3)
    words += words_of(CALM[2], 26.0)
    analyses = [
        Analysis(
            features={"loudness": [-26.0] * 10},
            words=[w for w in words if s <= w["start"] < s + SEGMENT_SECONDS],
        )
        for s in starts
    ]
    return analyses, starts


def test_key_phrases_make_clips_offline() -> None:
    analyses, starts = _flat_recording()
    assert detect_offline(analyses, starts, [], Settings()) == []
    (plan,) = detect_offline(analyses, starts, [], Settings(), ("pineapple pizza",))
    assert plan.reason == "'pineapple pizza'" and plan.start <= 18.0 <= plan.end


def test_bad_key_phrases_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["process", str(tmp_path / "none.mp4"), "--key-phrases", "ok, ???"])
    assert code == 2
    assert "--key-phrases: Some key phrases cannot be used: “???” has no letters" in (
        capsys.readouterr().err
    )
