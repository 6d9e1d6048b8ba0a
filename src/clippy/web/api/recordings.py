"""Recording without a tab over the API: watch a channel, import a video, list, stop."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from clippy.record import (
    RecordingKind,
    create_recording,
    list_recordings,
    mark_stopped,
    visible_recording,
)
from clippy.web.deps import CurrentUser, SessionDep, get_ctx, webhook_policy
from clippy.web.params import IdPath

router = APIRouter(prefix="/api/v1", tags=["recordings"])


class RecordingIn(BaseModel):
    """A channel to watch (``channel``) or a video to import (``import``)."""

    url: str = Field(min_length=1, max_length=2000)
    kind: Literal["channel", "import"] = "channel"
    chat: str = Field(default="", max_length=500, description="irc://host:port/#channel")


class RecordingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    url: str
    chat: str
    status: str
    stream_id: int | None
    title: str
    error: str
    progress: float
    created_at: datetime
    ended_at: datetime | None


@router.post("/recordings", response_model=RecordingOut, status_code=201)
def start_recording(
    body: RecordingIn, request: Request, session: SessionDep, user: CurrentUser
) -> RecordingOut:
    """Start recording a live channel or importing a video; 429 past the plan's limits."""
    ctx = get_ctx(request)
    kind = RecordingKind(body.kind)
    rec = create_recording(
        session,
        user,
        body.url,
        kind,
        chat=body.chat.strip(),
        twitch_irc_url=ctx.settings.twitch_irc_url,
        egress=webhook_policy(request),
    )
    session.commit()
    if ctx.recorders is not None:
        ctx.recorders.start(rec.id, kind)
    return RecordingOut.model_validate(rec)


@router.get("/recordings", response_model=list[RecordingOut])
def get_recordings(
    session: SessionDep, user: CurrentUser, limit: int = Query(50, ge=1, le=200)
) -> list[RecordingOut]:
    """The caller's recordings and imports, newest first."""
    return [RecordingOut.model_validate(r) for r in list_recordings(session, user.id, limit)]


@router.get("/recordings/{recording_id}", response_model=RecordingOut)
def get_recording(recording_id: IdPath, session: SessionDep, user: CurrentUser) -> RecordingOut:
    """One recording (status, import progress, last error); 404 when not the caller's."""
    return RecordingOut.model_validate(visible_recording(session, user.id, recording_id))


@router.post("/recordings/{recording_id}/stop", response_model=RecordingOut)
def stop_recording(
    recording_id: IdPath, request: Request, session: SessionDep, user: CurrentUser
) -> RecordingOut:
    """Stop a recording; what it recorded stays and its stream ends with final detection."""
    rec = visible_recording(session, user.id, recording_id)
    if mark_stopped(rec):
        session.commit()
        recorders = get_ctx(request).recorders
        if recorders is not None:
            recorders.stop(recording_id)
    return RecordingOut.model_validate(rec)
