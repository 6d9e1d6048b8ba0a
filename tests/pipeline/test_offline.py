"""``clippy process``: a recording in, clips + clips.json out, the same moments as live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clippy.pipeline.recognise import shortfall_warning
from tests.fixtures.media import PlantedStream, mix_speech, speech_wav
from tests.fixtures.speech import spoken_title_words

# Real-time streaming and media generation: minutes on a loaded 2-core machine (measured
# 254 s of fixture set-up under contention), so allow more than the suite's default.
pytestmark = pytest.mark.timeout(900)


def run_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would."""
    env = {**os.environ, "CLIPPY_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [sys.executable, "-m", "clippy.cli", "process", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
        check=False,
    )


def test_process_json_finds_the_planted_moments(
    tmp_path: Path, planted_stream: PlantedStream
) -> None:
    out = tmp_path / "clips"
    proc = run_process(
        str(planted_stream.video),
        "--out",
        str(out),
        "--json",
        "--chat",
        str(planted_stream.chat_file),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    clips = json.loads(proc.stdout)
    assert clips and all(
        set(c) == {"start", "end", "score", "reason", "title", "file"} for c in clips
    )
    for m in planted_stream.moments:
        assert any(c["start"] - 1 <= m.time <= c["end"] + 1 for c in clips), (m, clips)
    others = [
        c
        for c in clips
        if not any(c["start"] - 1 <= m.time <= c["end"] + 1 for m in planted_stream.moments)
    ]
    assert len(others) <= 1, others
    for c in clips:
        assert Path(c["file"]).stat().st_size > 10_000 and c["reason"]
        # Titles come from what was said in the clip, short enough to read at a glance.
        assert len(c["title"]) <= 60
        assert spoken_title_words(c["title"], planted_stream.script, c["start"], c["end"]) >= 2, c
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=codec_name,duration",
                "-of",
                "json",
                c["file"],
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        stream = json.loads(probe.stdout)["streams"][0]
        assert stream["codec_name"] == "h264"
        assert abs(float(stream["duration"]) - (c["end"] - c["start"])) <= 1 / 30 + 0.03
    saved = json.loads((out / "clips.json").read_text())
    assert [c["start"] for c in saved] == [c["start"] for c in clips]


def test_process_refuses_non_media_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a video")
    proc = run_process(str(bad), "--json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "cannot process" in proc.stderr and "notes.txt" in proc.stderr


def test_a_file_cut_off_short_is_processed_with_a_warning(tmp_path: Path) -> None:
    """A download cut off: the container still says 40 s, a few seconds of audio are there.
    What is there is processed, and the user is told, not handed "0 clips" for 40 s."""
    whole = tmp_path / "whole.mkv"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=300:d=40"),
            *("-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=40"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(whole)),
        ],
        check=True,
    )
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 8])
    proc = run_process(str(cut), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    assert "warning: the audio of" in proc.stderr and "says it lasts 40.0 s" in proc.stderr
    assert "cut off or damaged" in proc.stderr
    # A whole file says nothing of the kind.
    proc = run_process(str(whole), "--json", cwd=tmp_path)
    assert proc.returncode == 0 and "warning" not in proc.stderr


def test_calm_sentences_between_gated_silences_make_no_clip(tmp_path: Path) -> None:
    """A streamer behind a noise gate: calm sentences, digital silence between them. Against
    a usual level of silence every sentence was "+70 dB"; now none is a moment."""
    wav = tmp_path / "calm.wav"
    speech_wav("so I think we should buy some items and then farm the jungle for a while", wav)
    stream = tmp_path / "gated.wav"
    mix_speech([(float(t), wav, 0.0) for t in range(5, 150, 25)], 150.0, stream)
    proc = run_process(str(stream), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_shortfall_is_warned_only_past_a_margin() -> None:
    assert shortfall_warning("a.mp4", 40.0, 40.0) is None
    assert shortfall_warning("a.mp4", 40.0, 38.5) is None  # encoder padding, a short tail
    assert shortfall_warning("a.mp4", 0.0, 12.0) is None  # a stream states no duration
    assert shortfall_warning("a.mp4", 3600.0, 3500.0) is not None
    note = shortfall_warning("a.mp4", 40.0, 2.7)
    assert note is not None and "ends at 2.7 s" in note and "40.0 s" in note


@pytest.fixture(scope="module")
def keyed_planted(tmp_path_factory: pytest.TempPathFactory, planted_stream: PlantedStream) -> Path:
    """The planted stream with a keyframe every 2 s, as a streaming setup records it."""
    out = tmp_path_factory.mktemp("keyed") / "keyed.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-i", str(planted_stream.video)),
            *("-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60"),
            *("-sc_threshold", "0", "-c:a", "copy", str(out)),
        ],
        check=True,
    )
    return out


def test_process_copies_clips_from_the_keyframe_before_them(
    tmp_path: Path, planted_stream: PlantedStream, keyed_planted: Path
) -> None:
    out = tmp_path / "clips"
    proc = run_process(
        str(keyed_planted),
        "--out",
        str(out),
        "--json",
        "--chat",
        str(planted_stream.chat_file),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    clips = json.loads(proc.stdout)
    for m in planted_stream.moments:
        assert any(c["start"] - 1 <= m.time <= c["end"] + 1 for c in clips), (m, clips)
    for c in clips:
        # Every clip starts on a keyframe (a stream copy), and says where it really is.
        assert c["start"] / 2 == pytest.approx(round(c["start"] / 2), abs=0.01), c
        probe = subprocess.run(
            [
                *("ffprobe", "-v", "error", "-select_streams", "v:0"),
                *("-show_entries", "stream=codec_name,duration", "-of", "json", c["file"]),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        stream = json.loads(probe.stdout)["streams"][0]
        assert stream["codec_name"] == "h264"
        assert abs(float(stream["duration"]) - (c["end"] - c["start"])) <= 0.01, (c, stream)
        assert Path(c["file"]).with_suffix(".jpg").stat().st_size > 1000
