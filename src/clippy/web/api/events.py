"""Per-user live event feed over Server-Sent Events (clip_created, …) for the dashboard."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from clippy.events import EventHub
from clippy.web.deps import CurrentUser, get_ctx

router = APIRouter(prefix="/api/v1", tags=["events"])
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


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events until the client goes away",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def events(request: Request, user: CurrentUser) -> StreamingResponse:
    """An SSE stream of the caller's live events (``event: clip_created`` …)."""
    return event_stream(request, user.id)
