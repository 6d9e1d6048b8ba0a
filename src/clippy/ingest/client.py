"""A Python ingest client speaking protocol v1 (used by benchmarks, tests and scripts).

It keeps every segment until the server acknowledges it and re-sends the unacknowledged
ones after a reconnect, like the browser extension does. Given several server URLs (the
nodes a load balancer would spread it over), ``deliver`` moves to the next one when a
connection drops and resumes there: which segments are stored comes from the database, so
any node can answer it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from clippy.errors import Refused
from clippy.ingest.protocol import PROTOCOL_VERSION, SegmentHeader, encode_segment_frame

log = logging.getLogger(__name__)

# What a dropped or unreachable node looks like from here: try the next one.
_CONNECTION_LOST = (ConnectionClosed, InvalidHandshake, OSError, TimeoutError)


class IngestRefused(Refused, RuntimeError):
    """The server answered with an error event where the client expected success."""

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__(f"{event.get('code')}: {event.get('message')}")
        self.event = event


@dataclass
class IngestClient:
    """One stream's connection; ``events`` collects server events other than replies.

    ``url`` is one server's ingest URL or several (e.g. ``ws://127.0.0.1:8000/ws/ingest``);
    ``connect`` uses the current one, ``deliver`` moves on to the next after a drop.
    """

    url: str | Sequence[str]
    token: str
    stream_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    ws: ClientConnection | None = None
    server_stream_id: int | None = None
    acked: set[int] = field(default_factory=set)
    pending: dict[int, tuple[SegmentHeader, bytes]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    # How long ``deliver`` keeps trying the URLs in turn before it gives up.
    reconnect_seconds: float = 60.0
    reconnects: int = 0  # connections ``deliver`` had to re-open (after a drop)
    _current: int = field(default=0, init=False, repr=False)

    @property
    def urls(self) -> list[str]:
        """Every server URL this client may use, in the order it tries them."""
        return [self.url] if isinstance(self.url, str) else list(self.url)

    @property
    def current_url(self) -> str:
        """The URL the client is (or will next be) connected to."""
        return self.urls[self._current % len(self.urls)]

    async def connect(self) -> dict[str, Any]:
        """Open the socket, authenticate and start (or resume) the stream; returns 'started'."""
        # A busy server may take a while to answer pings while it stores segments.
        self.ws = await websockets.connect(
            self.current_url, max_size=None, open_timeout=20, ping_interval=20, ping_timeout=120
        )
        await self.ws.send(
            json.dumps({"type": "hello", "protocol": PROTOCOL_VERSION, "token": self.token})
        )
        welcome = await self._reply()
        if welcome.get("type") != "welcome":
            raise IngestRefused(welcome)
        await self.ws.send(
            json.dumps({"type": "start", "stream_id": self.stream_id, **self.metadata})
        )
        started = await self._reply()
        if started.get("type") != "started":
            raise IngestRefused(started)
        self.server_stream_id = started["stream_id"]
        for first, last in started["acked"]:
            self.acked.update(range(first, last + 1))
        for seq in list(self.pending):
            if seq in self.acked:
                del self.pending[seq]
        return started

    async def _reply(self) -> dict[str, Any]:
        """The next event that is not an asynchronous notification (those go to ``events``)."""
        assert self.ws is not None
        while True:
            ev = json.loads(await self.ws.recv())
            if ev.get("type") in ("clip_created",):
                self.events.append(ev)
                continue
            return ev

    async def send_segment(
        self, seq: int, start: float, duration: float, data: bytes, mime: str = "video/webm"
    ) -> dict[str, Any]:
        """Send one segment and wait for its ack (or error event, returned as is)."""
        header = SegmentHeader(seq=seq, start=start, duration=duration, mime=mime)
        self.pending[seq] = (header, data)
        assert self.ws is not None
        await self.ws.send(encode_segment_frame(header, data))
        reply = await self._reply()
        if reply.get("type") == "ack":
            self.acked.add(reply["seq"])
            self.pending.pop(reply["seq"], None)
        return reply

    async def deliver(
        self, seq: int, start: float, duration: float, data: bytes, mime: str = "video/webm"
    ) -> dict[str, Any]:
        """Send one segment until a server acknowledges it (or answers with an error event,
        returned as is). A dropped connection moves to the next URL, resumes the stream
        there and re-sends every segment not acknowledged yet, this one included."""
        header = SegmentHeader(seq=seq, start=start, duration=duration, mime=mime)
        self.pending[seq] = (header, data)
        while True:
            try:
                if self.ws is None:
                    await self.connect()
                for pending_seq in sorted(self.pending):
                    head, body = self.pending[pending_seq]
                    reply = await self.send_segment(
                        pending_seq, head.start, head.duration, body, head.mime
                    )
                    if reply.get("type") != "ack" or pending_seq == seq:
                        return reply
                # Acknowledged by the node that dropped, before its ack reached us.
                return {"type": "ack", "seq": seq, "resumed": True}
            except _CONNECTION_LOST as exc:
                await self._fail_over(exc)

    async def _fail_over(self, exc: BaseException) -> None:
        """Drop the broken socket and find a URL that answers, trying each in turn."""
        deadline = time.monotonic() + self.reconnect_seconds
        self.ws = None
        self.reconnects += 1
        while True:
            self._current += 1
            log.warning("ingest connection lost (%s); trying %s", exc, self.current_url)
            try:
                await self.connect()
                return
            except _CONNECTION_LOST as again:
                exc = again
                self.ws = None
            if time.monotonic() > deadline:
                raise ConnectionError(
                    f"no ingest server answered for {self.reconnect_seconds:.0f} s "
                    f"(tried {', '.join(self.urls)}): {exc}"
                ) from exc
            await asyncio.sleep(0.5)

    async def resend_pending(self) -> list[dict[str, Any]]:
        """Re-send every segment not yet acknowledged (after ``connect`` on a new socket)."""
        replies = []
        for seq in sorted(self.pending):
            header, data = self.pending[seq]
            replies.append(
                await self.send_segment(seq, header.start, header.duration, data, header.mime)
            )
        return replies

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a JSON message and return the server's reply."""
        assert self.ws is not None
        await self.ws.send(json.dumps(message))
        return await self._reply()

    async def wait_event(self, kind: str, timeout: float) -> dict[str, Any]:
        """Wait for an asynchronous event such as ``clip_created``."""
        assert self.ws is not None
        for i, ev in enumerate(self.events):
            if ev.get("type") == kind:
                return self.events.pop(i)
        async with asyncio.timeout(timeout):
            while True:
                ev = json.loads(await self.ws.recv())
                if ev.get("type") == kind:
                    return ev
                self.events.append(ev)

    async def close(self) -> None:
        """Close the socket (the stream stays resumable)."""
        if self.ws is not None:
            await self.ws.close()
            self.ws = None
