"""Clips of an operator's recording (``clippy process``) by stream copy from a keyframe.

Re-encoding a 30 s 360p clip costs about 4.8 CPU s (x264 veryfast, measured), which on a
60-minute stream with some 60 clips is more than recognising all of its speech. A recording
from a streaming setup has a keyframe every 2 s (Twitch requires it), so moving a clip's start
back to the keyframe just before it, by at most ``max_lead`` seconds, lets every packet be
copied as it is: the clip then starts that much earlier and nothing is lost. Where no keyframe
is close enough, or the codecs do not fit an MP4, the caller re-encodes (``cut.encode_range``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

import av

from clippy.media.ffmpeg import ffmpeg
from clippy.media.probe import probe
from clippy.media.source import InvalidMedia, MediaSource, media_input

# Codecs an MP4 holds as they are (what players take from an .mp4); others are re-encoded.
COPYABLE_VIDEO = frozenset({"h264", "hevc", "av1"})
COPYABLE_AUDIO = frozenset({"aac", "mp3", "opus"})
_EPS = 1e-3


def keyframe_times(src: MediaSource) -> list[float]:
    """Seconds (from the start of the file, as ``-ss`` counts) of the video's keyframes, in
    order; empty when there is no video. Reads packets only, nothing is decoded."""
    try:
        with src.open_av() as container:
            if not container.streams.video:
                return []
            stream = container.streams.video[0]
            origin = (container.start_time or 0) / av.time_base
            times = [
                float(p.pts * p.time_base) - origin
                for p in container.demux(stream)
                if p.is_keyframe and p.pts is not None and p.time_base is not None
            ]
    except (av.FFmpegError, OSError) as exc:
        raise InvalidMedia(f"cannot read the video packets of {src.location}: {exc}") from None
    return sorted(times)


def snap_start(keyframes: Sequence[float], start: float, max_lead: float) -> float | None:
    """The last keyframe at or before ``start`` if it is at most ``max_lead`` s earlier, else
    ``None`` (``keyframes`` sorted)."""
    i = bisect.bisect_right(keyframes, start + _EPS)
    if i == 0:
        return None
    k = keyframes[i - 1]
    return k if start - k <= max_lead + _EPS else None


def copyable(video_codec: str | None, audio_codec: str | None) -> bool:
    """Whether a recording with these codecs can be clipped into an MP4 by stream copy."""
    return (video_codec is None or video_codec in COPYABLE_VIDEO) and (
        audio_codec is None or audio_codec in COPYABLE_AUDIO
    )


def copy_range(src: MediaSource, start: float, end: float, out: Path) -> float:
    """Copy ``[start, end)`` of ``src`` into a faststart MP4, packets as they are; ``start``
    must be a keyframe (see ``snap_start``). Returns the clip's duration (its video's, when
    it has video: ffmpeg copies up to the frame that ends at or after ``end``, and the B-frames
    it must keep can add a frame or two)."""
    ffmpeg(
        [
            *src.range_args(start, end),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(out),
        ],
        what="clip copy",
    )
    return _duration(out)


def _duration(clip: Path) -> float:
    try:
        with media_input(clip).open_av() as container:
            streams = container.streams.video or container.streams.audio
            s = streams[0]
            if s.duration is not None and s.time_base is not None:
                return float(s.duration * s.time_base)
    except (av.FFmpegError, IndexError):
        pass
    return probe(clip).duration
