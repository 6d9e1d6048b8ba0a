"""What every platform uploader gets and gives back (no I/O here)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clippy.publish.replies import network

__all__ = ["Outcome", "UploadJob", "UploadState", "VideoMeta", "put_range", "read_range"]


@dataclass(frozen=True)
class VideoMeta:
    """What the viewer sees: title, description, tags, and who may watch
    (``private`` | ``unlisted`` | ``public``)."""

    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    privacy: str = "private"


@dataclass
class UploadState:
    """An upload's resumable state, saved after every acknowledged chunk: the session URL
    (YouTube) or publish id and upload URL (TikTok), and the bytes the platform holds."""

    upload_url: str | None = None
    remote_id: str | None = None
    sent: int = 0


@dataclass(frozen=True)
class Outcome:
    """The platform's answer after the upload: ``published`` with the video's URL (when
    the platform says it), or still processing on the platform's side."""

    remote_id: str
    published: bool
    video_url: str | None = None


@dataclass
class UploadJob:
    """One attempt to upload ``path``: the HTTP client, the access token, and ``save``,
    called with the state after each step so a crash resumes instead of starting over."""

    http: httpx.Client
    api_base: str
    access_token: str
    path: Path
    meta: VideoMeta
    state: UploadState
    save: Callable[[UploadState], None]
    chunk_bytes: int
    chunk_retries: int = 3
    chunk_retry_pause: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    @property
    def size(self) -> int:
        """The file's length in bytes."""
        return self.path.stat().st_size

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.access_token}"}


def read_range(path: Path, start: int, end: int) -> bytes:
    """Bytes ``[start, end)`` of ``path``."""
    with path.open("rb") as f:
        f.seek(start)
        return f.read(end - start)


def put_range(job: UploadJob, platform: str, url: str, start: int, end: int) -> httpx.Response:
    """PUT bytes ``[start, end)`` of the file to ``url`` with their ``Content-Range``
    (both platforms' chunk requests)."""
    headers = {
        "Content-Type": "video/mp4",
        "Content-Range": f"bytes {start}-{end - 1}/{job.size}",
    }
    if platform == "youtube":  # TikTok's upload URL carries its own authorisation
        headers.update(job.auth)
    data = read_range(job.path, start, end)
    return network(platform, job.http.put, url, headers=headers, content=data)
