"""Smart cutting: the pure plan, and real cuts checked frame by frame."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from clippy.media.audio_plan import MAX_OFFSET, plan_audio
from clippy.media.cut import CutError, Piece, SourcePart, audio_spans, cut_clip, plan_cut

FRAME = 1 / 30


def parts_at(*starts: float, duration: float = 10.0) -> list[SourcePart]:
    return [SourcePart(Path(f"p{k}.ts"), s, duration) for k, s in enumerate(starts)]


# --- plan_cut: pure ---------------------------------------------------------------------


def rows(plan: list[Piece]) -> list[tuple[int, float, float, str]]:
    """The plan with times rounded to 0.1 ms, for readable exact comparisons."""
    return [(p.part, round(p.t0, 4), round(p.t1, 4), "copy" if p.copy else "encode") for p in plan]


def test_whole_seconds_inside_one_part_are_one_copy() -> None:
    assert rows(plan_cut(parts_at(0), [(2.0, 7.0)])) == [(0, 2.0, 7.0, "copy")]


def test_unaligned_range_reencodes_only_its_edges() -> None:
    plan = plan_cut(parts_at(0), [(2.5, 7.2)])
    assert rows(plan) == [
        (0, 2.5, 3.0, "encode"),
        (0, 3.0, 7.0, "copy"),
        (0, 7.0, 7.2, "encode"),
    ]


def test_range_inside_one_gop_is_a_single_reencode() -> None:
    assert rows(plan_cut(parts_at(0), [(4.1, 4.9)])) == [(0, 4.1, 4.9, "encode")]


def test_range_spanning_three_parts_copies_each_middle() -> None:
    plan = plan_cut(parts_at(0, 10, 20), [(8.5, 21.5)])
    assert rows(plan) == [
        (0, 8.5, 9.0, "encode"),
        (0, 9.0, 10.0, "copy"),
        (1, 0.0, 10.0, "copy"),
        (2, 0.0, 1.0, "copy"),
        (2, 1.0, 1.5, "encode"),
    ]


def test_times_snap_to_the_30_fps_frame_grid() -> None:
    (piece,) = plan_cut(parts_at(0), [(1.01, 1.49)])
    assert (piece.t0 * 30, piece.t1 * 30) == (pytest.approx(30), pytest.approx(45))


def test_part_ending_off_the_gop_grid_copies_to_its_end() -> None:
    plan = plan_cut(parts_at(0, 9.5, duration=9.5), [(5.0, 12.0)])
    assert rows(plan) == [
        (0, 5.0, 9.5, "copy"),
        (1, 0.0, 2.0, "copy"),
        (1, 2.0, 2.5, "encode"),
    ]


def test_ranges_keep_their_order_and_parts_may_arrive_unsorted() -> None:
    parts = parts_at(20, 0, 10)
    plan = plan_cut(parts, [(21.0, 22.0), (3.0, 4.0)])
    assert rows(plan) == [(0, 1.0, 2.0, "copy"), (1, 3.0, 4.0, "copy")]


def test_planned_pieces_add_up_to_the_ranges() -> None:
    ranges = [(0.4, 13.37), (27.9, 29.95), (30.0, 41.0)]
    plan = plan_cut(parts_at(0, 10, 20, 30, 40), ranges)
    assert sum(p.duration for p in plan) == pytest.approx(
        sum(round(e * 30) / 30 - round(s * 30) / 30 for s, e in ranges)
    )


def test_a_small_hole_between_parts_is_skipped() -> None:
    plan = plan_cut(parts_at(0, 10.2), [(9.0, 12.0)])
    assert rows(plan) == [
        (0, 9.0, 10.0, "copy"),
        (1, 0.0, 1.0, "copy"),
        (1, 1.0, 1.8, "encode"),
    ]


def test_overlapping_parts_never_repeat_frames() -> None:
    plan = plan_cut(parts_at(0, 9.5), [(8.0, 12.0)])
    assert rows(plan) == [
        (0, 8.0, 10.0, "copy"),
        (1, 0.5, 1.0, "encode"),
        (1, 1.0, 2.0, "copy"),
        (1, 2.0, 2.5, "encode"),
    ]
    assert sum(p.duration for p in plan) == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ([], "no ranges"),
        ([(5.0, 5.01)], "shorter than one frame"),
        ([(8.0, 16.0)], r"no recording between 10.00 s and 12.00 s"),
        ([(25.0, 27.0)], r"no recording between 25.00 s and 27.00 s"),
        ([(18.0, 24.0)], r"no recording between 22.00 s and 24.00 s"),
    ],
)
def test_uncovered_ranges_raise_a_cut_error(
    ranges: list[tuple[float, float]], message: str
) -> None:
    with pytest.raises(CutError, match=message):
        plan_cut(parts_at(0, 12), ranges)


# --- cut_clip: real ffmpeg on mezzanine segments -----------------------------------------


def ffprobe_json(path: Path, *args: str) -> dict[str, list[dict[str, str]]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)], capture_output=True, check=True
    ).stdout
    return json.loads(out)


@functools.cache
def frames(path: Path) -> list[np.ndarray]:
    """Every frame of ``path`` in order, as small grayscale images (sequential decode: no
    seeking, so the reference cannot share a seek bug with the code under test)."""
    with av.open(str(path)) as container:
        return [
            frame.to_ndarray(format="gray")[::4, ::4].astype(np.float32)
            for frame in container.decode(video=0)
        ]


def source_frame_of(image: np.ndarray, part: SourcePart, local: float) -> float:
    """Which of the part's frames within two of ``local`` s ``image`` shows (its time)."""
    n = round(local * 30)
    candidates = [k for k in range(n - 2, n + 3) if 0 <= k < len(frames(part.path))]
    errors = [float(np.mean((frames(part.path)[k] - image) ** 2)) for k in candidates]
    return candidates[int(np.argmin(errors))] / 30


def check_clip(out: Path, expected: float) -> None:
    """The clip is a sound faststart H.264/AAC MP4 of ``expected`` seconds within a frame."""
    data = ffprobe_json(
        out,
        "-count_packets",
        "-show_entries",
        "stream=codec_name,pix_fmt,nb_read_packets,duration:format=duration,format_name",
    )
    video, audio = data["streams"]
    assert (video["codec_name"], video["pix_fmt"], audio["codec_name"]) == (
        "h264",
        "yuv420p",
        "aac",
    )
    assert int(video["nb_read_packets"]) == round(expected * 30)
    # No timestamp gaps: every video frame one frame after the last, from 0; audio starts with it.
    times = ffprobe_json(out, "-select_streams", "v:0", "-show_entries", "packet=pts_time")
    pts = sorted(float(p["pts_time"]) for p in times["packets"])
    assert pts[0] == pytest.approx(0.0, abs=1e-3)
    assert np.allclose(np.diff(pts), FRAME, atol=1e-3)
    starts = ffprobe_json(out, "-show_entries", "stream=start_time")["streams"]
    assert [float(st["start_time"]) for st in starts] == pytest.approx([0.0, 0.0], abs=1e-3)
    assert float(video["duration"]) == pytest.approx(expected, abs=FRAME)
    assert float(audio["duration"]) == pytest.approx(expected, abs=FRAME)
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-xerror", "-i", str(out), "-f", "null", "-"],
        capture_output=True,
        check=False,
    )
    assert decode.returncode == 0 and decode.stderr == b""
    head = out.read_bytes()[:200_000]
    assert 0 < head.index(b"moov") < head.index(b"mdat"), "moov must precede mdat (faststart)"


def check_edges(out: Path, parts: list[SourcePart], start: float, end: float) -> None:
    """The clip's first and last frames are the source's frames at ``start`` and ``end``."""
    clip = frames(out)
    first_part = next(p for p in parts if p.start_time <= start < p.end_time)
    local = round((start - first_part.start_time) * 30) / 30
    assert source_frame_of(clip[0], first_part, local) == pytest.approx(local)
    last = end - FRAME
    last_part = next(p for p in parts if p.start_time <= last < p.end_time)
    local = round((last - last_part.start_time) * 30) / 30
    assert source_frame_of(clip[-1], last_part, local) == pytest.approx(local)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (2.37, 7.8),  # inside one segment, both edges re-encoded
        (8.5, 14.2),  # across one boundary
        (5.1, 27.3),  # across three segments
        (10.0, 20.0),  # exactly one whole segment
        (19.9, 30.1),  # edges a few frames either side of two boundaries
        (50.0, 60.0),  # to the very end of the stream
    ],
)
def test_cut_is_frame_accurate(
    mezzanine_parts: list[SourcePart], tmp_path: Path, start: float, end: float
) -> None:
    out = tmp_path / "clip.mp4"
    result = cut_clip(mezzanine_parts, [(start, end)], out)
    expected = round(end * 30) / 30 - round(start * 30) / 30
    assert result.path == out
    assert result.duration == pytest.approx(expected, abs=FRAME)
    check_clip(out, expected)
    check_edges(out, mezzanine_parts, start, end)


def test_two_ranges_are_joined_in_order(mezzanine_parts: list[SourcePart], tmp_path: Path) -> None:
    out = tmp_path / "joined.mp4"
    cut_clip(mezzanine_parts, [(41.2, 45.9), (3.0, 6.5)], out)
    check_clip(out, 4.7 + 3.5)
    # The first range's 141 frames end at 45.9 s; the second starts right after at 3.0 s.
    clip = frames(out)
    assert source_frame_of(clip[140], mezzanine_parts[4], 5.8667) == pytest.approx(5.8667, abs=1e-3)
    assert source_frame_of(clip[141], mezzanine_parts[0], 3.0) == pytest.approx(3.0)
    check_edges(out, mezzanine_parts, 41.2, 6.5)


def test_overlapping_ranges_repeat_their_frames(
    mezzanine_parts: list[SourcePart], tmp_path: Path
) -> None:
    # Both ranges copy the middle of the same part: its packets go out twice, each in place.
    out = tmp_path / "replay.mp4"
    cut_clip(mezzanine_parts, [(11.0, 18.0), (12.0, 19.0)], out)
    check_clip(out, 14.0)
    clip = frames(out)
    assert source_frame_of(clip[209], mezzanine_parts[1], 7.9667) == pytest.approx(7.9667, abs=1e-3)
    assert source_frame_of(clip[210], mezzanine_parts[1], 2.0) == pytest.approx(2.0)


def test_long_cut_is_mostly_stream_copied(
    mezzanine_parts: list[SourcePart], tmp_path: Path
) -> None:
    result = cut_clip(mezzanine_parts, [(12.4, 42.6)], tmp_path / "long.mp4")
    assert result.copied_seconds == pytest.approx(29.0)


def test_clip_audio_matches_the_source_audio(
    mezzanine_parts: list[SourcePart], tmp_path: Path
) -> None:
    out = tmp_path / "speech.mp4"
    cut_clip(mezzanine_parts, [(7.5, 13.5)], out)
    clip = _pcm(out)
    # The copied AAC of each segment keeps its own frame grid, so a piece after a join may sit
    # up to half a frame (10.7 ms) off its video, by as much as the plan says.
    offsets = plan_audio(
        audio_spans(plan_cut(mezzanine_parts, [(7.5, 13.5)])), {0: 470, 1: 470}
    ).offsets
    assert offsets[0] == 0 and all(abs(o) <= MAX_OFFSET for o in offsets)
    # A second of speech either side of the segment join sits where the plan put it.
    for clip_at, part, local, offset in [
        (0.5, mezzanine_parts[0], 8.0, offsets[0]),
        (3.5, mezzanine_parts[1], 1.0, offsets[1]),
    ]:
        lag = _lag(clip[int(clip_at * 16000) :], _pcm(part.path, local))
        assert abs(lag - offset / 3) <= 16  # 1 ms at 16 kHz


def _lag(signal: np.ndarray, reference: np.ndarray) -> int:
    """How many samples ``signal``'s first second lags ``reference``'s (negative: leads)."""
    window = reference[800:16800]
    scores = [float(np.dot(window, signal[800 + k : 16800 + k])) for k in range(-800, 800)]
    return int(np.argmax(scores)) - 800


def _pcm(path: Path, start: float = 0.0) -> np.ndarray:
    from clippy.media.mezzanine import AUDIO_OFFSET

    seek = start + (AUDIO_OFFSET if path.suffix == ".ts" else 0.0)
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", f"{seek:.6f}", "-i", str(path)),
            *("-ac", "1", "-ar", "16000", "-f", "f32le", "-"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.float32)


def test_range_past_the_recording_raises(mezzanine_parts: list[SourcePart], tmp_path: Path) -> None:
    with pytest.raises(CutError, match=r"no recording between 60.00 s and 70.00 s"):
        cut_clip(mezzanine_parts, [(55.0, 70.0)], tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()
