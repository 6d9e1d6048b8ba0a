"""Transcode a received segment into the H.264/AAC mezzanine that clips are cut from.

One keyframe every second at a constant 30 fps, timestamps from exactly 0, means a cut only
ever re-encodes under a second at each edge and stream-copies the rest (see ``cut``).
MPEG-TS is the container: it carries the codec parameters in-band before every keyframe, so
pieces of different files (and the cut's re-encoded edges) concatenate and stream-copy
cleanly, and its 90 kHz clock holds 30 fps frame times exactly (Matroska's 1 ms clock does
not).

AAC's encoder emits 1024 samples of priming ahead of the audio. Left alone, the muxer shifts
*every* stream by that 21.3 ms to keep timestamps non-negative, which breaks the whole-second
keyframe grid (measured: copied pieces then lose frames). So the audio is fed to the encoder
``AUDIO_OFFSET`` late: video stays at 0 and the audio of stream time ``t`` sits at
``t + AUDIO_OFFSET`` in the file; readers of mezzanine audio skip that much.
"""

from __future__ import annotations

from pathlib import Path

from clippy.media.ffmpeg import ffmpeg
from clippy.media.probe import MediaInfo, probe
from clippy.media.source import MediaSource, generated, media_input

MEZZANINE_SUFFIX = ".ts"
MEZZANINE_FPS = 30
GOP_SECONDS = 1.0
MAX_HEIGHT = 1080
AUDIO_RATE = 48_000
AAC_PRIMING_SAMPLES = 1024
AUDIO_OFFSET = AAC_PRIMING_SAMPLES / AUDIO_RATE
MEZZANINE_CONTENT_TYPE = "video/mp2t"

# x264 settings shared by the mezzanine and by the edge re-encodes of a cut (run in process
# by ``edges``): the pieces must match. One keyframe a second, no B-frames.
X264_OPTIONS = {
    "preset": "superfast",
    "crf": "21",
    "profile": "high",
    "g": str(int(MEZZANINE_FPS * GOP_SECONDS)),
    "keyint_min": str(int(MEZZANINE_FPS * GOP_SECONDS)),
    "sc_threshold": "0",
    "bf": "0",
}
VIDEO_CODEC_ARGS = [
    *("-c:v", "libx264", "-pix_fmt", "yuv420p"),
    *(arg for key, value in X264_OPTIONS.items() for arg in (f"-{key}:v", value)),
    *("-fps_mode", "cfr", "-r", str(MEZZANINE_FPS)),
]
# The "fast" coder costs half of the default "twoloop" (measured 0.27 vs 0.51 CPU-s for 30 s
# of stereo noise): the clip's audio encode is the longest job of a cut. 160k makes up for it.
# Shared with the cut's in-process re-encodes around joins (``audio_splice``).
AAC_OPTIONS = {"aac_coder": "fast"}
AAC_BIT_RATE = 160_000
AUDIO_CODEC_ARGS = [
    *("-c:a", "aac", *(arg for key, value in AAC_OPTIONS.items() for arg in (f"-{key}", value))),
    *("-b:a", str(AAC_BIT_RATE), "-ar", str(AUDIO_RATE), "-ac", "2"),
]


def _video_filter(duration: float) -> str:
    # Even dimensions for yuv420p; never upscale; cap the height to bound CPU per segment.
    # Timestamps restart at exactly 0 so frame n sits at n/30 s and keyframes at whole seconds:
    # the cutter relies on that grid instead of probing every part.
    return (
        f"setpts=PTS-STARTPTS,trim=duration={duration:.6f},"
        f"scale=-2:'min({MAX_HEIGHT},ih)':flags=bicubic,setsar=1"
    )


def _audio_filter(duration: float) -> str:
    return (
        f"aresample={AUDIO_RATE},asetpts=PTS-STARTPTS,atrim=duration={duration:.6f},"
        f"asetpts=PTS+{AAC_PRIMING_SAMPLES}"
    )


def _generated(source: str, duration: float) -> list[str]:
    """Input arguments for ``duration`` seconds of an ffmpeg lavfi ``source``."""
    return ["-t", f"{duration:.6f}", *generated(source).input_args()]


def mezzanine_args(src: Path | MediaSource, dst: Path, info: MediaInfo) -> list[str]:
    """The ffmpeg arguments that transcode ``src`` (described by ``info``) to ``dst``."""
    source = media_input(src).input_args()
    duration = max(info.duration, 1 / MEZZANINE_FPS)
    inputs: list[str] = []
    if info.has_video:
        inputs += source
        video = "0:v:0"
    else:
        # An audio-only segment still needs pictures for the clip: black frames.
        inputs += _generated(f"color=black:size=640x360:rate={MEZZANINE_FPS}", duration)
        video = "0:v:0"
    if info.has_audio:
        if not info.has_video:
            inputs += source
        audio = f"{1 if not info.has_video else 0}:a:0"
    else:
        # Silence keeps every mezzanine shaped alike, so the cutter never special-cases.
        inputs += _generated(f"anullsrc=r={AUDIO_RATE}:cl=stereo", duration)
        audio = "1:a:0"
    return [
        *inputs,
        "-filter_complex",
        f"[{video}]{_video_filter(duration)}[v];[{audio}]{_audio_filter(duration)}[a]",
        "-map",
        "[v]",
        "-map",
        "[a]",
        *VIDEO_CODEC_ARGS,
        *AUDIO_CODEC_ARGS,
        "-muxdelay",
        "0",
        "-muxpreload",
        "0",
        "-f",
        "mpegts",
        str(dst),
    ]


def transcode_to_mezzanine(
    src: Path | MediaSource, dst: Path, info: MediaInfo | None = None
) -> MediaInfo:
    """Write ``src`` as an H.264/AAC MPEG-TS mezzanine at ``dst`` and return its probe.

    Sources without video get black frames, without audio silence; ``info`` (from
    ``validate_segment``) saves probing ``src`` again. Raises ``FFmpegError`` on failure.
    """
    info = info or probe(src)
    ffmpeg(mezzanine_args(src, dst, info), what="mezzanine transcode")
    return probe(dst)
