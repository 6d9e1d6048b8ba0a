"""Export API against the running app: queue, progress, download, scoping, refusals,
cancel, retry-then-fail, batch zip, business webhooks."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clippy.webhooks.transport import SIGNATURE_HEADER, verify
from tests.export.conftest import probe_json, seed_clip, wait_export
from tests.fixtures.app import auth, register_user
from tests.fixtures.webhook_receiver import LOOPBACK_ALLOWED

WORDS = [
    {"text": w, "start": 100.0 + s, "end": 100.0 + s + 0.4}
    for w, s in [("what", 0.5), ("a", 0.9), ("shot", 1.3), ("wow", 2.0)]
]
# Quick retries; webhooks may call this module's loopback receiver.
FAST = {
    "export_retry_seconds": 0.2,
    "webhook_backoff_seconds": 0.2,
    "egress_allow_hosts": LOOPBACK_ALLOWED,
}


@pytest.fixture
def sqlite_client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A started app on SQLite (render-heavy tests need not run on both databases)."""
    from clippy.config import Settings
    from clippy.web.app import create_app

    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=sqlite_url,
        secret_key="test-secret-0123456789abcdef0123456789abcdef",
        pipeline_enabled=False,
        retention_interval_seconds=3600.0,
        **FAST,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _video_size(data: bytes, tmp: Path) -> tuple[int, int]:
    path = tmp / f"v{time.monotonic_ns()}.mp4"
    path.write_bytes(data)
    v = next(s for s in probe_json(path)["streams"] if s["codec_type"] == "video")
    return int(v["width"]), int(v["height"])


def test_export_flow_scoping_and_refusals(
    make_client: Callable[..., TestClient], pattern_clip: Path, tmp_path: Path
) -> None:
    client = make_client(**FAST)
    a = register_user(client, "a@example.test")
    b = register_user(client, "b@example.test")
    clip_id = seed_clip(client, "a@example.test", pattern_clip, words=WORDS, plan="pro")

    r = client.post(
        f"/api/v1/clips/{clip_id}/exports",
        headers=auth(a),
        json={"preset": "shorts", "caption_style": "karaoke"},
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    job = wait_export(client, a, job_id, ("done", "failed"))
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0 and job["result"]["width"] == 1080
    video = client.get(job["download_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert _video_size(video.content, tmp_path) == (1080, 1920)
    srt = client.get(job["srt_url"]).text
    assert "what a shot" in srt and "-->" in srt
    assert "WEBVTT" in client.get(job["vtt_url"]).text
    redirect = client.get(
        f"/api/v1/exports/{job_id}/download", headers=auth(a), follow_redirects=False
    )
    assert redirect.status_code == 307
    assert client.get(job["download_url"].replace("sig=", "sig=0")).status_code == 403
    assert [j["id"] for j in client.get("/api/v1/exports", headers=auth(a)).json()] == [job_id]

    # Another user sees none of it.
    for method, path in [
        ("GET", f"/api/v1/exports/{job_id}"),
        ("POST", f"/api/v1/exports/{job_id}/cancel"),
        ("POST", f"/api/v1/exports/{job_id}/retry"),
        ("GET", f"/api/v1/exports/{job_id}/download"),
    ]:
        assert client.request(method, path, headers=auth(b)).status_code == 404, path
    other = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(b), json={"preset": "shorts"}
    )
    assert other.status_code == 404
    assert client.get("/api/v1/exports", headers=auth(b)).json() == []
    assert client.get(f"/api/v1/exports/{job_id}").status_code == 401

    # Refusals say what to do.
    too_long = seed_clip(
        client, "a@example.test", pattern_clip, ranges=[(0.0, 61.0)], title="long", duration=61.0
    )
    r = client.post(f"/api/v1/clips/{too_long}/exports", headers=auth(a), json={"preset": "shorts"})
    assert r.status_code == 422 and r.json()["detail"]["trim_to"] == 60.0
    assert "trim it to 1:00.0 or less" in r.json()["detail"]["message"]
    ok = client.post(
        f"/api/v1/clips/{too_long}/exports", headers=auth(a), json={"preset": "tiktok"}
    )
    assert ok.status_code == 202
    r = client.post(f"/api/v1/clips/{clip_id}/exports", headers=auth(a), json={"preset": "vine"})
    assert r.status_code == 422 and "shorts, tiktok, reels, x" in r.json()["detail"]
    assert (
        client.post(f"/api/v1/exports/{job_id}/retry", headers=auth(a)).status_code == 409
    )  # done: nothing to retry
    free_clip = seed_clip(client, "b@example.test", pattern_clip, title="free")
    r = client.post(
        f"/api/v1/clips/{free_clip}/exports",
        headers=auth(b),
        json={"preset": "reels", "quality": 1080},
    )
    assert r.status_code == 422 and "at most 720p" in r.json()["detail"]
    presets = client.get("/api/v1/export-presets").json()
    assert {p["name"]: p["max_seconds"] for p in presets} == {
        "shorts": 60.0,
        "tiktok": 180.0,
        "reels": 90.0,
        "x": 140.0,
    }
    wait_export(client, a, ok.json()["id"], ("done", "failed"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_cancel_kills_ffmpeg_and_leaves_no_file(sqlite_client: TestClient, long_clip: Path) -> None:
    client = sqlite_client
    token = register_user(client, "c@example.test")
    clip_id = seed_clip(client, "c@example.test", long_clip, plan="pro")
    queue = client.app.state.ctx.jobs.exports  # type: ignore[attr-defined]
    store = client.app.state.ctx.store  # type: ignore[attr-defined]
    job_id = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(token), json={"preset": "tiktok"}
    ).json()["id"]
    deadline = time.monotonic() + 60
    while job_id not in queue.running_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = queue.running_pids()[job_id]
    assert _alive(pid)
    # Live progress through the API while ffmpeg runs.
    progress = 0.0
    while progress == 0.0 and time.monotonic() < deadline:
        progress = client.get(f"/api/v1/exports/{job_id}", headers=auth(token)).json()["progress"]
        time.sleep(0.1)
    assert 0.0 < progress < 1.0
    r = client.post(f"/api/v1/exports/{job_id}/cancel", headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "ffmpeg still running after cancel"
    time.sleep(0.5)
    job = client.get(f"/api/v1/exports/{job_id}", headers=auth(token)).json()
    assert job["status"] == "canceled" and job["download_url"] is None
    assert list(store.list("exports/")) == []
    again = client.post(f"/api/v1/exports/{job_id}/cancel", headers=auth(token))
    assert again.status_code == 409


def test_failed_render_is_retried_then_reported(
    sqlite_client: TestClient, pattern_clip: Path, tmp_path: Path
) -> None:
    client = sqlite_client
    token = register_user(client, "d@example.test")
    clip_id = seed_clip(client, "d@example.test", pattern_clip)
    store = client.app.state.ctx.store  # type: ignore[attr-defined]
    with client.app.state.ctx.session_factory() as session:  # type: ignore[attr-defined]
        from clippy.db.models import Clip

        key = session.get(Clip, clip_id).file_key
    store.put_bytes(key, b"\x00" * 4096)  # the stored clip got corrupted
    job_id = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(token), json={"preset": "shorts"}
    ).json()["id"]
    job = wait_export(client, token, job_id, ("failed", "done"), timeout=60)
    assert job["status"] == "failed" and job["attempts"] == 2
    assert job["error"].startswith("export failed after 2 attempt(s):")
    assert "Invalid data" in job["error"] or "invalid" in job["error"].lower()
    assert list(store.list("exports/")) == []
    # Retry after the cause is fixed: it goes through.
    store.put_file(key, pattern_clip)
    r = client.post(f"/api/v1/exports/{job_id}/retry", headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "queued"
    job = wait_export(client, token, job_id, ("failed", "done"))
    assert job["status"] == "done" and job["attempts"] == 1 and job["error"] is None


def test_batch_five_clips_two_presets_one_zip(
    sqlite_client: TestClient, export_media: Path, tmp_path: Path
) -> None:
    from tests.export.media import pattern_video

    client = sqlite_client
    token = register_user(client, "e@example.test")
    short = pattern_video(export_media / "short.mp4", 1.0, size="320x180")
    ids = [
        # Free plan: 720p renders keep the ten encodes quick.
        seed_clip(client, "e@example.test", short, words=WORDS, title=f"clip {k}")
        for k in range(5)
    ]
    r = client.post(
        "/api/v1/exports/batch",
        headers=auth(token),
        json={"clip_ids": ids, "presets": ["shorts", "x"], "options": {"max_words": 2}},
    )
    assert r.status_code == 202, r.text
    job = wait_export(client, token, r.json()["id"], ("done", "failed"), timeout=240)
    assert job["status"] == "done", job["error"]
    data = client.get(job["download_url"]).content
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        videos = sorted(n for n in zf.namelist() if n.endswith(".mp4"))
        assert len(videos) == 10
        sizes = {_video_size(zf.read(n), tmp_path) for n in videos}
        subtitles = sorted(n for n in zf.namelist() if n.endswith(".srt"))
        assert len(subtitles) == 10
        assert "\nwhat a\n" in zf.read(subtitles[0]).decode()  # max_words=2
    assert sizes == {(720, 1280), (1280, 720)}
    assert {n.rsplit("-", 1)[1] for n in videos} == {"shorts.mp4", "x.mp4"}
    # A clip of someone else refuses the whole batch.
    other = register_user(client, "f@example.test")
    r = client.post(
        "/api/v1/exports/batch", headers=auth(other), json={"clip_ids": ids, "presets": ["x"]}
    )
    assert r.status_code == 404


class _Receiver(BaseHTTPRequestHandler):
    calls: list[tuple[dict[str, str], bytes]] = []
    fail_first = 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append((dict(self.headers), body))
        failing = len(type(self).calls) <= type(self).fail_first
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_business_webhook_is_signed_and_retried(
    sqlite_client: TestClient, pattern_clip: Path
) -> None:
    client = sqlite_client
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        free = register_user(client, "g@example.test")
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        r = client.post("/api/v1/webhooks", headers=auth(free), json={"url": url})
        assert r.status_code == 403 and "Business plan" in r.json()["detail"]
        token = register_user(client, "h@example.test")
        clip_id = seed_clip(client, "h@example.test", pattern_clip, plan="business")
        hook = client.post("/api/v1/webhooks", headers=auth(token), json={"url": url}).json()
        assert len(hook["secret"]) == 64
        assert client.get("/api/v1/webhooks", headers=auth(token)).json()[0]["secret"] is None
        job_id = client.post(
            f"/api/v1/clips/{clip_id}/exports",
            headers=auth(token),
            json={"preset": "x", "aspect": "1:1", "captions": False},
        ).json()["id"]
        assert wait_export(client, token, job_id, ("done", "failed"))["status"] == "done"
        deadline = time.monotonic() + 20
        while len(_Receiver.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.shutdown()
    assert len(_Receiver.calls) == 2  # the first answer was a 500: delivered on the retry
    headers, body = _Receiver.calls[1]
    assert verify(hook["secret"], body, headers[SIGNATURE_HEADER])
    assert not verify("wrong-secret", body, headers[SIGNATURE_HEADER])
    event = json.loads(body)
    assert event["type"] == "export.completed" and event["data"]["export_id"] == job_id
    assert client.get(event["data"]["download_url"]).status_code == 200


def test_edited_captions_are_burned_instead_of_the_transcript(
    sqlite_client: TestClient, pattern_clip: Path
) -> None:
    from clippy.db.models import ClipCaption

    client = sqlite_client
    token = register_user(client, "i@example.test")
    clip_id = seed_clip(client, "i@example.test", pattern_clip, words=WORDS)
    with client.app.state.ctx.session_factory() as session:  # type: ignore[attr-defined]
        lines = [{"start": 0.5, "end": 2.0, "text": "edited by hand"}]
        session.add(ClipCaption(clip_id=clip_id, lines=lines, style="clean"))
        session.commit()
    job_id = client.post(
        f"/api/v1/clips/{clip_id}/exports", headers=auth(token), json={"preset": "reels"}
    ).json()["id"]
    job = wait_export(client, token, job_id, ("done", "failed"))
    assert job["status"] == "done", job["error"]
    srt = client.get(job["srt_url"]).text
    assert "edited by hand" in srt and "what a shot" not in srt
    assert "00:00:00,500 --> 00:00:02,000" in srt
