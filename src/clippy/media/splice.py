"""The video track of a cut, spliced in this process with PyAV: no ffmpeg process per piece.

Whole GOPs of a mezzanine are copied packet for packet; the partial GOPs at a range's edges
are decoded from their keyframe and re-encoded with the mezzanine's own x264 settings, so the
copied and encoded packets form one H.264 stream (every piece starts with a keyframe that
carries its parameter sets in-band). Mezzanine frame ``n`` sits at ``n / MEZZANINE_FPS`` s
with no B-frames (see ``mezzanine``), so packets are picked by their frame number alone: no
seeking, which in MPEG-TS is a timestamp bisection that can land mid-GOP.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from fractions import Fraction
from pathlib import Path

import av
import av.container
from av.video.frame import PictureType

from clippy.errors import MediaError
from clippy.media.mezzanine import MEZZANINE_FPS, X264_OPTIONS
from clippy.media.source import media_input

TIME_BASE = Fraction(1, 90_000)  # MPEG-TS's clock: holds 30 fps frame times exactly
FRAME_TICKS = int(1 / (TIME_BASE * MEZZANINE_FPS))


class SpliceError(MediaError, RuntimeError):
    """A mezzanine part could not be read or re-encoded (the message names it)."""


class _Part:
    """One mezzanine file opened for reading: its video stream and packets by frame number."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        try:
            self.container = stack.enter_context(media_input(path).open_av())
            self.stream = self.container.streams.video[0]
            self.packets = {
                _frame_number(p): p
                for p in self.container.demux(self.stream)
                if p.pts is not None and p.size > 0
            }
        except (av.FFmpegError, IndexError) as exc:
            raise SpliceError(f"cannot read the video of {path.name}: {exc}") from None
        self.path = path

    def copied(self, first: int, stop: int) -> list[av.Packet]:
        """Packets of frames ``first`` (a keyframe) up to ``stop``, as they are."""
        return [self.packets[n] for n in range(first, stop) if n in self.packets]

    def decoded(self, first: int, stop: int) -> Iterator[av.VideoFrame]:
        """Frames ``first`` up to ``stop``, decoded from the keyframe at or before ``first``."""
        key = max((n for n, p in self.packets.items() if p.is_keyframe and n <= first), default=0)
        decoder = av.CodecContext.create(self.stream.codec_context.name, "r")
        assert isinstance(decoder, av.VideoCodecContext)
        decoder.extradata = self.stream.codec_context.extradata
        for n in range(key, stop):
            packet = self.packets.get(n)
            if packet is None:
                continue
            for frame in decoder.decode(packet):
                if first <= _frame_number(frame) < stop:
                    yield frame
        for frame in decoder.decode(None):
            if first <= _frame_number(frame) < stop:
                yield frame


def _frame_number(item: av.Packet | av.VideoFrame) -> int:
    assert item.pts is not None and item.time_base is not None
    return round(item.pts * item.time_base * MEZZANINE_FPS)


def _encoder(template: av.VideoFrame) -> av.VideoCodecContext:
    encoder = av.CodecContext.create("libx264", "w")
    assert isinstance(encoder, av.VideoCodecContext)
    encoder.width, encoder.height = template.width, template.height
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, MEZZANINE_FPS)
    encoder.framerate = Fraction(MEZZANINE_FPS)
    # No global header: parameter sets go in-band before the keyframe, like the mezzanine's.
    encoder.options = dict(X264_OPTIONS)
    return encoder


def _reencoded(frames: Iterator[av.VideoFrame]) -> list[av.Packet]:
    encoder: av.VideoCodecContext | None = None
    out: list[av.Packet] = []
    for k, frame in enumerate(frames):
        encoder = encoder or _encoder(frame)
        frame.pts, frame.time_base = k, Fraction(1, MEZZANINE_FPS)
        frame.pict_type = PictureType.NONE  # let x264 choose: the first is a keyframe
        out += encoder.encode(frame)
    if encoder is not None:
        out += encoder.encode(None)
    return out


def splice_video(
    pieces: Sequence[tuple[Path, int, int, bool]], output: av.container.OutputContainer
) -> tuple[av.VideoStream, list[av.Packet]]:
    """A video stream added to ``output`` and its packets for ``pieces`` = (mezzanine, first
    frame, stop frame, copy), timed from 0 on ``TIME_BASE`` one frame apart, in output order.

    A piece that asks past a part's last frame gets the frames there are (a part's declared
    duration can exceed its real one by a frame). Raises ``SpliceError`` for an unreadable
    part or an encoder failure.
    """
    out: list[av.Packet] = []
    stream: av.VideoStream | None = None
    with ExitStack() as stack:
        parts: dict[Path, _Part] = {}
        for path, first, stop, copy in pieces:
            part = parts.get(path) or parts.setdefault(path, _Part(path, stack))
            if stream is None:
                stream = output.add_stream_from_template(part.stream)
                stream.time_base = TIME_BASE
            try:
                packets = (
                    part.copied(first, stop) if copy else _reencoded(part.decoded(first, stop))
                )
            except av.FFmpegError as exc:
                raise SpliceError(f"cannot re-encode frames of {path.name}: {exc}") from None
            for packet in packets:
                ticks = len(out) * FRAME_TICKS
                packet.pts = packet.dts = ticks
                packet.time_base, packet.duration = TIME_BASE, FRAME_TICKS
                packet.stream = stream
                out.append(packet)
    if stream is None:
        raise SpliceError("no pieces to splice")
    return stream, out
