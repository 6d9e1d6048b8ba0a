"""Transcode a received segment's video into the H.264 mezzanine that clips are cut from.

One keyframe every second at a constant 30 fps, timestamps from exactly 0, means a cut only
ever re-encodes under a second at each edge and stream-copies the rest (see ``cut``).
MPEG-TS carries the codec parameters in-band and concatenates cleanly.

The mezzanine is video only: muxing AAC in makes the muxer shift every timestamp by the
encoder's 1024-sample priming (21.3 ms), which breaks the whole-second keyframe grid and
made copied pieces lose frames (measured). Clip audio is taken from the original segment.
"""

from __future__ import annotations

from pathlib import Path

from clippy.media.ffmpeg import ffmpeg
from clippy.media.probe import MediaInfo, probe

MEZZANINE_SUFFIX = ".ts"
MEZZANINE_FPS = 30
GOP_SECONDS = 1.0
MAX_HEIGHT = 1080
AUDIO_RATE = 48_000

# Shared by the mezzanine and by the edge re-encodes of a cut: the pieces must match.
VIDEO_CODEC_ARGS = [
    "-c:v",
    "libx264",
    "-preset",
    "superfast",
    "-crf",
    "21",
    "-profile:v",
    "high",
    "-pix_fmt",
    "yuv420p",
    "-g",
    str(int(MEZZANINE_FPS * GOP_SECONDS)),
    "-keyint_min",
    str(int(MEZZANINE_FPS * GOP_SECONDS)),
    "-sc_threshold",
    "0",
    "-bf",
    "0",
    "-fps_mode",
    "cfr",
    "-r",
    str(MEZZANINE_FPS),
]
AUDIO_CODEC_ARGS = ["-c:a", "aac", "-b:a", "128k", "-ar", str(AUDIO_RATE), "-ac", "2"]


def _scale_filter(info: MediaInfo) -> str:
    # Even dimensions for yuv420p; never upscale; cap the height to bound CPU per segment.
    # Timestamps restart at exactly 0 so frame n sits at n/30 s and keyframes at whole seconds:
    # the cutter relies on that grid instead of probing every part.
    return f"setpts=PTS-STARTPTS,scale=-2:'min({MAX_HEIGHT},ih)':flags=bicubic,setsar=1"


def transcode_to_mezzanine(src: Path, dst: Path, info: MediaInfo | None = None) -> MediaInfo:
    """Write ``src``'s video as H.264 MPEG-TS at ``dst`` (black frames if it has none)."""
    info = info or probe(src)
    if info.has_video:
        args = ["-i", str(src), "-map", "0:v:0", "-vf", _scale_filter(info)]
    else:
        args = ["-f", "lavfi", "-i", f"color=black:size=640x360:rate={MEZZANINE_FPS}"]
    ffmpeg(
        [
            *args,
            "-an",
            *VIDEO_CODEC_ARGS,
            "-t",
            f"{max(info.duration, 1 / MEZZANINE_FPS):.3f}",
            "-muxdelay",
            "0",
            "-muxpreload",
            "0",
            "-f",
            "mpegts",
            str(dst),
        ],
        what="mezzanine transcode",
    )
    return probe(dst)
