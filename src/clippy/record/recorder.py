"""Record one channel: a plain async function of the recording's id, run until the source ends,
goes offline, runs out of quota or its owner stops it.

Pull (``HlsPuller``) → join into 10 s segments (``Grouper``) → the ingest path
(``StreamFeed``: durable segment, its job, clip events). Chat, when the recording names an
IRC channel, is read beside it and stored at the stream time of the live edge when each line
arrives, which is what a viewer reacting to the picture is typing about.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from clippy.db import Recording, RecordingStatus, session_scope
from clippy.errors import ClippyError, NotFound
from clippy.ingest import ProtocolError
from clippy.record.feed import Grouper, RecordParts, StreamFeed, set_status
from clippy.record.irc import ChatMessage, read_chat
from clippy.record.puller import HlsPuller, SourceOffline
from clippy.record.sources import resolve_playlist, twitch_channel

__all__ = ["record_channel"]

log = logging.getLogger(__name__)

TS_MIME = "video/mp2t"
_CHAT_FLUSH_S = 1.0


async def record_channel(parts: RecordParts, recording_id: int, stop: asyncio.Event) -> None:
    """Record channel recording ``recording_id`` into its stream until it ends or ``stop``.

    Never raises for the source's problems: they end up in the recording's status and error.
    A cancelled task (the server shutting down) leaves the recording active, so the next
    start resumes it with the next sequence number."""
    url, chat_url = await asyncio.to_thread(_load, parts, recording_id)
    platform = "twitch" if twitch_channel(url) else "hls"
    feed = await StreamFeed.open(parts, recording_id, platform)
    grouper = Grouper()
    chat = _ChatBuffer(feed, grouper)
    chat_task = asyncio.create_task(chat.run(chat_url, stop)) if chat_url else None

    def on_state(state: str, detail: str) -> None:
        status = RecordingStatus.RECORDING if state == "recording" else RecordingStatus.RECONNECTING
        asyncio.get_running_loop().create_task(set_status(parts, recording_id, status, detail))

    puller = HlsPuller(
        lambda: resolve_playlist(url),
        offline_after=parts.settings.record_offline_seconds,
        on_state=on_state,
    )
    final, error = RecordingStatus.ENDED, ""
    try:
        await set_status(parts, recording_id, RecordingStatus.RECORDING, "")
        final, error = await _pull_into(puller, grouper, feed, stop, recording_id)
    except SourceOffline as exc:
        final, error = RecordingStatus.ENDED, str(exc)
    except ProtocolError as exc:  # ingest refused a segment: quota used up, not media
        final, error = RecordingStatus.FAILED, exc.message
    except ClippyError as exc:
        final, error = RecordingStatus.FAILED, str(exc)
    except asyncio.CancelledError:
        feed.close()
        if chat_task is not None:
            chat_task.cancel()
        raise
    except Exception as exc:
        log.exception("recording %s failed", recording_id)
        final, error = RecordingStatus.FAILED, f"{exc.__class__.__name__}: {exc}"
    for data, duration in grouper.flush():
        with contextlib.suppress(ProtocolError):
            await feed.store(data, duration, TS_MIME)
    if chat_task is not None:
        chat.stop.set()
        with contextlib.suppress(Exception):
            await chat_task
    await chat.flush()
    await feed.end()
    feed.close()
    await set_status(parts, recording_id, final, error)
    log.info("recording %s %s after %d segments %s", recording_id, final, feed.stored, error)


async def _pull_into(
    puller: HlsPuller, grouper: Grouper, feed: StreamFeed, stop: asyncio.Event, recording_id: int
) -> tuple[RecordingStatus, str]:
    chunks = puller.chunks()
    stopping = asyncio.create_task(stop.wait())
    try:
        while True:
            nxt = asyncio.ensure_future(anext(chunks))
            done, _ = await asyncio.wait({nxt, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if nxt not in done:
                nxt.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await nxt
                return RecordingStatus.STOPPED, ""
            try:
                chunk = nxt.result()
            except StopAsyncIteration:
                return RecordingStatus.ENDED, "the stream ended"
            for data, duration in grouper.add(chunk.data, chunk.duration, chunk.discontinuity):
                try:
                    await feed.store(data, duration, TS_MIME)
                except ProtocolError as exc:
                    if exc.code != "invalid_media":
                        raise
                    # One broken piece of a long broadcast is dropped, not the recording.
                    log.warning("recording %s: %s", recording_id, exc.message)
                    feed.time += duration
    finally:
        stopping.cancel()
        await chunks.aclose()


def _load(parts: RecordParts, recording_id: int) -> tuple[str, str]:
    with session_scope(parts.session_factory) as session:
        rec = session.get(Recording, recording_id)
        if rec is None:
            raise NotFound(f"recording {recording_id} not found")
        return rec.url, rec.chat


class _ChatBuffer:
    """Chat lines as they arrive, stored about once a second at their live-edge time."""

    def __init__(self, feed: StreamFeed, grouper: Grouper) -> None:
        self.feed = feed
        self.grouper = grouper
        self.lines: list[dict[str, Any]] = []
        self.stop = asyncio.Event()
        self.received = 0

    def on_message(self, msg: ChatMessage) -> None:
        edge = self.feed.time + self.grouper.pending
        self.lines.append(
            {
                "author": msg.author[:200],
                "text": msg.text[:500],
                "time": round(edge, 3),
                "badges": [b[:30] for b in msg.badges[:5]],
            }
        )
        self.received += 1

    async def run(self, url: str, outer: asyncio.Event) -> None:
        reader = asyncio.create_task(read_chat(url, self.on_message, self.stop))
        try:
            while not self.stop.is_set() and not outer.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), _CHAT_FLUSH_S)
                await self.flush()
        finally:
            self.stop.set()
            await reader

    async def flush(self) -> None:
        lines, self.lines = self.lines, []
        if lines:
            await self.feed.add_chat(lines)
