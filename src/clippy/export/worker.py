"""One attempt at one export job: render, store the results, mark the row.

Results go to the object store only after ffmpeg has finished, each write atomic, so a
canceled or failed render leaves no object behind; a cancel that lands during the upload
deletes what was written.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import get_plan
from clippy.branding import SETTINGS_KEY as BRANDING_KEY
from clippy.branding import Branding
from clippy.clips import STREAM_BAND, clip_spans
from clippy.db import Clip, ClipCaption, ExportJob, ExportStatus, Stream, User, utcnow
from clippy.export.jobs import batch_items
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.progress import RenderCanceled
from clippy.export.render import render_export
from clippy.storage import ObjectNotFound, ObjectStore, export_prefix
from clippy.transcribe import words_between

log = logging.getLogger(__name__)
OnStart = Callable[[subprocess.Popen[bytes]], None]
# Progress goes to the database at most this often (each write is a transaction).
_PROGRESS_EVERY = 0.5


@dataclass(frozen=True)
class _Source:
    clip_id: int
    title: str
    file_key: str
    ranges: list[tuple[float, float]]
    duration: float
    region: dict[str, Any] | None
    words: list[dict[str, Any]]
    edited: list[dict[str, Any]] | None  # caption lines saved in the clip editor


def load_source(session: Session, clip_id: int) -> _Source:
    """What rendering a clip needs from the database: its file, ranges, the stream's video
    region, the transcript's words and any caption lines saved in the editor."""
    clip = session.get(Clip, clip_id)
    if clip is None or not clip.file_key:
        raise RuntimeError(f"clip {clip_id} is gone or has no video; it cannot be exported")
    stream = session.get(Stream, clip.stream_id)
    ranges: list[tuple[float, float]] = []
    words: list[dict[str, Any]] = []
    for k, (sid, a, b) in enumerate(clip_spans(clip)):
        # Another stream's range (a callback's setup) and its words move to a band of their
        # own, so captions find the range they belong to.
        shift = 0.0 if sid == clip.stream_id else (k + 1) * STREAM_BAND
        ranges.append((a + shift, b + shift))
        words.extend(
            {**w, "start": float(w["start"]) + shift, "end": float(w["end"]) + shift}
            for w in words_between(session, sid, a, b)
        )
    saved = session.get(ClipCaption, clip.id)
    return _Source(
        clip.id,
        clip.title,
        clip.file_key,
        ranges,
        clip.duration,
        stream.video_region if stream else None,
        words,
        list(saved.lines) if saved is not None else None,
    )


class _Progress:
    """Writes a job's progress to its row, throttled; ``scale`` maps one item into a batch."""

    def __init__(self, session_factory: sessionmaker[Session], job_id: int) -> None:
        self.session_factory, self.job_id = session_factory, job_id
        self.last = 0.0
        self.listeners: list[Callable[[float], None]] = []

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < _PROGRESS_EVERY and fraction < 1.0:
            return
        self.last = now
        with self.session_factory() as session:
            job = session.get(ExportJob, self.job_id)
            if job is not None and job.status == ExportStatus.RUNNING:
                job.progress = round(min(fraction, 0.999), 4)
                session.commit()
        for fn in self.listeners:
            fn(fraction)


def _branding_status(branding: Branding | None, planned: bool, branded: bool) -> str | None:
    """What the result says about the logo: ``None`` when the job recorded none."""
    if branding is None:
        return None
    if not planned:
        return "not on plan"
    return "applied" if branded else "logo missing"


def _render_one(
    store: ObjectStore,
    source: _Source,
    options: ExportOptions,
    plan_name: str,
    work: Path,
    progress: Callable[[float], None],
    cancel: threading.Event,
    on_start: OnStart | None,
    branding: Branding | None = None,
) -> tuple[Path, Path | None, Path | None, dict[str, Any]]:
    plan = plan_export(options, get_plan(plan_name), source.ranges, source.duration, branding)
    work.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(store.open_local(source.file_key))
        logo_file = None
        if plan.branding is not None:
            try:
                logo_file = stack.enter_context(store.open_local(plan.branding.key))
            except ObjectNotFound:
                # A missing logo must not cost the user the export: render without it.
                log.warning("logo %s is missing; exporting without it", plan.branding.key)
        res = render_export(
            local,
            plan,
            source.words,
            source.region,
            work,
            on_progress=progress,
            cancel=cancel,
            on_start=on_start,
            edited=source.edited,
            logo_file=logo_file,
        )
    info: dict[str, Any] = {
        "width": plan.width,
        "height": plan.height,
        "duration": plan.timeline.duration,
        "layout": res.layout,
    }
    status = _branding_status(branding, plan.branding is not None, res.branded)
    if status is not None:
        info["branding"] = status
    return res.video, res.srt, res.vtt, info


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "clip"


def run_job(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    job_id: int,
    cancel: threading.Event,
    *,
    on_start: OnStart | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> ExportJob | None:
    """Render job ``job_id`` (already marked running) and store its results; returns the
    finished row, or ``None`` when it was canceled. Raises on failure (the caller retries)."""
    progress = _Progress(session_factory, job_id)
    if on_progress is not None:
        progress.listeners.append(on_progress)
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None:
            return None
        user = session.get(User, job.user_id)
        plan_name = user.plan if user else "free"
        user_id, kind = job.user_id, job.kind
        branding = Branding.from_json(job.options.get(BRANDING_KEY))
        if kind == "batch":
            items = batch_items(job)
        else:
            assert job.clip_id is not None
            items = [(job.clip_id, ExportOptions.from_json(job.options))]
        sources = {cid: load_source(session, cid) for cid in dict.fromkeys(c for c, _ in items)}
    prefix = export_prefix(user_id, job_id)
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clippy-export-") as tmp:
        work = Path(tmp)
        try:
            if kind == "single":
                clip_id, options = items[0]
                video, srt, vtt, result = _render_one(
                    store,
                    sources[clip_id],
                    options,
                    plan_name,
                    work,
                    progress,
                    cancel,
                    on_start,
                    branding,
                )
                name = f"{_slug(sources[clip_id].title)}-{options.preset}"
                result_key = f"{prefix}{name}.mp4"
                store.put_file(result_key, video, content_type="video/mp4")
                written.append(result_key)
                for path, ext, ctype in (
                    (srt, "srt", "application/x-subrip"),
                    (vtt, "vtt", "text/vtt"),
                ):
                    if path is not None:
                        store.put_file(f"{prefix}{name}.{ext}", path, content_type=ctype)
                        written.append(f"{prefix}{name}.{ext}")
                        result[ext] = f"{prefix}{name}.{ext}"
            else:
                zip_path, result = _render_batch(
                    store, items, sources, plan_name, work, progress, cancel, on_start, branding
                )
                result_key = f"{prefix}clippy-export-{job_id}.zip"
                store.put_file(result_key, zip_path, content_type="application/zip")
                written.append(result_key)
            size = store.size(result_key)
        except BaseException:
            for key in written:
                store.delete(key)
            raise
    with session_factory() as session:
        job = session.get(ExportJob, job_id)
        if job is None or job.status != ExportStatus.RUNNING or cancel.is_set():
            # Canceled (or deleted) while uploading: take back what was written.
            for key in written:
                store.delete(key)
            if job is not None and cancel.is_set():
                raise RenderCanceled("the export was canceled")
            return None
        job.status = ExportStatus.DONE
        job.progress = 1.0
        job.error = None
        job.result_key = result_key
        job.result_size = size
        job.result = result
        job.finished_at = utcnow()
        session.commit()
        session.refresh(job)
        session.expunge(job)
        return job


def _render_batch(
    store: ObjectStore,
    items: list[tuple[int, ExportOptions]],
    sources: dict[int, _Source],
    plan_name: str,
    work: Path,
    progress: Callable[[float], None],
    cancel: threading.Event,
    on_start: OnStart | None,
    branding: Branding | None = None,
) -> tuple[Path, dict[str, Any]]:
    zip_path = work / "batch.zip"
    names: list[str] = []
    statuses: set[str] = set()
    # Stored, not deflated: MP4 does not compress further and deflating costs CPU.
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED) as zf:
        for k, (clip_id, options) in enumerate(items):
            src = sources[clip_id]

            def part(f: float, k: int = k) -> None:
                progress((k + f) / len(items))

            video, srt, _vtt, info = _render_one(
                store, src, options, plan_name, work / f"item{k}", part, cancel, on_start, branding
            )
            if "branding" in info:
                statuses.add(info["branding"])
            name = f"{src.clip_id}-{_slug(src.title)}-{options.preset}"
            zf.write(video, f"{name}.mp4")
            names.append(f"{name}.mp4")
            if srt is not None:
                zf.write(srt, f"{name}.srt")
            # The zip holds it now; a long batch should not need twice its size on disk.
            shutil.rmtree(work / f"item{k}", ignore_errors=True)
    result: dict[str, Any] = {"files": names}
    if statuses:
        # One logo for the whole batch; "logo missing" wins should it vanish midway.
        result["branding"] = min(statuses, key=("logo missing", "not on plan", "applied").index)
    return zip_path, result
