"""The audio track of a cut, in this process with PyAV: the mezzanines' AAC packets copied,
and only the short stretches around joins (``audio_plan``) decoded and re-encoded.

A mezzanine's AAC sits in ADTS frames in MPEG-TS; MP4 wants them raw, so the 7-byte ADTS
header is dropped (the MP4 stream's own encoder writes the matching AudioSpecificConfig).
A mezzanine whose audio is not the layout ``audio_plan`` assumes (48 kHz stereo AAC-LC, one
frame per packet, packet ``k`` at ``k`` frames) gives ``None`` from ``read_aac``; the caller
then encodes the clip's audio the old way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import av.container
import numpy as np

from clippy.media.audio_plan import FRAME, AudioPlan, Copy, Encode, Span
from clippy.media.mezzanine import AAC_BIT_RATE, AAC_OPTIONS, AUDIO_RATE
from clippy.media.source import media_input

TIME_BASE = Fraction(1, AUDIO_RATE)
_ADTS_SAMPLE_RATE_48K = 3  # sampling_frequency_index of 48 kHz
_ADTS_LC = 1  # profile field: AAC-LC
_STEREO = 2
WARM_UP = 3  # frames fed to a stretch's encoder before its lead (2 measured enough)


class AacTrack:
    """One mezzanine's AAC packets: ADTS frames (to decode) and raw payloads (to copy)."""

    def __init__(self, adts: list[bytes]) -> None:
        self.adts = adts

    def __len__(self) -> int:
        return len(self.adts)

    def raw(self, k: int) -> bytes:
        # protection_absent=0 adds a 2-byte CRC to the 7-byte header (read_aac accepts both).
        return self.adts[k][7 if self.adts[k][1] & 1 else 9 :]

    def decode(self, span: Span) -> np.ndarray:
        """Samples ``span`` as planar float32 (2, length), silence where the audio ends."""
        first = max(0, span.start // FRAME)  # the pre-roll: its successor decodes span.start
        stop = min(len(self.adts), (span.stop - 1) // FRAME + 2)
        decoder = av.CodecContext.create("aac", "r")
        assert isinstance(decoder, av.AudioCodecContext)
        chunks = []
        for k in range(first, stop):
            for frame in decoder.decode(av.Packet(self.adts[k])):
                chunks.append(frame.to_ndarray())
        pcm = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
        # Packet k decodes samples from FRAME * (k - 1): the first block is the pre-roll.
        skip = span.start - FRAME * (first - 1)
        out = pcm[:, skip : skip + span.length]
        if out.shape[1] < span.length:
            out = np.pad(out, ((0, 0), (0, span.length - out.shape[1])))
        return out.astype(np.float32, copy=False)


def read_aac(path: Path) -> AacTrack | None:
    """The mezzanine's AAC packets, or ``None`` when they are not in the expected layout.
    (A cut reads them in its one pass over the file instead: ``splice.read_parts``.)"""
    with media_input(path).open_av() as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        if stream.time_base is None:
            return None
        packets = [p for p in container.demux(stream) if p.size > 0]
        return aac_track(stream.codec_context.name, stream.time_base, packets)


def aac_track(codec: str, time_base: Fraction, packets: Sequence[av.Packet]) -> AacTrack | None:
    """``packets`` of a mezzanine's audio stream (``codec``, ``time_base``) as an
    ``AacTrack``, or ``None`` when they are not one 48 kHz stereo AAC-LC frame each, packet
    ``k`` at ``k`` frames."""
    if codec != "aac" or not packets:
        return None
    frame_ticks = float(1 / time_base) * FRAME / AUDIO_RATE
    adts: list[bytes] = []
    for packet in packets:
        data = bytes(packet)
        if packet.pts is None or not _is_one_lc_frame(data):
            return None
        # Packet k must sit k frames in; the TS muxer jitters PES times by under 1 ms.
        if abs(packet.pts / frame_ticks - len(adts)) > 0.25:
            return None
        adts.append(data)
    return AacTrack(adts)


def _is_one_lc_frame(data: bytes) -> bool:
    """An ADTS header for one 48 kHz stereo AAC-LC frame spanning the whole packet."""
    if len(data) < 9 or data[0] != 0xFF or data[1] & 0xF6 != 0xF0:
        return False
    profile, rate = data[2] >> 6, (data[2] >> 2) & 0xF
    channels = ((data[2] & 1) << 2) | (data[3] >> 6)
    length = ((data[3] & 3) << 11) | (data[4] << 3) | (data[5] >> 5)
    blocks = data[6] & 3
    return (profile, rate, channels, length, blocks) == (
        _ADTS_LC,
        _ADTS_SAMPLE_RATE_48K,
        _STEREO,
        len(data),
        0,
    )


def add_aac_stream(output: av.container.OutputContainer) -> av.AudioStream:
    """An AAC stream on ``output`` for the copied packets: its encoder, opened when the file
    starts, only writes the AudioSpecificConfig (48 kHz stereo AAC-LC, the mezzanine's)."""
    stream = output.add_stream("aac", rate=AUDIO_RATE)
    stream.codec_context.layout = "stereo"
    stream.codec_context.bit_rate = AAC_BIT_RATE
    stream.time_base = TIME_BASE
    return stream


def splice_audio(
    plan: AudioPlan, tracks: Mapping[int, AacTrack], stream: av.AudioStream
) -> list[av.Packet]:
    """The clip's audio packets for ``plan`` on ``stream`` (``audio_payloads`` then
    ``timed_packets``)."""
    return timed_packets(audio_payloads(plan, tracks), plan.preroll, stream)


def audio_payloads(plan: AudioPlan, tracks: Mapping[int, AacTrack]) -> list[bytes]:
    """The clip's raw AAC frames for ``plan``, in order: copied, or re-encoded around joins.
    Touches no container, so it may run in a thread beside the video splice."""
    payloads: list[bytes] = []
    for step in plan.steps:
        if isinstance(step, Copy):
            payloads += [tracks[step.part].raw(k) for k in range(step.first, step.stop)]
        else:
            payloads += _encoded(step, tracks)
    return payloads


def timed_packets(
    payloads: Sequence[bytes], preroll: int, stream: av.AudioStream
) -> list[av.Packet]:
    """``payloads`` as packets on ``stream``, one frame apart, timed so the clip starts at 0:
    the ``preroll`` before it gets negative times, which the MP4 muxer trims by an edit
    list."""
    out = []
    for n, payload in enumerate(payloads):
        packet = av.Packet(payload)
        packet.pts = packet.dts = FRAME * n - preroll
        packet.time_base, packet.duration = TIME_BASE, FRAME
        packet.stream = stream
        out.append(packet)
    return out


def _encoded(step: Encode, tracks: Mapping[int, AacTrack]) -> list[bytes]:
    """The stretch's packets: the encoder's priming one only when there is no lead."""
    content = [tracks[s.part].decode(s) for s in step.content]
    middle = _resample(
        np.concatenate(content, axis=1) if content else np.zeros((2, 0), np.float32),
        FRAME * step.blocks,
    )
    # A fresh encoder takes the jump from its silent priming to the signal for an attack and
    # shapes its first frames' windows for it; then the lead's overlap with the copied packet
    # before does not cancel (measured: half the amplitude lost for a frame). Fed the
    # WARM_UP frames before the lead first, it windows the lead as the mezzanine did.
    warm = min(WARM_UP, step.lead.start // FRAME) if step.lead else 0
    pcm = np.concatenate(
        [
            *(
                [
                    tracks[step.lead.part].decode(
                        replace(step.lead, start=step.lead.start - FRAME * warm)
                    )
                ]
                if step.lead
                else []
            ),
            middle,
            *([tracks[step.tail.part].decode(step.tail)] if step.tail else []),
        ],
        axis=1,
    )
    encoder = _encoder()
    packets: list[av.Packet] = []
    for k in range(0, pcm.shape[1], FRAME):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[:, k : k + FRAME]), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, k, TIME_BASE
        packets += encoder.encode(frame)
    packets += encoder.encode(None)
    # Packet p decodes the input from sample p (the first, at -FRAME, is the priming).
    lo = FRAME * warm if step.lead else -FRAME
    wanted = sorted((p for p in packets if p.pts is not None), key=lambda p: p.pts or 0)
    hi = lo + FRAME * step.packets
    chosen = [bytes(p) for p in wanted if lo <= (p.pts or 0) < hi]
    if len(chosen) != step.packets:
        raise av.FFmpegError(0, f"AAC encoder gave {len(chosen)} of {step.packets} packets")
    return chosen


def _encoder() -> av.AudioCodecContext:
    encoder = av.CodecContext.create("aac", "w")
    assert isinstance(encoder, av.AudioCodecContext)
    encoder.sample_rate = AUDIO_RATE
    encoder.layout = "stereo"
    encoder.format = "fltp"
    encoder.bit_rate = AAC_BIT_RATE
    encoder.time_base = TIME_BASE
    encoder.options = dict(AAC_OPTIONS)
    return encoder


def _resample(pcm: np.ndarray, length: int) -> np.ndarray:
    """``pcm`` (2, n) stretched to ``length`` samples (cubic interpolation). The change is
    under a frame in dozens, so the pitch moves by a fraction of a percent."""
    n = pcm.shape[1]
    if n == length or n < 4 or length == 0:
        out = pcm[:, :length]
        return out if out.shape[1] == length else np.pad(out, ((0, 0), (0, length - n)))
    x = np.arange(length) * (n / length)
    i = np.floor(x).astype(np.int64)
    t = (x - i).astype(np.float32)
    padded = np.pad(pcm, ((0, 0), (1, 2)), mode="edge")
    p0, p1, p2, p3 = (padded[:, i + d] for d in range(4))
    # Catmull-Rom: passes through the samples, continuous slope.
    return (
        p1
        + 0.5 * t * (p2 - p0)
        + t * t * (p0 - 2.5 * p1 + 2 * p2 - 0.5 * p3)
        + t * t * t * (1.5 * (p1 - p2) + 0.5 * (p3 - p0))
    ).astype(np.float32)
