"""A user's live events as Server-Sent Events, for the API feed and the dashboard's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import StreamingResponse

from clippy.events import EventHub
from clippy.web.deps import get_ctx

__all__ = ["event_stream"]

_KEEPALIVE_S = 15.0


def event_stream(request: Request, user_id: int) -> StreamingResponse:
    """An SSE response carrying ``user_id``'s live events until the client goes away.

    Shared by the API feed (bearer auth) and the dashboard's (session cookie: an
    EventSource cannot send an Authorization header).
    """
    hub: EventHub = get_ctx(request).hub

    async def stream() -> AsyncIterator[str]:
        async with hub.subscribe(user_id) as sub:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    ev = await asyncio.wait_for(sub.queue.get(), _KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {ev.get('type', 'message')}\ndata: {json.dumps(ev)}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
