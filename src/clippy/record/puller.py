"""Pull a live HLS stream: every new media segment once, in order, through drops and restarts.

The puller remembers the last media sequence number it handed out, so after the source drops
(the server went away, the network failed) it takes up again at the next segment still in
the playlist: nothing it already gave out is fetched twice, and nothing still listed is
skipped. A source that stays unreachable, or whose playlist stops growing, for
``offline_after`` seconds is offline (``SourceOffline``); ``#EXT-X-ENDLIST`` ends the pull.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from clippy.errors import Unavailable
from clippy.record.hls import MediaPlaylist, best_variant, parse_playlist

__all__ = ["Chunk", "HlsPuller", "SourceOffline"]

log = logging.getLogger(__name__)

# Twitch and most CDNs refuse clients without a browser-like agent.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Clippy/1 (+stream recorder)"
_MAX_BACKOFF_S = 5.0


class SourceOffline(Unavailable):
    """The source stayed unreachable (or stopped growing) past the offline limit."""


@dataclass(frozen=True)
class Chunk:
    """One media segment's bytes and where it sits in the source."""

    seq: int
    duration: float
    data: bytes
    discontinuity: bool  # does not continue the previous chunk's timestamps


StateCallback = Callable[[str, str], None]  # ("recording" | "reconnecting", detail)


class HlsPuller:
    """Yields the chunks of a live HLS stream; see the module docstring."""

    def __init__(
        self,
        resolve: Callable[[], Awaitable[str]],
        *,
        offline_after: float,
        on_state: StateCallback | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._resolve = resolve
        self._offline_after = offline_after
        self._on_state = on_state or (lambda _state, _detail: None)
        self._client = client
        self.last_seq = -1

    async def chunks(self) -> AsyncGenerator[Chunk]:
        """Every new segment, in order, until the playlist ends or the source is offline."""
        client = self._client or httpx.AsyncClient(
            timeout=10.0, follow_redirects=True, headers={"User-Agent": USER_AGENT}
        )
        try:
            async for chunk in self._pull(client):
                yield chunk
        finally:
            if self._client is None:
                await client.aclose()

    async def _pull(self, client: httpx.AsyncClient) -> AsyncGenerator[Chunk]:
        url: str | None = None
        down_since: float | None = None
        last_new = time.monotonic()
        failures = 0
        gap = False  # the next chunk follows an outage or a source restart
        while True:
            try:
                if url is None:
                    url = await self._resolve()
                playlist = await self._media_playlist(client, url)
                if down_since is not None:
                    self._on_state("recording", "")
                    down_since, failures, last_new = None, 0, time.monotonic()
                segments = playlist.segments
                if segments and segments[-1].seq < self.last_seq:
                    # The numbering went backwards: the source restarted from scratch.
                    log.info("HLS source restarted at media sequence %d", segments[0].seq)
                    self.last_seq, gap = segments[0].seq - 1, True
                new = [s for s in segments if s.seq > self.last_seq]
                for seg in new:
                    data = await _get(client, seg.url)
                    skipped = self.last_seq >= 0 and seg.seq > self.last_seq + 1
                    self.last_seq = seg.seq
                    yield Chunk(seg.seq, seg.duration, data, seg.discontinuity or gap or skipped)
                    gap = False
                    last_new = time.monotonic()
                if playlist.ended:
                    return
                if time.monotonic() - last_new > self._offline_after:
                    raise SourceOffline(
                        f"no new segment for {self._offline_after:.0f} s: the channel is offline"
                    )
                await asyncio.sleep(playlist.target_duration / (4 if new else 2))
            except (httpx.HTTPError, _HttpStatus, Unavailable) as exc:
                if isinstance(exc, SourceOffline):
                    raise
                now = time.monotonic()
                if down_since is None:
                    down_since = now
                    self._on_state("reconnecting", _one_line(exc))
                if now - down_since > self._offline_after:
                    raise SourceOffline(
                        f"unreachable for {self._offline_after:.0f} s ({_one_line(exc)}):"
                        " the channel is offline"
                    ) from None
                failures += 1
                gap = True
                # Page URLs resolve to short-lived playlist URLs (signed): resolve again.
                url = None
                await asyncio.sleep(min(0.25 * 2**failures, _MAX_BACKOFF_S))

    async def _media_playlist(self, client: httpx.AsyncClient, url: str) -> MediaPlaylist:
        for _ in range(3):  # a multivariant playlist names the media one
            text = (await _get(client, url)).decode("utf-8", "replace")
            parsed = parse_playlist(text, url)
            if isinstance(parsed, MediaPlaylist):
                return parsed
            url = best_variant(parsed).url
        raise _HttpStatus(f"{url}: playlists nest too deep")


class _HttpStatus(Exception):
    """A non-2xx answer: treated like a dropped connection (the source may come back)."""


async def _get(client: httpx.AsyncClient, url: str) -> bytes:
    r = await client.get(url)
    if r.status_code >= 400:
        raise _HttpStatus(f"{url} answered HTTP {r.status_code}")
    return r.content


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:300]
