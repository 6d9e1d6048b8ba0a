"""The mezzanine transcode: H.264/AAC MPEG-TS, 30 fps CFR, a keyframe every second."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from clippy.media.cut import SourcePart
from clippy.media.mezzanine import AUDIO_OFFSET, MEZZANINE_SUFFIX, transcode_to_mezzanine
from tests.fixtures.media import SegmentFile, run


def packets(path: Path, stream: str) -> list[tuple[float, bool]]:
    """(pts seconds, is keyframe) of every packet of stream ``v`` or ``a``."""
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", stream),
            *("-show_entries", "packet=pts_time,flags", "-of", "json", str(path)),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return [(float(p["pts_time"]), "K" in p["flags"]) for p in json.loads(out)["packets"]]


def pcm(path: Path, start: float = 0.0) -> np.ndarray:
    """Mono 16 kHz float samples of ``path`` from ``start`` (ffmpeg, independent of PyAV)."""
    # No "-ss 0" for the WebM: seeking to 0 drops its first 20 ms (Opus pre-roll).
    seek = ["-ss", f"{start:.6f}"] if start else []
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", *seek, "-i", str(path)),
            *("-ac", "1", "-ar", "16000", "-f", "f32le", "-"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.float32)


def test_mezzanine_is_h264_aac_at_the_source_size(mezzanine_parts: list[SourcePart]) -> None:
    from clippy.media.probe import probe

    info = probe(mezzanine_parts[0].path)
    assert mezzanine_parts[0].path.suffix == MEZZANINE_SUFFIX == ".ts"
    assert info.format_name == "mpegts"
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height, info.fps) == (640, 360, 30.0)


def test_keyframe_every_second_from_zero(mezzanine_parts: list[SourcePart]) -> None:
    video = packets(mezzanine_parts[0].path, "v")
    keys = [t for t, key in video if key]
    assert keys == pytest.approx([float(k) for k in range(10)], abs=1e-6)
    # Constant frame rate: frame n at n/30 s, and exactly the source's 10 s of frames.
    assert [t for t, _ in video] == pytest.approx([n / 30 for n in range(300)], abs=1e-4)


def test_audio_is_in_step_with_the_source(
    mezzanine_parts: list[SourcePart], webm_segments: list[SegmentFile]
) -> None:
    part, seg = mezzanine_parts[2], webm_segments[2]
    assert packets(part.path, "a")[0][0] == pytest.approx(0.0, abs=1e-6)
    source = pcm(seg.path)
    ours = pcm(part.path, start=AUDIO_OFFSET)
    # Cross-correlate one second of speech: the best lag must be ~0 (1 ms = 16 samples).
    window = source[3 * 16000 : 4 * 16000]
    lags = range(-800, 800)
    scores = [float(np.dot(window, ours[3 * 16000 + lag : 4 * 16000 + lag])) for lag in lags]
    assert abs(lags[int(np.argmax(scores))]) <= 16


def test_odd_rate_source_becomes_30_fps_of_the_same_length(tmp_path: Path) -> None:
    src = tmp_path / "odd.webm"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24:d=3"),
            *("-f", "lavfi", "-i", "sine=d=3:r=44100", "-c:v", "libvpx", "-deadline"),
            *("realtime", "-cpu-used", "8", "-c:a", "libopus", str(src)),
        ]
    )
    info = transcode_to_mezzanine(src, tmp_path / "odd.ts")
    video = packets(tmp_path / "odd.ts", "v")
    assert info.fps == 30.0
    assert len(video) == pytest.approx(90, abs=1)
    assert [t for t, key in video if key] == pytest.approx([0.0, 1.0, 2.0], abs=1e-6)


def test_audio_only_source_gets_black_frames(tmp_path: Path) -> None:
    src = tmp_path / "voice.webm"
    run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "libopus", str(src)])
    info = transcode_to_mezzanine(src, tmp_path / "voice.ts")
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert len(packets(tmp_path / "voice.ts", "v")) == pytest.approx(60, abs=1)


def test_silent_source_gets_a_silent_track_and_tall_video_is_capped(tmp_path: Path) -> None:
    src = tmp_path / "tall.webm"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=2560x1440:d=1"),
            *("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", str(src)),
        ]
    )
    info = transcode_to_mezzanine(src, tmp_path / "tall.ts")
    assert (info.width, info.height) == (1920, 1080)
    assert info.audio_codec == "aac"
    assert float(np.abs(pcm(tmp_path / "tall.ts")).max()) == 0.0
