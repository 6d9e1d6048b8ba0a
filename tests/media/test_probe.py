"""Probing and validating received segments on real, generated media."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clippy.media.probe import InvalidMedia, probe, validate_segment
from tests.fixtures.media import SegmentFile, run


def test_probe_describes_a_webm_segment(webm_segments: list[SegmentFile]) -> None:
    info = probe(webm_segments[0].path)
    assert info.format_name.startswith("matroska")
    assert (info.has_video, info.has_audio) == (True, True)
    assert (info.video_codec, info.audio_codec) == ("vp8", "opus")
    assert (info.width, info.height) == (640, 360)
    assert info.fps == pytest.approx(30.0)
    assert info.duration == pytest.approx(10.0, abs=0.1)


def test_validate_accepts_every_good_segment(webm_segments: list[SegmentFile]) -> None:
    for seg in webm_segments:
        info = validate_segment(seg.path, expected_duration=seg.duration)
        assert info.duration == pytest.approx(seg.duration, abs=0.1)


def test_validate_rejects_an_empty_file(empty_file: Path) -> None:
    with pytest.raises(InvalidMedia, match=r"empty \(0 bytes\)"):
        validate_segment(empty_file)


def test_validate_names_the_leading_bytes_of_non_media(random_bytes_file: Path) -> None:
    with pytest.raises(
        InvalidMedia,
        match=r"not a media file: a WebM file starts with 0x1A45DFA3, this one with 0x89504E47",
    ):
        validate_segment(random_bytes_file, mime="video/webm")


def test_validate_rejects_the_truncated_fixture(truncated_webm: Path) -> None:
    with pytest.raises(InvalidMedia, match=r"truncated: element at byte \d+ ends \d+ bytes past"):
        validate_segment(truncated_webm)


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.9, 0.999])
def test_validate_rejects_a_webm_cut_anywhere(
    webm_segments: list[SegmentFile], tmp_path: Path, fraction: float
) -> None:
    data = webm_segments[1].path.read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InvalidMedia, match="truncated"):
        validate_segment(cut)


def test_validate_rejects_fewer_seconds_than_the_client_sent(
    webm_segments: list[SegmentFile],
) -> None:
    with pytest.raises(InvalidMedia, match=r"holds 10\.\d\d s but was sent as 20\.00 s"):
        validate_segment(webm_segments[0].path, expected_duration=20.0)


def test_validate_accepts_audio_less_video_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "silent.webm"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:d=2"),
            *("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", str(path)),
        ]
    )
    info = validate_segment(path)
    assert (info.has_video, info.has_audio, info.audio_codec) == (True, False, None)


def test_validate_rejects_a_webm_without_audio_or_video(tmp_path: Path) -> None:
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nhello\n")
    path = tmp_path / "subs.mkv"
    run(["ffmpeg", "-v", "error", "-i", str(srt), str(path)])
    with pytest.raises(InvalidMedia, match="no audio or video stream"):
        validate_segment(path)


def test_probe_reports_what_ffprobe_could_not_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n" * 10)
    with pytest.raises(InvalidMedia, match="cannot be read as media"):
        probe(path)


def test_validating_a_10s_720p_segment_takes_well_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "hd.webm"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:d=10"),
            *("-f", "lavfi", "-i", "sine=d=10:r=48000", "-c:v", "libvpx", "-b:v", "2M"),
            *("-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", str(path)),
        ]
    )
    best = min(_timed(validate_segment, path) for _ in range(3))
    # Measured ~0.1 s; the bound leaves room for a loaded 2-core machine.
    assert best < 0.5


def _timed(fn: object, path: Path) -> float:
    assert callable(fn)
    start = time.perf_counter()
    fn(path)
    return time.perf_counter() - start
