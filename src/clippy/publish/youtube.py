"""YouTube Data API v3 ``videos.insert`` over the resumable upload protocol.

POST ``/upload/youtube/v3/videos?uploadType=resumable`` with the metadata returns the
session URI (``Location``); each PUT sends a chunk with ``Content-Range: bytes a-b/total``
and is answered 308 (``Range: bytes=0-N``: what the server holds) until the last, which
returns the video resource. After a failure, ``PUT`` with ``Content-Range: bytes */total``
asks the server what it holds, and the upload continues from there. A session that no
longer exists (404/410) starts over. A short vertical video is a Short; ``#Shorts`` in the
description makes that explicit.
"""

from __future__ import annotations

import json

from clippy.publish.errors import AuthExpired, PlatformError
from clippy.publish.replies import check, error_of, json_of, network
from clippy.publish.upload import Outcome, UploadJob, put_range

__all__ = ["short_description", "upload", "video_url"]

_P = "youtube"
# Google asks for chunks in multiples of 256 KiB (all but the last).
_CHUNK_UNIT = 256 * 1024


def video_url(video_id: str) -> str:
    """The public address of a Short."""
    return f"https://www.youtube.com/shorts/{video_id}"


def short_description(description: str) -> str:
    """The description with ``#Shorts`` once."""
    if "#shorts" in description.lower():
        return description
    return f"{description}\n\n#Shorts".strip()


def _start(job: UploadJob) -> str:
    body = {
        "snippet": {
            "title": job.meta.title[:100],
            "description": short_description(job.meta.description)[:5000],
            "tags": list(job.meta.tags),
            "categoryId": "20",  # Gaming
        },
        "status": {"privacyStatus": job.meta.privacy, "selfDeclaredMadeForKids": False},
    }
    url = f"{job.api_base}/upload/youtube/v3/videos"
    headers = {
        **job.auth,
        "Content-Type": "application/json; charset=UTF-8",
        "X-Upload-Content-Length": str(job.size),
        "X-Upload-Content-Type": "video/mp4",
    }
    params = {"uploadType": "resumable", "part": "snippet,status"}
    r = network(_P, job.http.post, url, params=params, headers=headers, content=json.dumps(body))
    location = check(_P, r).headers.get("Location")
    if not location:
        raise PlatformError("YouTube: no upload session URI in the answer", retryable=True)
    return location


def _held(range_header: str | None) -> int:
    """Bytes the server holds, from a 308's ``Range: bytes=0-N`` (none: nothing yet)."""
    if not range_header or "-" not in range_header:
        return 0
    return int(range_header.rsplit("-", 1)[1]) + 1


def _finished(job: UploadJob, body: dict[str, object]) -> Outcome:
    video_id = str(body.get("id") or "")
    if not video_id:
        raise PlatformError("YouTube: the upload finished without a video id", retryable=False)
    job.state.remote_id = video_id
    job.state.sent = job.size
    job.save(job.state)
    return Outcome(video_id, True, video_url(video_id))


def _query(job: UploadJob) -> Outcome | None:
    """Ask the session what it holds; the outcome when the upload is already complete."""
    assert job.state.upload_url is not None
    headers = {**job.auth, "Content-Length": "0", "Content-Range": f"bytes */{job.size}"}
    r = network(_P, job.http.put, job.state.upload_url or "", headers=headers)
    if r.status_code in (200, 201):
        return _finished(job, json_of(r))
    if r.status_code in (404, 410):
        job.state.upload_url, job.state.sent = None, 0  # the session expired: start over
        job.save(job.state)
        return None
    if r.status_code != 308:
        raise error_of(_P, r)
    job.state.sent = _held(r.headers.get("Range"))
    job.save(job.state)
    return None


def _send_chunks(job: UploadJob) -> Outcome:
    size = job.size
    step = max(_CHUNK_UNIT, job.chunk_bytes // _CHUNK_UNIT * _CHUNK_UNIT)
    while True:
        start = job.state.sent
        end = min(size, start + step)
        r = put_range(job, _P, job.state.upload_url or "", start, end)
        if r.status_code in (200, 201):
            return _finished(job, json_of(r))
        if r.status_code != 308:
            raise error_of(_P, r)
        job.state.sent = _held(r.headers.get("Range"))
        job.save(job.state)


def upload(job: UploadJob) -> Outcome:
    """Upload ``job.path`` as a Short, resuming a saved session; a dropped connection or a
    5xx mid-way is retried from what the server reports holding, ``job.chunk_retries``
    times, before the error is raised for the caller to retry later."""
    failures = 0
    while True:
        try:
            if job.state.upload_url is None:
                job.state.upload_url, job.state.sent = _start(job), 0
                job.save(job.state)
            elif (done := _query(job)) is not None:
                return done
            if job.state.upload_url is None:
                continue  # the old session expired; a new one starts above
            return _send_chunks(job)
        except AuthExpired:
            raise
        except PlatformError as exc:
            failures += 1
            if not exc.retryable or failures > job.chunk_retries:
                raise
            job.sleep(job.chunk_retry_pause * 2 ** (failures - 1))
