"""The archive's HLS playlist and the player-time map (pure)."""

from __future__ import annotations

from clippy.archive.hls import hls_playlist, player_map
from clippy.archive.timeline import SegmentSpan


def test_playlist_lists_every_segment_with_discontinuities() -> None:
    spans = [SegmentSpan(3, 30.0, 10.0), SegmentSpan(4, 40.0, 10.0), SegmentSpan(6, 70.0, 9.5)]
    text = hls_playlist(spans, lambda seq: f"hls/{seq}.ts")
    lines = text.splitlines()
    assert lines[:5] == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:10",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    assert [ln for ln in lines if ln.endswith(".ts")] == ["hls/3.ts", "hls/4.ts", "hls/6.ts"]
    assert lines.count("#EXT-X-DISCONTINUITY") == 2
    assert "#EXTINF:9.500," in lines and lines[-1] == "#EXT-X-ENDLIST"
    live = hls_playlist(spans, str, ended=False)
    assert "#EXT-X-ENDLIST" not in live and "#EXT-X-PLAYLIST-TYPE:EVENT" in live
    assert "#EXT-X-ENDLIST" in hls_playlist([], str)


def test_player_map_starts_a_run_after_each_gap() -> None:
    spans = [SegmentSpan(0, 0.0, 10.0), SegmentSpan(1, 10.0, 10.0), SegmentSpan(5, 50.0, 10.0)]
    assert player_map(spans) == [[0.0, 0.0], [50.0, 20.0]]
    assert player_map([]) == []
