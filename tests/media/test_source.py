"""Media is opened only through ``media.source``: forced demuxer, local files, no guessing."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from clippy.media.audio import decode_audio
from clippy.media.containers import check_structure
from clippy.media.ffmpeg import ffmpeg, ffmpeg_command, ffprobe_command
from clippy.media.probe import InvalidMedia, probe, validate_segment
from clippy.media.source import CONTAINERS, container_for_mime, media_input
from tests.fixtures.inotify import watch_reads
from tests.fixtures.media import SegmentFile, run

SRC = Path(__file__).resolve().parents[2] / "src" / "clippy"


def dash_manifest(target: Path) -> bytes:
    """A "segment": an XML comment putting ``ftyp`` at byte 4, then a DASH manifest whose
    BaseURL names ``target`` (what the attacker wants read)."""
    return (
        b"<!--ftypjp2 -->"
        b'<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        b'mediaPresentationDuration="PT10S" minBufferTime="PT1S" '
        b'profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period>'
        b'<AdaptationSet mimeType="video/webm"><Representation id="1" bandwidth="100000">'
        b"<BaseURL>" + str(target).encode() + b"</BaseURL>"
        b"</Representation></AdaptationSet></Period></MPD>\n"
    )


@pytest.fixture
def victim(tmp_path: Path, webm_segments: list[SegmentFile]) -> Path:
    """Another user's stored segment."""
    path = tmp_path / "other-user" / "00000000.webm"
    path.parent.mkdir()
    shutil.copy(webm_segments[0].path, path)
    return path


@pytest.mark.parametrize("mime", ["video/webm", "video/mp4", "video/x-matroska", "video/mp2t"])
def test_a_dash_manifest_segment_is_refused_without_reading_the_target(
    tmp_path: Path, victim: Path, mime: str
) -> None:
    evil = tmp_path / f"evil{container_for_mime(mime).suffix}"
    evil.write_bytes(dash_manifest(victim))
    with watch_reads(victim) as watch:
        with pytest.raises(InvalidMedia, match=r"not a media file|truncated|unexpected bytes"):
            validate_segment(evil, expected_duration=10.0, mime=mime)
        # The pipeline opens stored segments by their suffix: the same refusal.
        with pytest.raises(InvalidMedia):
            probe(evil)
        with pytest.raises(InvalidMedia):
            decode_audio(evil)
        assert watch.events() == 0
        # The watch does see reads: ffprobe left to guess opens the victim through DASH.
        subprocess.run(["ffprobe", "-v", "quiet", str(evil)], check=False, timeout=60)
        assert watch.events() > 0


def test_every_input_must_come_from_media_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"through clippy\.media\.source"):
        ffmpeg_command(["-i", "x.webm", "out.mp4"])
    with pytest.raises(ValueError, match=r"through clippy\.media\.source"):
        ffprobe_command(["-show_format", "-i", "x.webm"])
    with pytest.raises(InvalidMedia, match="not a local media file"):
        media_input("http://127.0.0.1/a.webm")
    with pytest.raises(InvalidMedia, match="no known media type"):
        media_input(tmp_path / "notes.xml")
    args = media_input(tmp_path / "a.webm").input_args()
    assert args[-2:] == ["-i", str(tmp_path / "a.webm")]
    assert args[:6] == [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        "matroska",
        "-f",
        "matroska",
    ]


def test_a_mime_outside_the_accepted_types_is_refused_by_name() -> None:
    with pytest.raises(InvalidMedia, match=r"'image/svg\+xml' is not accepted; send one of"):
        container_for_mime("image/svg+xml")
    assert container_for_mime("video/webm;codecs=vp8,opus").demuxer == "matroska"


def test_no_module_opens_media_around_the_helper() -> None:
    """Only media/source.py calls av.open; only media/ffmpeg.py starts ffmpeg itself."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(SRC).as_posix()
        if rel != "media/source.py" and re.search(r"\bav\.open\(", text):
            offenders.append(f"{rel}: av.open")
        if rel != "media/ffmpeg.py" and re.search(
            r"\bFF(MPEG|PROBE)\b|[\"']ff(mpeg|probe)[\"'],", text
        ):
            offenders.append(f"{rel}: ffmpeg binary")
    assert offenders == []


def _garbage(n: int) -> bytes:
    return random.Random(16).randbytes(n)


def test_trailing_bytes_after_a_webm_are_refused(webm_segments: list[SegmentFile]) -> None:
    data = webm_segments[0].path.read_bytes()
    webm = CONTAINERS["webm"]
    check_structure(data, webm)
    with pytest.raises(InvalidMedia, match=r"after the media|unexpected bytes"):
        check_structure(data + _garbage(1 << 20), webm)


def test_a_live_webm_of_unknown_size_is_walked_to_its_end(tmp_path: Path) -> None:
    # Written to a pipe, the muxer cannot seek back: the segment's size stays "unknown",
    # as in MediaRecorder's output.
    proc = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=15:d=2"),
            *("-f", "lavfi", "-i", "sine=d=2", "-c:v", "libvpx", "-deadline", "realtime"),
            *("-c:a", "libopus", "-f", "webm", "pipe:1"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    data = proc.stdout
    webm = CONTAINERS["webm"]
    check_structure(data, webm)
    for junk in (_garbage(1 << 20), b"\x1f\x43\xb6\x75" + _garbage(1000), b"\0" * 64):
        with pytest.raises(InvalidMedia):
            check_structure(data + junk, webm)
    path = tmp_path / "live.webm"
    path.write_bytes(data)
    assert validate_segment(path, mime="video/webm").has_audio


@pytest.mark.parametrize(("fmt", "mime"), [("mp4", "video/mp4"), ("mpegts", "video/mp2t")])
def test_mp4_and_mpegts_are_checked_to_their_last_byte(tmp_path: Path, fmt: str, mime: str) -> None:
    path = tmp_path / f"seg{container_for_mime(mime).suffix}"
    run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=15:d=2"),
            *("-f", "lavfi", "-i", "sine=d=2", "-c:v", "libx264", "-c:a", "aac"),
            *("-f", fmt, str(path)),
        ]
    )
    data = path.read_bytes()
    container = container_for_mime(mime)
    check_structure(data, container)
    assert validate_segment(path, expected_duration=2.0, mime=mime).has_video
    with pytest.raises(InvalidMedia):
        check_structure(data + _garbage(1 << 20), container)
    with pytest.raises(InvalidMedia):
        check_structure(data[: len(data) - 100], container)


def test_generated_inputs_and_concat_run_under_the_whitelists(tmp_path: Path) -> None:
    out = tmp_path / "black.ts"
    ffmpeg(
        [
            *media_input("color=black:size=64x64:rate=5", "lavfi").input_args(),
            *("-t", "1", "-c:v", "libx264", "-f", "mpegts", str(out)),
        ]
    )
    listing = tmp_path / "list.txt"
    listing.write_text(f"file '{out}'\nfile '{out}'\n")
    joined = tmp_path / "joined.mp4"
    ffmpeg(["-safe", "0", *media_input(listing, "concat").input_args(), "-c", "copy", str(joined)])
    assert probe(joined).duration == pytest.approx(2.0, abs=0.3)
    # A listing may not smuggle in another demuxer.
    listing.write_text(f"file '{tmp_path / 'x.m3u8'}'\n")
    (tmp_path / "x.m3u8").write_text(f"#EXTM3U\n#EXTINF:1,\n{out}\n#EXT-X-ENDLIST\n")
    with pytest.raises(Exception, match="failed"):
        ffmpeg(
            ["-safe", "0", *media_input(listing, "concat").input_args(), "-c", "copy", str(joined)]
        )
