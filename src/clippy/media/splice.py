"""The video track of a cut, spliced in this process with PyAV: no ffmpeg process per piece.

Whole GOPs of a mezzanine are copied packet for packet; the partial GOPs at a range's edges
are decoded from their keyframe and re-encoded with the mezzanine's own x264 settings, so the
copied and encoded packets form one H.264 stream (every piece starts with a keyframe that
carries its parameter sets in-band). Mezzanine frame ``n`` sits at ``n / MEZZANINE_FPS`` s
with no B-frames (see ``mezzanine``), so packets are picked by their frame number alone: no
seeking, which in MPEG-TS is a timestamp bisection that can land mid-GOP.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import av
import av.container
from av.video.frame import PictureType

from clippy.errors import MediaError
from clippy.media.mezzanine import MEZZANINE_FPS, X264_OPTIONS
from clippy.media.source import media_input

TIME_BASE = Fraction(1, 90_000)  # MPEG-TS's clock: holds 30 fps frame times exactly
FRAME_TICKS = int(1 / (TIME_BASE * MEZZANINE_FPS))
# A mezzanine's streams are known (H.264 with in-band parameter sets, AAC in ADTS) and frames
# are found by their timestamps, so opening it need not decode ahead to guess durations or
# the frame rate: measured 5 ms instead of 15 ms per part, same stream parameters.
_QUICK_PROBE = {"analyzeduration": "0", "fpsprobesize": "0"}


class AudioPackets(NamedTuple):
    """A part's audio packets as read beside its video: codec name, time base, packets."""

    codec: str
    time_base: Fraction
    packets: list[av.Packet]


class SpliceError(MediaError, RuntimeError):
    """A mezzanine part could not be read or re-encoded (the message names it)."""


class PartReader:
    """One mezzanine file opened for reading: its video stream and packets by frame number,
    and (for the cut's audio) its first audio stream's packets, read in the same pass."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        try:
            self.container = stack.enter_context(media_input(path).open_av(_QUICK_PROBE))
            self.stream = self.container.streams.video[0]
            audio = self.container.streams.audio[:1]
            self.packets: dict[int, av.Packet] = {}
            audio_packets: list[av.Packet] = []
            video_index, ticks = self.stream.index, _ticks_per_frame(self.stream)
            for p in self.container.demux(self.stream, *audio):
                if p.pts is None or p.size == 0:
                    continue
                if p.stream_index == video_index:
                    self.packets[round(p.pts / ticks)] = p
                else:
                    audio_packets.append(p)
        except (av.FFmpegError, IndexError) as exc:
            raise SpliceError(f"cannot read the video of {path.name}: {exc}") from None
        self.path = path
        # Copied out now: stream objects must not be used once the container is closed.
        self.audio = (
            AudioPackets(audio[0].codec_context.name, audio[0].time_base, audio_packets)
            if audio and audio[0].time_base is not None
            else None
        )

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


def _ticks_per_frame(stream: av.VideoStream) -> float:
    # Plain float division per packet: Fraction arithmetic on every packet of four parts
    # measured 30 ms of a 0.45 s cut.
    assert stream.time_base is not None
    return float(1 / (stream.time_base * MEZZANINE_FPS))


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


def read_parts(paths: Iterable[Path], stack: ExitStack) -> dict[Path, PartReader]:
    """Each mezzanine in ``paths`` opened (closed with ``stack``) and its packets read."""
    parts: dict[Path, PartReader] = {}
    for path in paths:
        if path not in parts:
            parts[path] = PartReader(path, stack)
    return parts


def splice_video(
    pieces: Sequence[tuple[Path, int, int, bool]],
    output: av.container.OutputContainer,
    parts: Mapping[Path, PartReader] | None = None,
) -> tuple[av.VideoStream, list[av.Packet]]:
    """A video stream added to ``output`` and its packets for ``pieces`` = (mezzanine, first
    frame, stop frame, copy), timed from 0 on ``TIME_BASE`` one frame apart, in output order.

    ``parts`` are the mezzanines already read (``read_parts``); without it they are read here.
    A piece that asks past a part's last frame gets the frames there are (a part's declared
    duration can exceed its real one by a frame). Raises ``SpliceError`` for an unreadable
    part or an encoder failure.
    """
    if not pieces:
        raise SpliceError("no pieces to splice")
    with ExitStack() as stack:
        if parts is None:
            parts = read_parts((path for path, *_ in pieces), stack)
        stream = output.add_stream_from_template(parts[pieces[0][0]].stream)
        stream.time_base = TIME_BASE
        # The edges' decode and x264 encode run outside the GIL: both edges at once use both
        # cores (measured on 720p: the two edges are most of a cut's CPU).
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [
                pool.submit(_piece_packets, parts[path], first, stop, copy)
                for path, first, stop, copy in pieces
            ]
            results = [job.result() for job in jobs]
        # Renumbered only once every edge is decoded (a decode reads its part's packets), and
        # a packet that two overlapping ranges both copy goes out twice as two packets.
        out: list[av.Packet] = []
        seen: set[int] = set()
        for packets in results:
            for packet in packets:
                if id(packet) in seen:
                    packet = _copy_packet(packet)
                seen.add(id(packet))
                ticks = len(out) * FRAME_TICKS
                packet.pts = packet.dts = ticks
                packet.time_base, packet.duration = TIME_BASE, FRAME_TICKS
                packet.stream = stream
                out.append(packet)
    return stream, out


def _copy_packet(packet: av.Packet) -> av.Packet:
    copy = av.Packet(bytes(packet))
    copy.is_keyframe = packet.is_keyframe
    return copy


def _piece_packets(part: PartReader, first: int, stop: int, copy: bool) -> list[av.Packet]:
    try:
        return part.copied(first, stop) if copy else _reencoded(part.decoded(first, stop))
    except av.FFmpegError as exc:
        raise SpliceError(f"cannot re-encode frames of {part.path.name}: {exc}") from None
