"""HLS playlists as plain data (pure: text in, dataclasses out; no I/O).

Only what a recorder needs: a multivariant playlist's variants (to pick the best), a media
playlist's segments with their media sequence numbers, discontinuities and whether the
playlist has ended (``#EXT-X-ENDLIST``). Encrypted playlists are refused, not half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from clippy.errors import InvalidInput

__all__ = [
    "HlsError",
    "MediaPlaylist",
    "MediaSegment",
    "Variant",
    "best_variant",
    "parse_playlist",
]


class HlsError(InvalidInput):
    """The text is not an HLS playlist this recorder can follow."""


@dataclass(frozen=True)
class MediaSegment:
    """One media segment: its media sequence number, length (s) and absolute URL."""

    seq: int
    duration: float
    url: str
    discontinuity: bool = False  # timestamps restart here (an ad break, a source restart)


@dataclass(frozen=True)
class MediaPlaylist:
    """A media playlist: its segments in order and whether more will come."""

    target_duration: float
    segments: tuple[MediaSegment, ...]
    ended: bool


@dataclass(frozen=True)
class Variant:
    """One rendition of a multivariant playlist."""

    url: str
    bandwidth: int
    height: int


_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def _attributes(text: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in _ATTR.findall(text)}


def parse_playlist(text: str, base_url: str) -> MediaPlaylist | list[Variant]:
    """Parse ``text`` fetched from ``base_url``: a media playlist, or the variants of a
    multivariant one. Raises ``HlsError`` for anything else."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise HlsError("not an HLS playlist (it does not start with #EXTM3U)")
    if any(ln.startswith("#EXT-X-STREAM-INF") for ln in lines):
        return _variants(lines, base_url)
    return _media(lines, base_url)


def _variants(lines: list[str], base_url: str) -> list[Variant]:
    out: list[Variant] = []
    pending: dict[str, str] | None = None
    for ln in lines:
        if ln.startswith("#EXT-X-STREAM-INF:"):
            pending = _attributes(ln.split(":", 1)[1])
        elif pending is not None and not ln.startswith("#"):
            res = pending.get("RESOLUTION", "0x0").lower().split("x")
            height = int(res[1]) if len(res) == 2 and res[1].isdigit() else 0
            bandwidth = pending.get("BANDWIDTH", "0")
            out.append(
                Variant(urljoin(base_url, ln), int(bandwidth) if bandwidth.isdigit() else 0, height)
            )
            pending = None
    if not out:
        raise HlsError("the multivariant playlist names no variant")
    return out


def _media(lines: list[str], base_url: str) -> MediaPlaylist:
    seq = 0
    target = 0.0
    ended = False
    duration: float | None = None
    discontinuity = False
    segments: list[MediaSegment] = []
    for ln in lines[1:]:
        if ln.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq = int(ln.split(":", 1)[1])
        elif ln.startswith("#EXT-X-TARGETDURATION:"):
            target = float(ln.split(":", 1)[1])
        elif ln.startswith("#EXT-X-KEY:") and "METHOD=NONE" not in ln:
            raise HlsError("the stream is encrypted (EXT-X-KEY); it cannot be recorded")
        elif ln.startswith("#EXT-X-BYTERANGE"):
            raise HlsError("byte-range HLS segments are not supported")
        elif ln.startswith("#EXTINF:"):
            duration = float(ln.split(":", 1)[1].split(",", 1)[0])
        elif ln == "#EXT-X-DISCONTINUITY":
            discontinuity = True
        elif ln == "#EXT-X-ENDLIST":
            ended = True
        elif not ln.startswith("#"):
            if duration is None:
                raise HlsError(f"segment {ln!r} has no #EXTINF duration")
            segments.append(MediaSegment(seq, duration, urljoin(base_url, ln), discontinuity))
            seq += 1
            duration = None
            discontinuity = False
    if target <= 0:
        target = max((s.duration for s in segments), default=2.0)
    return MediaPlaylist(target, tuple(segments), ended)


def best_variant(variants: list[Variant]) -> Variant:
    """The tallest rendition, the richest among equals (what a viewer would pick)."""
    return max(variants, key=lambda v: (v.height, v.bandwidth))
