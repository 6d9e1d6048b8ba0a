"""The archive played as one continuous stream: an HLS playlist of the stored mezzanine
segments and the segments themselves (hls.js plays them in the archive page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from clippy.accounts import visible_user_ids
from clippy.archive import hls_playlist, stored_spans
from clippy.clips import ensure_mezzanine
from clippy.errors import MediaError, NotFound
from clippy.ingest import visible_stream
from clippy.media.mezzanine import MEZZANINE_CONTENT_TYPE
from clippy.storage import ObjectNotFound
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import PageUser
from clippy.web.params import IdPath

router = APIRouter(prefix="/app/streams", include_in_schema=False)
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


@router.get("/{stream_id}/hls.m3u8")
def playlist(stream_id: IdPath, session: SessionDep, user: PageUser) -> Response:
    """Every stored segment of the stream, in order, as one playlist."""
    try:
        visible_stream(session, visible_user_ids(session, user), stream_id)
    except NotFound:
        return Response(status_code=404)
    spans = stored_spans(session, stream_id)
    text = hls_playlist(spans, lambda seq: f"hls/{seq}.ts")
    return Response(text, media_type=PLAYLIST_TYPE, headers={"Cache-Control": "no-store"})


@router.get("/{stream_id}/hls/{seq}.ts")
def segment(
    stream_id: IdPath, seq: int, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """One stored mezzanine segment (MPEG-TS), straight from the store."""
    try:
        visible_stream(session, visible_user_ids(session, user), stream_id)
    except NotFound:
        return Response(status_code=404)
    session.close()
    store = get_ctx(request).store
    if seq < 0:
        return Response(status_code=404)
    try:
        # Made now if the pipeline skipped it while busy (clips.mezzanines).
        key = ensure_mezzanine(store, stream_id, seq)
    except (ObjectNotFound, MediaError):
        return Response(status_code=404)
    url = store.presigned_url(key, expires_seconds=3600)
    if url:
        return RedirectResponse(url)
    try:
        with store.open_local(key) as local:
            # Local disk: open_local yields the stored file itself, which outlives this block.
            return FileResponse(
                local,
                media_type=MEZZANINE_CONTENT_TYPE,
                headers={"Cache-Control": "private, max-age=86400"},
            )
    except ObjectNotFound:
        return Response(status_code=404)
