"""The archive as one HLS playlist of its stored mezzanine segments (pure: returns text).

Each mezzanine is an MPEG-TS file whose timestamps start at 0 (``clippy.media.mezzanine``),
so every segment after the first is marked as a discontinuity: the player (hls.js) then
lines each one up after the previous instead of jumping back to 0. Player time is therefore
the sum of the segments' durations; ``player_map`` gives the page what it needs to turn
player time into stream time across recording gaps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from clippy.archive.timeline import SegmentSpan

__all__ = ["hls_playlist", "player_map"]


def hls_playlist(
    spans: Sequence[SegmentSpan], segment_url: Callable[[int], str], *, ended: bool = True
) -> str:
    """An HLS (version 3) media playlist of ``spans`` in order; ``ended`` closes it (VOD)."""
    target = max((math.ceil(s.duration) for s in spans), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{max(1, target)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:" + ("VOD" if ended else "EVENT"),
    ]
    for k, span in enumerate(spans):
        if k:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXTINF:{span.duration:.3f},")
        lines.append(segment_url(span.seq))
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def player_map(spans: Sequence[SegmentSpan]) -> list[list[float]]:
    """``[[stream start, player start], ...]`` of each run of contiguous segments: a
    recording gap starts a new run (the playlist plays straight across it)."""
    runs: list[list[float]] = []
    player = 0.0
    prev_end: float | None = None
    for span in spans:
        if prev_end is None or abs(span.start - prev_end) > 0.5:
            runs.append([round(span.start, 3), round(player, 3)])
        player += span.duration
        prev_end = span.end
    return runs
