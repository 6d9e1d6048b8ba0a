"""The clip page's layout picker: the first frame with the facecam found in it, and the
still preview of a 9:16 export (the work is done in ``clippy.export.clip_layout``)."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from clippy.errors import NotFound
from clippy.export import ExportRefused, Layout, clip_frame, parse_layout, preview_export
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.params import IdPath

router = APIRouter(prefix="/app/clips", include_in_schema=False)
_FACECAM_FIELDS = {
    "x": "facecam_x",
    "y": "facecam_y",
    "width": "facecam_width",
    "height": "facecam_height",
    "frame_width": "frame_width",
    "frame_height": "frame_height",
}


def layout_from_form(form: FormData) -> Layout | None:
    """The layout the clip page's export form sends (``None`` when it sends none, as a bare
    preset button without JavaScript may); ``ExportRefused`` names a wrong field."""
    if "reframe" not in form:
        return None
    cam = {k: str(form.get(field) or "") for k, field in _FACECAM_FIELDS.items()}
    return parse_layout(
        str(form.get("reframe")),
        str(form.get("caption_style") or "bold"),
        str(form.get("caption_position") or "bottom"),
        str(form.get("x_aspect") or "16:9"),
        cam if str(form.get("reframe")) == "split" else None,
    )


@router.get("/{clip_id}/layout/frame")
def first_frame(clip_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """The clip's first frame (a data URL), its size, and the facecam found in it."""
    store = get_ctx(request).store
    try:
        with tempfile.TemporaryDirectory(prefix="clippy-frame-") as tmp:
            jpeg, frame = clip_frame(session, store, user, clip_id, Path(tmp))
    except NotFound:
        return JSONResponse({"detail": f"clip {clip_id} not found"}, status_code=404)
    except ExportRefused as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    cam = frame.facecam
    return JSONResponse(
        {
            "image": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"),
            "width": frame.width,
            "height": frame.height,
            "facecam": None
            if cam is None
            else {"x": cam.x, "y": cam.y, "width": cam.w, "height": cam.h},
        }
    )


@router.post("/{clip_id}/layout/preview", dependencies=[CsrfChecked])
async def preview(
    clip_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """The first frame of a 9:16 export with the posted layout (JPEG); the render time is in
    the ``X-Render-Seconds`` header and the layout drawn in ``X-Layout``."""
    try:
        layout = layout_from_form(await request.form()) or Layout()
    except ExportRefused as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    store = get_ctx(request).store
    try:
        with tempfile.TemporaryDirectory(prefix="clippy-preview-") as tmp:
            result = await run_in_threadpool(
                preview_export, session, store, user, clip_id, layout, Path(tmp)
            )
    except NotFound:
        return JSONResponse({"detail": f"clip {clip_id} not found"}, status_code=404)
    except ExportRefused as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    return Response(
        result.jpeg,
        media_type="image/jpeg",
        headers={
            "X-Render-Seconds": f"{result.seconds:.3f}",
            "X-Layout": result.layout,
            "Cache-Control": "no-store",
        },
    )
