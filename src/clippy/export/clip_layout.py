"""Layouts of a user's clips: the stream's remembered default, the still preview, and the
frame the facecam is drawn on (the thin shell around ``layouts`` and ``preview``)."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from clippy.accounts import get_plan, visible_user_ids
from clippy.branding import Branding, job_branding
from clippy.clips import CAPTION_STYLES, visible_clip
from clippy.db import Clip, ClipCaption, Stream, User
from clippy.export.layouts import PREVIEW_ASPECT, Layout, stored_layout, with_layout
from clippy.export.plan import plan_export
from clippy.export.presets import PRESETS, ExportRefused, Preset
from clippy.export.preview import SourceFrame, render_preview, source_frame
from clippy.export.worker import load_source
from clippy.storage import ObjectNotFound, ObjectStore

log = logging.getLogger(__name__)


def clip_layout(session: Session, clip: Clip) -> Layout:
    """The layout the clip page starts from: the stream's remembered one (or the default),
    with the caption style saved in the clip's caption editor when there is one."""
    stream = session.get(Stream, clip.stream_id)
    layout = stored_layout(stream.settings if stream else None) or Layout()
    saved = session.get(ClipCaption, clip.id)
    if saved is not None and saved.style in CAPTION_STYLES and saved.style != layout.caption_style:
        layout = Layout(
            layout.reframe, layout.facecam, saved.style, layout.caption_position, layout.x_aspect
        )
    return layout


def remember_layout(session: Session, clip: Clip, layout: Layout) -> None:
    """Make ``layout`` the default of the clip's stream (its next clips start from it)."""
    stream = session.get(Stream, clip.stream_id)
    if stream is not None:
        stream.settings = with_layout(stream.settings, layout)


def preview_preset(duration: float) -> Preset:
    """The 9:16 preset a preview renders as: the first one that takes a clip this long."""
    for p in PRESETS.values():
        if PREVIEW_ASPECT in p.aspects and duration <= p.max_seconds + 1e-3:
            return p
    raise ExportRefused(
        "this clip is longer than every platform allows; trim it before previewing an export"
    )


@dataclass(frozen=True)
class PreviewResult:
    """The preview's JPEG bytes, the layout drawn, and how long rendering took."""

    jpeg: bytes
    layout: str
    seconds: float


def preview_export(
    session: Session, store: ObjectStore, user: User, clip_id: int, layout: Layout, work: Path
) -> PreviewResult:
    """The first frame of a 9:16 export of one of the caller's clips with ``layout``,
    rendered as the export would be (captions, watermark and logo by the user's plan)."""
    started = time.perf_counter()
    clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    if clip.status != "ready" or not clip.file_key:
        raise ExportRefused(f"clip {clip_id} is {clip.status}; preview it once it has been cut")
    options = layout.options(preview_preset(clip.duration), aspect=PREVIEW_ASPECT)
    source = load_source(session, clip.id)
    branding = Branding.from_json(job_branding(user))
    plan = plan_export(options, get_plan(user.plan), source.ranges, source.duration, branding)
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(store.open_local(source.file_key))
        logo_file = None
        if plan.branding is not None:
            with contextlib.suppress(ObjectNotFound):  # the render goes without it too
                logo_file = stack.enter_context(store.open_local(plan.branding.key))
        preview = render_preview(
            local,
            plan,
            source.words,
            source.region,
            work,
            edited=source.edited,
            logo_file=logo_file,
        )
        jpeg = preview.image.read_bytes()
    seconds = time.perf_counter() - started
    log.info("preview of clip %s (%s) in %.2f s", clip_id, preview.layout, seconds)
    return PreviewResult(jpeg, preview.layout, seconds)


def clip_frame(
    session: Session, store: ObjectStore, user: User, clip_id: int, work: Path
) -> tuple[bytes, SourceFrame]:
    """The first frame of one of the caller's clips (JPEG) and the facecam found in it."""
    clip = visible_clip(session, visible_user_ids(session, user), clip_id)
    if not clip.file_key:
        raise ExportRefused(f"clip {clip_id} has no video yet")
    stream = session.get(Stream, clip.stream_id)
    with store.open_local(clip.file_key) as local:
        frame = source_frame(local, stream.video_region if stream else None, work)
        return frame.image.read_bytes(), frame


__all__ = [
    "PreviewResult",
    "clip_frame",
    "clip_layout",
    "preview_export",
    "preview_preset",
    "remember_layout",
]
