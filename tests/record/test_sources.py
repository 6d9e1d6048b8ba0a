"""What a recording URL names, and chat replays as yt-dlp writes them (pure)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.record import (
    UnsupportedSource,
    chat_url_for,
    check_record_url,
    is_hls_url,
    read_live_chat,
    twitch_channel,
)


def test_twitch_channels_get_their_chat_and_other_urls_none() -> None:
    assert twitch_channel("https://www.twitch.tv/Some_Streamer/") == "some_streamer"
    assert twitch_channel("https://twitch.tv/videos/123") == "videos"
    assert twitch_channel("https://www.youtube.com/@x/live") is None
    irc = "irc://irc.chat.twitch.tv:6667"
    assert chat_url_for("https://twitch.tv/abc", irc) == f"{irc}/#abc"
    assert chat_url_for("http://127.0.0.1:8/live.m3u8", irc) == ""


@pytest.mark.parametrize(
    ("url", "hls"),
    [
        ("http://h/live.m3u8", True),
        ("https://h/a/index.M3U8?token=1", True),
        ("hls://h/stream", True),
        ("https://www.twitch.tv/abc", False),
    ],
)
def test_playlists_are_told_from_channel_pages(url: str, hls: bool) -> None:
    assert is_hls_url(check_record_url(url)) is hls


@pytest.mark.parametrize("url", ["ftp://h/x", "file:///etc/passwd", "javascript:alert(1)", "h"])
def test_only_http_links_are_recorded(url: str) -> None:
    with pytest.raises(UnsupportedSource, match="http"):
        check_record_url(url)


def test_youtube_live_chat_replay_lines_become_chat_lines() -> None:
    def action(ms: str, author: str, *runs: dict[str, object]) -> str:
        item = {
            "liveChatTextMessageRenderer": {
                "message": {"runs": list(runs)},
                "authorName": {"simpleText": author},
            }
        }
        return json.dumps(
            {
                "replayChatItemAction": {
                    "actions": [{"addChatItemAction": {"item": item}}],
                    "videoOffsetTimeMsec": ms,
                }
            }
        )

    text = "\n".join(
        [
            action("1500", "ann", {"text": "hello "}, {"emoji": {"shortcuts": [":wave:"]}}),
            action("2500", "bob", {"text": "   "}),  # nothing to say
            json.dumps({"replayChatItemAction": {"actions": [{"addBannerToLiveChatCommand": {}}]}}),
            "not json",
            action("61000", "cy", {"text": "LETS GO"}),
        ]
    )
    assert read_live_chat(text) == [
        {"time": 1.5, "author": "ann", "text": "hello :wave:"},
        {"time": 61.0, "author": "cy", "text": "LETS GO"},
    ]


def test_a_twitch_channel_gets_its_chat_and_a_given_chat_is_kept(
    session_factory: sessionmaker[Session],
) -> None:
    from clippy.db import User
    from clippy.record import RecordingKind, create_recording

    irc = "irc://irc.chat.twitch.tv:6667"
    with session_factory() as session:
        user = User(email="c@example.test", password_hash="x", plan="pro")
        session.add(user)
        session.flush()
        kind = RecordingKind.CHANNEL
        tw = create_recording(session, user, "https://twitch.tv/Abc", kind, twitch_irc_url=irc)
        assert tw.chat == f"{irc}/#abc"
        own = "irc://127.0.0.1:6667/#mine"
        given = create_recording(
            session, user, "http://h/x.m3u8", kind, chat=own, twitch_irc_url=irc
        )
        assert given.chat == own
        imp = create_recording(
            session, user, "https://twitch.tv/videos/1", RecordingKind.IMPORT, twitch_irc_url=irc
        )
        assert imp.chat == ""
