"""A Python ingest client speaking protocol v1 (used by benchmarks, tests and scripts).

It keeps every segment until the server acknowledges it and re-sends the unacknowledged
ones after a reconnect, like the browser extension does.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from clippy.errors import Refused
from clippy.ingest.protocol import PROTOCOL_VERSION, SegmentHeader, encode_segment_frame


class IngestRefused(Refused, RuntimeError):
    """The server answered with an error event where the client expected success."""

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__(f"{event.get('code')}: {event.get('message')}")
        self.event = event


@dataclass
class IngestClient:
    """One stream's connection; ``events`` collects server events other than replies."""

    url: str  # e.g. ws://127.0.0.1:8000/ws/ingest
    token: str
    stream_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    ws: ClientConnection | None = None
    server_stream_id: int | None = None
    acked: set[int] = field(default_factory=set)
    pending: dict[int, tuple[SegmentHeader, bytes]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    async def connect(self) -> dict[str, Any]:
        """Open the socket, authenticate and start (or resume) the stream; returns 'started'."""
        # A busy server may take a while to answer pings while it stores segments.
        self.ws = await websockets.connect(
            self.url, max_size=None, open_timeout=20, ping_interval=20, ping_timeout=120
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
