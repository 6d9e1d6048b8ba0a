"""Clips of an operator's recording copied from a keyframe: the pure choice, and real copies."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import pytest

from clippy.media.keyframe_cut import copy_range, copyable, keyframe_times, snap_start
from clippy.media.source import InvalidMedia, media_input, operator_input

KEYS = [0.0, 2.0, 4.0, 6.0]


def test_start_moves_back_to_the_keyframe_before_it() -> None:
    assert snap_start(KEYS, 5.3, max_lead=4.0) == 4.0
    assert snap_start(KEYS, 4.0, max_lead=4.0) == 4.0
    assert snap_start(KEYS, 3.9999, max_lead=0.5) == 4.0  # on the keyframe, up to rounding


def test_no_snap_when_the_keyframe_is_too_far_or_missing() -> None:
    assert snap_start(KEYS, 5.3, max_lead=1.0) is None
    assert snap_start([2.0], 1.0, max_lead=4.0) is None
    assert snap_start([], 1.0, max_lead=4.0) is None
    assert snap_start(KEYS, 9.0, max_lead=2.5) is None  # the last keyframe is 3 s back


def test_only_codecs_an_mp4_holds_are_copied() -> None:
    assert copyable("h264", "aac") and copyable("hevc", None) and copyable(None, "opus")
    assert not copyable("vp8", "opus") and not copyable("h264", "pcm_s16le")


@pytest.fixture(scope="module")
def keyed_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of H.264 (B-frames, a keyframe every 2 s) + AAC, as a streaming setup records."""
    out = tmp_path_factory.mktemp("keyed") / "keyed.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i"),
            "testsrc2=size=320x180:rate=30:duration=20",
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=20"),
            *("-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60"),
            *("-sc_threshold", "0", "-c:a", "aac", "-shortest", str(out)),
        ],
        check=True,
    )
    return out


def test_keyframes_are_read_from_the_packets(keyed_video: Path) -> None:
    times = keyframe_times(operator_input(str(keyed_video)))
    assert times == pytest.approx([2.0 * k for k in range(10)], abs=0.01)


def test_a_file_without_video_has_no_keyframes(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", str(wav)], check=True
    )
    assert keyframe_times(operator_input(str(wav))) == []


def test_unreadable_input_is_invalid_media(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all" * 10)
    with pytest.raises(InvalidMedia, match=r"bad\.mp4"):
        keyframe_times(operator_input(str(bad)))


def test_copy_keeps_the_packets_and_reports_its_length(keyed_video: Path, tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    duration = copy_range(operator_input(str(keyed_video)), 4.0, 9.5, out)
    # B-frames may hold on a frame or two past the end; the reported length is the real one.
    assert 5.5 - 1e-3 <= duration <= 5.5 + 3 / 30
    with media_input(out).open_av() as clip, av.open(str(keyed_video)) as src:
        v = clip.streams.video[0]
        assert float(v.duration * v.time_base) == pytest.approx(duration, abs=1e-3)
        assert clip.streams.audio, "the audio is copied too"
        first = next(p for p in clip.demux(v) if p.size)
        src_v = src.streams.video[0]
        at_4s = next(p for p in src.demux(src_v) if p.is_keyframe and p.pts * p.time_base >= 3.99)
        # Copied, not re-encoded: the clip opens with the source's own keyframe, byte for byte.
        assert first.is_keyframe and bytes(first) == bytes(at_4s)
