"""What a recording URL names: a plain HLS playlist, or a channel page streamlink resolves.

Pure checks (``is_hls_url``, ``twitch_channel``, ``chat_url_for``) sit beside the one call
into streamlink, which runs in a thread (it blocks on the network).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from clippy.errors import InvalidInput, Unavailable

__all__ = [
    "ChannelOffline",
    "UnsupportedSource",
    "chat_url_for",
    "check_record_url",
    "is_hls_url",
    "resolve_playlist",
    "twitch_channel",
]


class UnsupportedSource(InvalidInput):
    """No way to record this URL (not http(s), no streamlink plugin, not HLS)."""


class ChannelOffline(Unavailable):
    """The channel exists but is not live now."""


_TWITCH = re.compile(r"^(?:www\.|m\.)?twitch\.tv$", re.I)
_TWITCH_NAME = re.compile(r"^[A-Za-z0-9_]{2,25}$")


def check_record_url(url: str) -> str:
    """``url`` stripped, if it is an http(s) URL (``hls://`` allowed); ``UnsupportedSource``."""
    text = url.strip()
    parts = urlsplit(_plain_hls(text))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsupportedSource(f"{text!r} is not an http(s) link to a channel or a playlist")
    return text


def is_hls_url(url: str) -> bool:
    """Whether ``url`` names an HLS playlist itself (read without streamlink)."""
    return url.startswith("hls://") or urlsplit(url).path.lower().endswith(".m3u8")


def _plain_hls(url: str) -> str:
    if url.startswith("hls://"):
        rest = url.removeprefix("hls://")
        return rest if "://" in rest else "https://" + rest
    return url


def twitch_channel(url: str) -> str | None:
    """The channel name of a ``twitch.tv/NAME`` URL, lower-cased; ``None`` for other URLs."""
    parts = urlsplit(url)
    if not _TWITCH.match(parts.hostname or ""):
        return None
    name = parts.path.strip("/").split("/")[0]
    return name.lower() if _TWITCH_NAME.match(name) else None


def chat_url_for(url: str, twitch_irc_url: str) -> str:
    """The IRC chat to read for a recorded ``url``: its Twitch channel on ``twitch_irc_url``,
    or ``""`` where no chat is known."""
    name = twitch_channel(url)
    return f"{twitch_irc_url.rstrip('/')}/#{name}" if name else ""


async def resolve_playlist(url: str) -> str:
    """The media or multivariant playlist URL to pull for ``url``.

    A playlist URL is its own answer; a channel page asks streamlink (Twitch, YouTube, Kick
    and its other plugins). Raises ``ChannelOffline`` when the channel is not live,
    ``UnsupportedSource`` when nothing can record the URL."""
    if is_hls_url(url):
        return _plain_hls(url)
    return await asyncio.to_thread(_streamlink_playlist, url)


def _streamlink_playlist(url: str) -> str:
    from streamlink import Streamlink
    from streamlink.exceptions import NoPluginError, PluginError
    from streamlink.stream.hls import HLSStream

    session = Streamlink()
    try:
        streams = session.streams(url)
    except NoPluginError:
        raise UnsupportedSource(
            f"streamlink cannot record {url} (no plugin for this site; give the .m3u8 link)"
        ) from None
    except PluginError as exc:
        raise ChannelOffline(f"streamlink: {str(exc).splitlines()[0][:300]}") from None
    best = streams.get("best")
    if best is None:
        raise ChannelOffline(f"{url} is not live now (streamlink found no stream)")
    if not isinstance(best, HLSStream):
        raise UnsupportedSource(f"{url}: the live stream is not HLS ({type(best).__name__})")
    return str(best.url)
