"""Chat without a tab: the IRC reader against a real ngircd."""

from __future__ import annotations

import asyncio

import pytest

from clippy.record import ChatMessage, IrcUrlError, parse_irc_url, read_chat
from clippy.record.irc import parse_line
from tests.fixtures.ircd import Ircd, IrcSpeaker, ircd  # noqa: F401 - fixture


def test_twitch_style_lines_parse_with_tags_and_trailing_text() -> None:
    line = "@badges=moderator/1,subscriber/12;display-name=Kappa :kappa!k@k PRIVMSG #c :hi : there"
    tags, prefix, command, params = parse_line(line)
    assert command == "PRIVMSG" and params == ["#c", "hi : there"]
    assert tags["display-name"] == "Kappa" and prefix.startswith("kappa!")


@pytest.mark.parametrize("bad", ["http://x/#c", "irc:///#c", "irc://host:6667/"])
def test_a_bad_chat_address_is_refused(bad: str) -> None:
    with pytest.raises(IrcUrlError):
        parse_irc_url(bad)


def test_chat_lines_said_in_a_real_irc_channel_are_read(ircd: Ircd) -> None:  # noqa: F811
    got: list[ChatMessage] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        joined = asyncio.Event()
        reader = asyncio.create_task(
            read_chat(ircd.url("streamer"), got.append, stop, on_joined=joined.set)
        )
        await asyncio.wait_for(joined.wait(), 20)
        speaker = await asyncio.to_thread(IrcSpeaker, ircd.port, "viewer1", "streamer")
        for text in ("hello", "\x01ACTION waves\x01", "LETS GOOO"):
            speaker.say(text)
        for _ in range(100):
            if len(got) >= 3:
                break
            await asyncio.sleep(0.1)
        speaker.close()
        stop.set()
        await asyncio.wait_for(reader, 10)

    asyncio.run(scenario())
    assert [(m.author, m.text) for m in got] == [
        ("viewer1", "hello"),
        ("viewer1", "waves"),
        ("viewer1", "LETS GOOO"),
    ]
