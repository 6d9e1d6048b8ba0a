"""The ``/ws/ingest`` endpoint: one client connection streaming one stream's segments."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session

from clippy import ingest, metrics
from clippy.accounts import AuthError, looks_like_browser_key, resolve_credential
from clippy.db import Stream, User, session_scope
from clippy.events import EventHub
from clippy.ingest import (
    CHAT_BURST_LINES,
    CHAT_LINES_PER_SECOND,
    PROTOCOL_VERSION,
    Chat,
    ClientTranscript,
    Hello,
    LiveConnections,
    ProtocolError,
    Region,
    Simple,
    Start,
    TokenBucket,
    decode_segment_frame,
    error_event,
    event,
    parse_text_message,
    segment_limit,
    store_segment,
    to_ranges,
)
from clippy.runtime import Runtime
from clippy.transcribe import effective_language, language_support, with_language

log = logging.getLogger(__name__)
router = APIRouter()

_HELLO_TIMEOUT_S = 15.0
CLOSE_UNAUTHORIZED = 4401
CLOSE_PROTOCOL = 4400
CLOSE_TOO_BIG = 1009
CLOSE_SERVER_ERROR = 1011


@router.websocket("/ws/ingest")
async def ingest_endpoint(ws: WebSocket) -> None:
    """Authenticate, then serve one ingest connection until the client leaves."""
    ctx: Runtime = ws.app.state.ctx
    await ws.accept()
    conn = IngestConnection(ctx, ws)
    try:
        await conn.run()
    except WebSocketDisconnect:
        pass
    finally:
        await conn.close()


class IngestConnection:
    """State of one ingest WebSocket: its user, its stream and the outgoing event pump."""

    def __init__(self, ctx: Runtime, ws: WebSocket) -> None:
        self.ctx = ctx
        self.ws = ws
        self.user: User | None = None
        self.stream: Stream | None = None
        self._send_lock = asyncio.Lock()
        self._pump: asyncio.Task[None] | None = None
        self._counted = False
        self._live: LiveConnections = ctx.ingest_live
        self._chat_budget = TokenBucket(CHAT_LINES_PER_SECOND, CHAT_BURST_LINES)
        self.max_segment_bytes = ctx.settings.max_segment_bytes
        self.segments = 0
        self.bytes = 0
        # A connected browser's key is checked again before each segment: disconnecting the
        # browser in Settings stops a recording already under way, not only the next one.
        self._browser_key = ""

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one JSON event; events from the pump and replies never interleave."""
        async with self._send_lock:
            await self.ws.send_json(payload)

    async def run(self) -> None:
        """The receive loop."""
        if not await self._authenticate():
            return
        while True:
            msg = await self.ws.receive()
            if msg["type"] == "websocket.disconnect":
                return
            try:
                if msg.get("bytes") is not None:
                    if not await self._still_connected():
                        return
                    await self._on_segment(msg["bytes"])
                elif msg.get("text") is not None and await self._on_text(msg["text"]):
                    return
            except ProtocolError as exc:
                metrics.INGEST_ERRORS.labels(exc.code).inc()
                await self.send(error_event(exc))
                if exc.fatal:
                    code = CLOSE_TOO_BIG if exc.code == "message_too_large" else CLOSE_PROTOCOL
                    await self.ws.close(code, exc.code)
                    return
            except WebSocketDisconnect:
                raise
            except Exception:
                # Never drop the socket without a close code: say so, then close it.
                log.exception("ingest: unexpected error on stream %s", self._stream_id())
                metrics.INGEST_ERRORS.labels("server_error").inc()
                with contextlib.suppress(Exception):
                    await self.send(
                        event(
                            "error",
                            code="server_error",
                            message="the server failed on this message; reconnect and resend",
                            # Not fatal for the stream: a client reconnects after the close
                            # and resends what was not acknowledged.
                            fatal=False,
                        )
                    )
                    await self.ws.close(CLOSE_SERVER_ERROR, "server_error")
                return

    def _stream_id(self) -> int | None:
        return self.stream.id if self.stream is not None else None

    async def _authenticate(self) -> bool:
        token = self.ws.query_params.get("token")
        if not token:
            try:
                text = await asyncio.wait_for(self.ws.receive_text(), _HELLO_TIMEOUT_S)
                hello = parse_text_message(text)
            except (TimeoutError, ProtocolError, KeyError, RuntimeError):
                hello = None
            if not isinstance(hello, Hello):
                await self._refuse("expected a 'hello' message with a token first")
                return False
            if hello.protocol != PROTOCOL_VERSION:
                await self._refuse(
                    f"protocol version {hello.protocol} is not supported; this server speaks "
                    f"{PROTOCOL_VERSION}",
                    code="unsupported_protocol",
                )
                return False
            token = hello.token
        try:
            self.user = await asyncio.to_thread(self._resolve, token)
        except AuthError as exc:
            await self._refuse(str(exc))
            return False
        if looks_like_browser_key(token.strip()):
            self._browser_key = token.strip()
        await self.send(
            event(
                "welcome",
                protocol=PROTOCOL_VERSION,
                user={"id": self.user.id, "plan": self.user.plan},
            )
        )
        self._pump = asyncio.create_task(self._pump_events(self.user.id))
        return True

    async def _still_connected(self) -> bool:
        """False (and the socket closed as unauthorized) once the browser was disconnected."""
        if not self._browser_key:
            return True
        try:
            await asyncio.to_thread(self._resolve, self._browser_key)
        except AuthError as exc:
            await self._refuse(str(exc))
            return False
        return True

    def _resolve(self, token: str) -> User:
        with session_scope(self.ctx.session_factory) as session:
            return resolve_credential(session, self.ctx.secret_key, token)

    async def _refuse(self, message: str, code: str = "unauthorized") -> None:
        metrics.INGEST_ERRORS.labels(code).inc()
        with contextlib.suppress(Exception):
            await self.send(event("error", code=code, message=message, fatal=True))
            await self.ws.close(CLOSE_UNAUTHORIZED, code)

    async def _on_text(self, text: str) -> bool:
        """Handle one JSON message; returns True when the connection should end."""
        msg = parse_text_message(text)
        if isinstance(msg, Hello):
            raise ProtocolError("bad_message", "already authenticated")
        if isinstance(msg, Start):
            await self._on_start(msg)
            return False
        if isinstance(msg, Simple) and msg.type == "ping":
            await self.send(event("pong"))
            return False
        stream = self._require_stream()
        if isinstance(msg, Chat):
            wait = self._chat_budget.take(len(msg.lines), time.monotonic())
            if wait > 0:
                raise ProtocolError(
                    "chat_rate_limited",
                    f"more than {CHAT_LINES_PER_SECOND:.0f} chat lines a second: these"
                    f" {len(msg.lines)} lines were not stored; send them again in {wait:.1f} s",
                )
            n = await asyncio.to_thread(self._write, ingest.add_chat, stream.id, msg.lines)
            await self.send(event("chat_ack", count=n))
        elif isinstance(msg, ClientTranscript):
            await asyncio.to_thread(self._write, ingest.add_client_transcript, stream.id, msg)
            await self.send(event("transcript_ack", chunk_id=msg.chunk_id))
        elif isinstance(msg, Region):
            await asyncio.to_thread(self._write, ingest.update_region, stream.id, msg.video_region)
            await self.send(event("region_ack"))
        elif isinstance(msg, Simple) and msg.type == "acked?":
            await self.send(event("acked", stream_id=stream.id, acked=await self._acked()))
        elif isinstance(msg, Simple) and msg.type == "stats":
            await self.send(self._stats())
        elif isinstance(msg, Simple) and msg.type == "stop":
            await asyncio.to_thread(self._write, ingest.end_stream, stream.id)
            self.ctx.finish_stream(stream.id)
            await self.send(event("stopped", stream_id=stream.id))
            return True
        return False

    def _write(self, fn: Any, *args: Any) -> Any:
        with session_scope(self.ctx.session_factory) as session:
            return fn(session, *args)

    async def _on_start(self, msg: Start) -> None:
        assert self.user is not None
        user = self.user

        support = language_support(self.ctx.settings)
        refusal = support.refusal(msg.language) if msg.language else ""

        def start() -> tuple[Stream, str]:
            with session_scope(self.ctx.session_factory) as session:
                owner = session.merge(user)
                stream = ingest.start_stream(session, owner, msg)
                if msg.language and not refusal:
                    stream.settings = with_language(stream.settings, msg.language, support)
                return stream, effective_language(owner.settings, stream.settings, support)

        previous = self.stream
        stream, language = await asyncio.to_thread(start)
        self.stream = stream
        if previous is None or previous.id != stream.id:
            if previous is not None:
                self._live.closed(previous.id)
            self._live.opened(stream.id)
        self.ctx.jobs.stream_resumed(stream.id)
        self.max_segment_bytes = segment_limit(user.plan, self.ctx.settings.max_segment_bytes)
        if not self._counted:
            metrics.ACTIVE_STREAMS.inc()
            self._counted = True
        acked = await self._acked()
        last = max((r[1] for r in acked), default=-1)
        await self.send(
            event(
                "started",
                stream_id=stream.id,
                client_stream_id=stream.client_stream_id,
                acked=acked,
                next_seq=last + 1,
                max_segment_bytes=self.max_segment_bytes,
                language=language,
            )
        )
        if refusal:
            # The recording goes on (in the account's language); the client shows why its
            # choice was not taken.
            await self.send(
                event("error", code="unsupported_language", message=refusal, fatal=False)
            )

    async def _acked(self) -> list[list[int]]:
        stream = self._require_stream()

        def read() -> list[int]:
            with self.ctx.session_factory() as session:
                return ingest.acked_seqs(session, stream.id)

        return to_ranges(await asyncio.to_thread(read))

    def _require_stream(self) -> Stream:
        if self.stream is None:
            raise ProtocolError("no_stream", "send a 'start' message before segments or chat")
        return self.stream

    async def _on_segment(self, frame: bytes) -> None:
        header, payload = decode_segment_frame(frame)
        stream = self._require_stream()
        assert self.user is not None
        if len(payload) > self.max_segment_bytes:
            raise ProtocolError(
                "segment_too_large",
                f"segment {header.seq} is {len(payload)} bytes; the {self.user.plan} plan's"
                f" limit is {self.max_segment_bytes} (lower the quality or the segment length)",
                seq=header.seq,
            )
        jobs, plan = self.ctx.jobs, self.user.plan

        def defer(session: Session, segment_id: int) -> None:
            jobs.before_segment_commit(session, segment_id, stream.id, plan)

        stored = await asyncio.to_thread(
            store_segment,
            self.ctx.session_factory,
            self.ctx.store,
            self.ctx.settings,
            self.user.id,
            stream.id,
            header,
            payload,
            before_commit=defer,
        )
        if stored.duplicate:
            metrics.SEGMENT_DUPLICATES.inc()
        else:
            metrics.SEGMENTS_RECEIVED.inc()
            metrics.SEGMENT_BYTES.inc(len(payload))
            self.segments += 1
            self.bytes += len(payload)
        await self.send(
            event("ack", seq=stored.seq, segment_id=stored.segment_id, duplicate=stored.duplicate)
        )
        if not stored.duplicate:
            # Never waits: the segment is durable, the pipeline catches up at its own pace.
            self.ctx.jobs.segment_stored(stored.segment_id, stream.id, self.user.plan)

    def _stats(self) -> dict[str, Any]:
        jobs = self.ctx.jobs
        lag = 0.0
        if self.stream is not None:
            lag = jobs.processing_lag(self.stream.id)
        return event(
            "stats",
            segments=self.segments,
            bytes=self.bytes,
            pipeline_queue=jobs.queue_depth(),
            processing_lag=round(lag, 3),
        )

    async def _pump_events(self, user_id: int) -> None:
        hub: EventHub = self.ctx.hub
        async with hub.subscribe(user_id) as sub:
            while True:
                ev = await sub.queue.get()
                if ev.get("user_id", user_id) != user_id:
                    continue  # a teammate's clip: for their dashboards, not this recorder
                if self.stream is not None and ev.get("stream_id") not in (None, self.stream.id):
                    continue
                try:
                    await self.send(ev)
                except Exception:
                    return

    async def close(self) -> None:
        """Release the event pump and the active-stream gauge."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pump
        if self._counted:
            metrics.ACTIVE_STREAMS.dec()
            self._counted = False
        if self.stream is not None:
            self._live.closed(self.stream.id)
            self.stream = None
