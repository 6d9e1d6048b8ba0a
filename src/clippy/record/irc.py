"""Read a channel's chat anonymously over IRC (Twitch's chat is IRC), reconnecting on drops.

Twitch lets anyone read chat as ``justinfanNNNN`` without a password; any IRC server accepts
such a nick too, which is how the tests run this against a real ``ngircd``. Twitch's
``twitch.tv/tags`` capability adds badges to each message; servers that do not know it
answer NAK and messages come without tags. Parsing is pure (``parse_line``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from clippy.errors import InvalidInput

__all__ = ["ChatMessage", "IrcUrlError", "parse_irc_url", "parse_line", "read_chat"]

log = logging.getLogger(__name__)

_MAX_BACKOFF_S = 30.0


class IrcUrlError(InvalidInput):
    """A chat address that is not ``irc://host[:port]/#channel`` (or ``ircs://``)."""


@dataclass(frozen=True)
class IrcTarget:
    """Where to read chat: server, port, TLS or not, and the channel (with its ``#``)."""

    host: str
    port: int
    tls: bool
    channel: str


@dataclass(frozen=True)
class ChatMessage:
    """One chat line as IRC delivered it."""

    author: str
    text: str
    badges: tuple[str, ...] = ()


def parse_irc_url(url: str) -> IrcTarget:
    """``irc://host:port/#channel`` (``ircs://`` for TLS) as an ``IrcTarget``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("irc", "ircs") or not parts.hostname:
        raise IrcUrlError(f"{url!r} is not an irc:// or ircs:// chat address")
    channel = unquote((parts.fragment and "#" + parts.fragment) or parts.path.lstrip("/"))
    if not channel.startswith("#"):
        channel = "#" + channel
    if len(channel) < 2 or any(c in channel for c in " ,\r\n\x07"):
        raise IrcUrlError(f"{url!r} names no channel (irc://host:port/#channel)")
    tls = parts.scheme == "ircs"
    return IrcTarget(parts.hostname, parts.port or (6697 if tls else 6667), tls, channel.lower())


def parse_line(line: str) -> tuple[dict[str, str], str, str, list[str]]:
    """One IRC line as (tags, prefix, command, params); the trailing param keeps its spaces."""
    tags: dict[str, str] = {}
    if line.startswith("@"):
        raw, _, line = line[1:].partition(" ")
        for item in raw.split(";"):
            key, _, value = item.partition("=")
            tags[key] = value
    prefix = ""
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
    head, sep, trailing = line.partition(" :")
    params = head.split()
    command = params.pop(0).upper() if params else ""
    if sep:
        params.append(trailing)
    return tags, prefix, command, params


def chat_message(tags: dict[str, str], prefix: str, params: list[str]) -> ChatMessage | None:
    """The chat line of a ``PRIVMSG`` (``None`` for a CTCP other than ACTION)."""
    if len(params) < 2:
        return None
    text = params[1]
    if text.startswith("\x01"):
        if not text.startswith("\x01ACTION "):
            return None
        text = text.removeprefix("\x01ACTION ").rstrip("\x01")
    author = tags.get("display-name") or prefix.split("!", 1)[0]
    badges = tuple(b.split("/", 1)[0] for b in tags.get("badges", "").split(",") if b)
    return ChatMessage(author, text, badges)


async def read_chat(
    url: str,
    on_message: Callable[[ChatMessage], None],
    stop: asyncio.Event,
    *,
    on_joined: Callable[[], None] | None = None,
) -> None:
    """Read the chat at ``url`` into ``on_message`` until ``stop``, reconnecting on drops."""
    target = parse_irc_url(url)
    failures = 0
    while not stop.is_set():
        try:
            await _session(target, on_message, stop, on_joined)
            failures = 0
        except (OSError, asyncio.IncompleteReadError, ConnectionError) as exc:
            failures += 1
            log.info("chat %s dropped (%s); reconnecting", url, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), min(2.0**failures, _MAX_BACKOFF_S))


async def _session(
    target: IrcTarget,
    on_message: Callable[[ChatMessage], None],
    stop: asyncio.Event,
    on_joined: Callable[[], None] | None,
) -> None:
    tls = ssl.create_default_context() if target.tls else None
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(target.host, target.port, ssl=tls), 15
    )
    nick = f"justinfan{random.randint(10000, 99999)}"

    def send(line: str) -> None:
        writer.write(line.encode() + b"\r\n")

    send("CAP REQ :twitch.tv/tags")
    send(f"NICK {nick}")
    send(f"USER {nick} 0 * :{nick}")
    send("CAP END")
    await writer.drain()
    stopping = asyncio.create_task(stop.wait())
    try:
        while True:
            reading = asyncio.create_task(reader.readline())
            done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                reading.cancel()
                send("QUIT :bye")
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.drain(), 2)
                return
            raw = reading.result()
            if not raw:
                raise ConnectionError("the chat server closed the connection")
            tags, prefix, command, params = parse_line(raw.decode("utf-8", "replace").rstrip())
            if command == "PING":
                send(f"PONG :{params[-1] if params else ''}")
            elif command == "001":
                send(f"JOIN {target.channel}")
            elif command == "366" and on_joined is not None:
                on_joined()  # end of the channel's names list: joined
            elif command == "PRIVMSG":
                msg = chat_message(tags, prefix, params)
                if msg is not None and msg.text.strip():
                    on_message(msg)
            await writer.drain()
    finally:
        stopping.cancel()
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
