"""Per-user live event feed over Server-Sent Events (clip_created, …) for the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from clippy.web.deps import CurrentUser
from clippy.web.live import event_stream

router = APIRouter(prefix="/api/v1", tags=["events"])


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
