"""TikTok Content Posting API: direct post with ``FILE_UPLOAD``.

``POST /v2/post/publish/video/init/`` declares the size and the chunking and returns a
``publish_id`` and an ``upload_url``; each chunk is a PUT with ``Content-Range`` (206 until
the last, 201), then ``POST /v2/post/publish/status/fetch/`` reports ``PROCESSING_*``,
``PUBLISH_COMPLETE`` (with the post id once public) or ``FAILED`` (with ``fail_reason``).
The status also carries ``uploaded_bytes``, which is where an interrupted upload resumes.
"""

from __future__ import annotations

import json

from clippy.publish.errors import AuthExpired, PlatformError
from clippy.publish.replies import check, error_of, json_of, network
from clippy.publish.upload import Outcome, UploadJob, VideoMeta, put_range

__all__ = ["PRIVACY_LEVELS", "caption", "chunk_plan", "fetch_status", "upload"]

_P = "tiktok"
PRIVACY_LEVELS = {
    "private": "SELF_ONLY",
    "unlisted": "MUTUAL_FOLLOW_FRIENDS",
    "public": "PUBLIC_TO_EVERYONE",
}


def chunk_plan(size: int, chunk: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` byte ranges TikTok expects: ``size // chunk`` chunks, the last
    one taking the remainder; a file smaller than a chunk goes whole."""
    if size <= chunk:
        return [(0, size)]
    count = size // chunk
    bounds = [(i * chunk, (i + 1) * chunk) for i in range(count)]
    bounds[-1] = (bounds[-1][0], size)
    return bounds


def caption(meta: VideoMeta) -> str:
    """TikTok has one text field (2,200 characters): title, description and hashtags."""
    tags = " ".join(f"#{t.replace(' ', '')}" for t in meta.tags)
    return "\n".join(p for p in (meta.title, meta.description, tags) if p)[:2200]


def _init(job: UploadJob, plan: list[tuple[int, int]]) -> None:
    body = {
        "post_info": {
            "title": caption(job.meta),
            "privacy_level": PRIVACY_LEVELS.get(job.meta.privacy, "SELF_ONLY"),
            "disable_comment": False,
            "disable_duet": False,
            "disable_stitch": False,
        },
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": job.size,
            "chunk_size": plan[0][1] - plan[0][0],
            "total_chunk_count": len(plan),
        },
    }
    url = f"{job.api_base}/v2/post/publish/video/init/"
    headers = {**job.auth, "Content-Type": "application/json; charset=UTF-8"}
    r = network(_P, job.http.post, url, headers=headers, content=json.dumps(body))
    data = json_of(check(_P, r)).get("data") or {}
    if not data.get("publish_id") or not data.get("upload_url"):
        raise PlatformError("TikTok: init returned no publish_id/upload_url", retryable=True)
    job.state.remote_id = str(data["publish_id"])
    job.state.upload_url = str(data["upload_url"])
    job.state.sent = 0
    job.save(job.state)


def fetch_status(job: UploadJob) -> dict[str, object]:
    """The post's ``data`` from ``status/fetch`` (``status``, ``uploaded_bytes``, ...)."""
    url = f"{job.api_base}/v2/post/publish/status/fetch/"
    headers = {**job.auth, "Content-Type": "application/json; charset=UTF-8"}
    body = json.dumps({"publish_id": job.state.remote_id})
    r = network(_P, job.http.post, url, headers=headers, content=body)
    data: dict[str, object] = json_of(check(_P, r)).get("data") or {}
    return data


def outcome(publish_id: str, data: dict[str, object], handle: str) -> Outcome | None:
    """What a status means: published (with the post's URL once it is public), failed
    (raised with TikTok's reason), or ``None`` while TikTok is still working on it."""
    status = str(data.get("status", ""))
    if status == "FAILED":
        reason = str(data.get("fail_reason") or "unknown reason")
        raise PlatformError(f"TikTok: the post failed ({reason})", retryable=False)
    if status != "PUBLISH_COMPLETE":
        return None
    # The field's spelling is TikTok's own.
    ids = data.get("publicaly_available_post_id") or []
    post = str(ids[0]) if isinstance(ids, list) and ids else ""
    url = f"https://www.tiktok.com/@{handle}/video/{post}" if post and handle else None
    return Outcome(publish_id, True, url)


def _resume_offset(job: UploadJob, plan: list[tuple[int, int]]) -> int:
    """The start of the first chunk TikTok does not fully hold."""
    held = int(str(fetch_status(job).get("uploaded_bytes") or 0))
    return next((a for a, b in plan if b > held), job.size)


def _send_chunks(job: UploadJob, plan: list[tuple[int, int]]) -> None:
    for start, end in plan:
        if end <= job.state.sent:
            continue
        r = put_range(job, _P, job.state.upload_url or "", start, end)
        if r.status_code not in (201, 206):
            raise error_of(_P, r)
        job.state.sent = end
        job.save(job.state)


def upload(job: UploadJob, handle: str) -> Outcome:
    """Post ``job.path`` (resuming a saved upload from what TikTok reports holding) and
    return the first status after the upload. Dropped chunks are retried
    ``job.chunk_retries`` times before the error is raised."""
    plan = chunk_plan(job.size, job.chunk_bytes)
    failures = 0
    while True:
        try:
            if job.state.upload_url is None:
                _init(job, plan)
            elif job.state.sent < job.size:
                job.state.sent = _resume_offset(job, plan)
            _send_chunks(job, plan)
            assert job.state.remote_id is not None
            done = outcome(job.state.remote_id, fetch_status(job), handle)
            return done or Outcome(job.state.remote_id, False)
        except AuthExpired:
            raise
        except PlatformError as exc:
            failures += 1
            if not exc.retryable or failures > job.chunk_retries:
                raise
            job.sleep(job.chunk_retry_pause * 2 ** (failures - 1))
