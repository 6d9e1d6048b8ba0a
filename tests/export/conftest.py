"""Fixtures for export tests: generated clips (cached per session) and output inspection."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clippy.accounts.users import set_plan
from clippy.db.models import Clip, ClipRange, Stream, TranscriptSegment, User
from clippy.storage.keys import clip_file_key
from tests.export.media import moving_face_video, pattern_video
from tests.fixtures.app import auth


@pytest.fixture(scope="session")
def export_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for this session's generated export sources."""
    return tmp_path_factory.mktemp("export-media")


@pytest.fixture(scope="session")
def pattern_clip(export_media: Path) -> Path:
    """3 s, 640x360: a flat dark frame with a small moving pattern, and a tone."""
    return pattern_video(export_media / "pattern.mp4", 3.0)


@pytest.fixture(scope="session")
def face_clip(export_media: Path) -> Path:
    """6 s, 640x360: a face gliding left to right."""
    return moving_face_video(export_media / "face.mp4")


def probe_json(path: Path) -> dict[str, Any]:
    """ffprobe's streams and format of ``path``."""
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-show_streams", "-show_format"),
            *("-of", "json", str(path)),
        ],
        capture_output=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def moov_before_mdat(path: Path) -> bool:
    """Whether the MP4's index comes before its media data (``-movflags +faststart``)."""
    data = path.read_bytes()
    pos, order = 0, []
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8].decode("latin-1")
        order.append(kind)
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            break
        pos += size
    return "moov" in order and "mdat" in order and order.index("moov") < order.index("mdat")


def frame_at(path: Path, t: float, png: Path | None = None) -> np.ndarray:
    """The RGB frame of ``path`` at ``t`` seconds (also saved as ``png`` when given)."""
    info = probe_json(path)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    w, h = int(v["width"]), int(v["height"])
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1"),
            *("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    frame = np.frombuffer(out, np.uint8).reshape(h, w, 3)
    if png is not None:
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", str(path)),
                *("-frames:v", "1", str(png)),
            ],
            check=True,
        )
    return frame


@pytest.fixture(scope="session")
def long_clip(export_media: Path) -> Path:
    """20 s, 640x360 (long enough to cancel its export mid-render)."""
    return pattern_video(export_media / "long.mp4", 20.0)


def seed_clip(
    client: TestClient,
    email: str,
    source: Path,
    *,
    ranges: list[tuple[float, float]] | None = None,
    words: list[dict[str, Any]] | None = None,
    title: str = "Big play",
    plan: str | None = None,
    duration: float | None = None,
) -> int:
    """A ready clip of ``email``'s user made from ``source`` (rows and stored file), as the
    clip pipeline would have left it; returns its id."""
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    duration = duration or float(probe_json(source)["format"]["duration"])
    ranges = ranges or [(100.0, 100.0 + duration)]
    with ctx.session_factory() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        if plan is not None:
            set_plan(session, user, plan)
        stream = Stream(user_id=user.id, client_stream_id=f"s-{title}", title="stream")
        session.add(stream)
        session.flush()
        clip = Clip(
            user_id=user.id,
            stream_id=stream.id,
            title=title,
            status="ready",
            duration=duration,
            ranges=[ClipRange(position=k, start=a, end=b) for k, (a, b) in enumerate(ranges)],
        )
        session.add(clip)
        session.flush()
        clip.file_key = clip_file_key(stream.id, clip.id)
        if words:
            session.add(
                TranscriptSegment(
                    stream_id=stream.id,
                    chunk_id="c0",
                    start_time=words[0]["start"],
                    end_time=words[-1]["end"],
                    text=" ".join(w["text"] for w in words),
                    words=words,
                )
            )
        session.commit()
        ctx.store.put_file(clip.file_key, source, content_type="video/mp4")
        return int(clip.id)


def wait_export(
    client: TestClient, token: str, job_id: int, until: tuple[str, ...], timeout: float = 180
) -> dict[str, Any]:
    """Poll the export until its status is one of ``until``; returns the last view."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/exports/{job_id}", headers=auth(token)).json()
        if job["status"] in until:
            return job
        time.sleep(0.2)
    raise AssertionError(f"export {job_id} did not reach {until} in {timeout} s: {job}")
