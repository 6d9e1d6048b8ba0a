"""Exports: create (one clip or a batch), list, progress, cancel, retry, download."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from clippy.accounts import visible_user_ids
from clippy.clips import MediaLinks, count_export_download, verify_path
from clippy.db import ExportJob, ExportStatus
from clippy.errors import NotFound
from clippy.export import (
    PRESETS,
    ExportOptions,
    create_batch,
    create_export,
    export_file_links,
    exporters_may_see,
    list_exports,
    mark_canceled,
    mark_for_retry,
    visible_export,
)
from clippy.jobs import Jobs
from clippy.web.deps import CurrentUser, SessionDep, get_ctx
from clippy.web.openapi import file_responses, refusals
from clippy.web.params import BodyId, IdPath, IdQuery, Offset, StrictBody

router = APIRouter(prefix="/api/v1", tags=["exports"])


def _jobs(request: Request) -> Jobs:
    return get_ctx(request).jobs


class RenderOptionsIn(StrictBody):
    """How to render (everything but the platform)."""

    aspect: Literal["9:16", "16:9", "1:1"] | None = None
    quality: Literal[720, 1080, 2160] | None = Field(
        default=None, description="short side in px; default: the plan's best up to 1080"
    )
    reframe: Literal["center", "follow", "split", "fit"] = "center"
    fill: Literal["blur", "black"] = "blur"
    facecam: dict[str, float] | None = Field(
        default=None,
        description=(
            "split layout: x, y, width, height in captured-frame pixels; without it a steady"
            " face is looked for, and without one the whole picture is fitted"
        ),
    )
    captions: bool = True
    caption_style: Literal["clean", "bold", "karaoke"] = "bold"
    caption_position: Literal["bottom", "middle", "top"] = "bottom"
    max_words: int = Field(default=4, ge=1, le=12)
    context: Literal["card", "overlay", "none"] = "card"

    def options(self, preset: str) -> ExportOptions:
        """The renderer's options for ``preset``."""
        data: dict[str, Any] = self.model_dump()
        data["preset"] = preset
        return ExportOptions.from_json(data)


class ExportIn(RenderOptionsIn):
    preset: str = Field(description=f"one of {', '.join(PRESETS)}")


class BatchIn(StrictBody):
    clip_ids: list[BodyId] = Field(min_length=1, max_length=100)
    presets: list[str] = Field(min_length=1, max_length=4)
    options: RenderOptionsIn = Field(default_factory=RenderOptionsIn)


class ExportOut(BaseModel):
    id: int
    kind: str
    clip_id: int | None
    preset: str
    options: dict[str, Any]
    status: str
    progress: float
    error: str | None
    attempts: int
    size: int | None
    created_at: datetime
    finished_at: datetime | None
    result: dict[str, Any]
    download_url: str | None
    srt_url: str | None
    vtt_url: str | None


def export_out(job: ExportJob, links: MediaLinks, ttl: int) -> ExportOut:
    """The API view of a job, with signed, expiring links to its files once done."""
    files = export_file_links(job, links, ttl)
    return ExportOut(
        id=job.id,
        kind=job.kind,
        clip_id=job.clip_id,
        preset=job.preset,
        options=job.options,
        status=job.status,
        progress=job.progress,
        error=job.error,
        attempts=job.attempts,
        size=job.result_size,
        created_at=job.created_at,
        finished_at=job.finished_at,
        result=job.result,
        download_url=files["main"],
        srt_url=files["srt"],
        vtt_url=files["vtt"],
    )


def _out(request: Request, job: ExportJob) -> ExportOut:
    ctx = get_ctx(request)
    return export_out(job, ctx.links, ctx.settings.export_link_seconds)


@router.get("/export-presets")
def presets() -> list[dict[str, Any]]:
    """The platform presets: name, label, longest clip, frame shapes."""
    return [
        {"name": p.name, "label": p.label, "max_seconds": p.max_seconds, "aspects": p.aspects}
        for p in PRESETS.values()
    ]


@router.post("/clips/{clip_id}/exports", response_model=ExportOut, status_code=202)
def create(
    clip_id: IdPath, body: ExportIn, request: Request, session: SessionDep, user: CurrentUser
) -> ExportOut:
    """Queue an export of a clip for a platform; 422 says why a request cannot be made
    (too long for the platform: ``trim_to`` gives the longest allowed)."""
    job = create_export(session, user, clip_id, body.options(body.preset))
    session.commit()
    _jobs(request).export_queued(job.id)
    return _out(request, job)


@router.post(
    "/exports/batch",
    response_model=ExportOut,
    status_code=202,
    responses=refusals(**{"404": "a clip of the batch is not among the caller's"}),
)
def create_batch_export(
    body: BatchIn, request: Request, session: SessionDep, user: CurrentUser
) -> ExportOut:
    """Queue one job exporting every clip for every preset, delivered as one zip."""
    base = body.options.options(body.presets[0])
    job = create_batch(session, user, body.clip_ids, body.presets, base)
    session.commit()
    _jobs(request).export_queued(job.id)
    return _out(request, job)


@router.get("/exports", response_model=list[ExportOut])
def get_exports(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    clip_id: IdQuery = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> list[ExportOut]:
    """The caller's exports, newest first."""
    ids = visible_user_ids(session, user)
    jobs = list_exports(session, ids, clip_id=clip_id, limit=limit, offset=offset)
    return [_out(request, j) for j in jobs]


@router.get("/exports/{job_id}", response_model=ExportOut)
def get_export(
    job_id: IdPath, request: Request, session: SessionDep, user: CurrentUser
) -> ExportOut:
    """One export with its live status and progress (0-1)."""
    return _out(request, visible_export(session, visible_user_ids(session, user), job_id))


@router.post("/exports/{job_id}/cancel", response_model=ExportOut, responses=refusals(409))
def cancel(job_id: IdPath, request: Request, session: SessionDep, user: CurrentUser) -> ExportOut:
    """Cancel a queued or running export; a running render is stopped at once."""
    job = visible_export(session, {user.id}, job_id)
    mark_canceled(session, job)  # ExportStateError is a Conflict: 409
    session.commit()
    _jobs(request).export_canceled(job_id)
    return _out(request, job)


@router.post("/exports/{job_id}/retry", response_model=ExportOut, responses=refusals(409))
def retry(job_id: IdPath, request: Request, session: SessionDep, user: CurrentUser) -> ExportOut:
    """Queue a failed or canceled export again."""
    job = visible_export(session, {user.id}, job_id)
    mark_for_retry(session, job)
    session.commit()
    _jobs(request).export_queued(job_id)
    return _out(request, job)


@router.get(
    "/exports/{job_id}/download",
    response_class=RedirectResponse,
    status_code=307,
    responses={307: {"description": "a redirect to a fresh signed link"}, **refusals(409)},
)
def download(job_id: IdPath, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Redirect to a fresh signed link of the finished export's file."""
    job = visible_export(session, visible_user_ids(session, user), job_id)
    out = _out(request, job)
    if out.download_url is None:
        raise HTTPException(409, f"export {job_id} is {job.status}; there is nothing to download")
    return RedirectResponse(out.download_url, status_code=307)


def _first_byte_request(request: Request) -> bool:
    ranges = request.headers.get("range", "").replace(" ", "")
    return not ranges or ranges.startswith("bytes=0-")


_MEDIA_TYPES = {
    "mp4": "video/mp4",
    "zip": "application/zip",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
}


@router.get(
    "/exports/{job_id}/file/{kind}",
    responses={
        **file_responses("video/mp4", "application/zip", "application/x-subrip", "text/vtt"),
        **refusals(**{"403": "the signed link is invalid or has expired"}),
    },
)
def export_file(
    job_id: IdPath,
    kind: Literal["main", "srt", "vtt"],
    request: Request,
    exp: int = 0,
    sig: str = "",
) -> Response:
    """An export's file through a signed, expiring link (``download_url`` and friends)."""
    ctx = get_ctx(request)
    if not verify_path(ctx.secret_key, ctx.links.export_path(job_id, kind), exp, sig):
        raise HTTPException(403, "this download link is invalid or has expired; fetch the export")
    with ctx.session_factory() as session:
        job = session.get(ExportJob, job_id)
        key = None
        # A link handed out earlier stops working once its exporter may no longer see the
        # clips (removed from the team).
        if (
            job is not None
            and job.status == ExportStatus.DONE
            and exporters_may_see(session, [job])[0]
        ):
            key = job.result_key if kind == "main" else job.result.get(kind)
            # A download is counted once, where the file leaves: not per range request a
            # player makes while seeking, nor for the subtitle sidecars.
            if key and kind == "main" and _first_byte_request(request):
                count_export_download(session, job)
                session.commit()
    if not key:
        raise NotFound(f"export {job_id} has no {kind} file")
    url = ctx.store.presigned_url(key, ctx.settings.export_link_seconds)
    if url:
        return RedirectResponse(url)
    ext = key.rsplit(".", 1)[-1]
    with ctx.store.open_local(key) as local:
        # Local disk: open_local yields the stored file itself, which outlives this block.
        return FileResponse(
            local,
            media_type=_MEDIA_TYPES.get(ext, "application/octet-stream"),
            filename=key.rsplit("/", 1)[-1],
        )
