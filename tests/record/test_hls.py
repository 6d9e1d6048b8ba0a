"""HLS playlists and the joining of pieces into segments (pure)."""

from __future__ import annotations

import pytest

from clippy.record import Grouper, HlsError, MediaPlaylist, Variant, parse_playlist
from tests.fixtures.hls_server import live_playlist

BASE = "http://127.0.0.1:9/live/index.m3u8"


def test_media_playlist_numbers_segments_from_the_media_sequence() -> None:
    text = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:41\n"
        "#EXTINF:2.000,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.5,\n/abs/b.ts\n"
    )
    pl = parse_playlist(text, BASE)
    assert isinstance(pl, MediaPlaylist)
    assert [(s.seq, s.duration, s.url, s.discontinuity) for s in pl.segments] == [
        (41, 2.0, "http://127.0.0.1:9/live/a.ts", False),
        (42, 1.5, "http://127.0.0.1:9/abs/b.ts", True),
    ]
    assert pl.target_duration == 2.0 and not pl.ended
    assert parse_playlist(text + "#EXT-X-ENDLIST\n", BASE).ended  # type: ignore[union-attr]


def test_the_tallest_variant_is_chosen_from_a_multivariant_playlist() -> None:
    from clippy.record.hls import best_variant

    text = (
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow/index.m3u8\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,CODECS="avc1,mp4a"\n'
        "hi/index.m3u8\n"
    )
    variants = parse_playlist(text, BASE)
    assert isinstance(variants, list)
    assert best_variant(variants) == Variant("http://127.0.0.1:9/live/hi/index.m3u8", 5000000, 1080)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<html>", "not an HLS playlist"),
        ('#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:2,\na.ts\n', "encrypted"),
        ("#EXTM3U\na.ts\n", "no #EXTINF"),
    ],
)
def test_unusable_playlists_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(HlsError, match=reason):
        parse_playlist(text, BASE)


def test_pieces_join_into_ten_second_segments_and_split_at_discontinuities() -> None:
    g = Grouper(10.0)
    out = []
    for i in range(7):
        out += g.add(bytes([i]), 2.0, discontinuity=i == 6)
    # 5 x 2 s make one segment; the sixth piece waits; the seventh starts anew.
    assert out == [(bytes([0, 1, 2, 3, 4]), 10.0), (bytes([5]), 2.0)]
    assert g.pending == 2.0
    assert g.flush() == [(bytes([6]), 2.0)] and g.flush() == []


def test_the_test_source_grows_in_real_time_and_ends() -> None:
    segs = [(2.0, f"s{i}.ts") for i in range(10)]
    early = parse_playlist(live_playlist(segs, 5.0), BASE)
    assert isinstance(early, MediaPlaylist)
    assert [s.seq for s in early.segments] == [0, 1] and not early.ended
    late = parse_playlist(live_playlist(segs, 100.0), BASE)
    assert isinstance(late, MediaPlaylist)
    assert [s.seq for s in late.segments] == [4, 5, 6, 7, 8, 9] and late.ended
