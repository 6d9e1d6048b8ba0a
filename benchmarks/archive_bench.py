"""Archive page first load for a 4-hour stream: the page, its frames, the start of playback.

Builds one 4-hour stream (1 440 processed 10 s segments with loudness features and transcript
chunks, 40 clips) in a fresh SQLite database, stores real mezzanine segments for the page's
ten-minute view, and times in-process requests (routing, session check, queries, template,
media: everything but the network):

- the page itself, cold (fresh process, empty loudness cache) and warm;
- the view's 20 thumbnails, made on request (before) and made ahead while segments were
  processed (``precompute_thumbnails``, now);
- the start of playback: the HLS playlist and its first segment (now), against cutting the
  one-minute preview MP4 the page used to play first (before).

    .venv/bin/python benchmarks/archive_bench.py
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from clippy.archive.media import precompute_thumbnails
from clippy.config import Settings
from clippy.db.models import Clip, ClipRange, Segment, Stream, TranscriptSegment, User
from clippy.media.mezzanine import transcode_to_mezzanine
from clippy.storage.keys import archive_thumb_key as thumb_key
from clippy.storage.keys import mezzanine_key
from clippy.web.app import create_app

HOURS = 4
SEGMENT_SECONDS = 10.0
SEGMENTS = int(HOURS * 3600 / SEGMENT_SECONDS)
VIEW_SEGMENTS = 60  # the page opens on the newest ten minutes
PASSWORD = "benchmark password"


def _mezzanine(work: Path) -> Path:
    src = work / "src.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=10"),
            *("-f", "lavfi", "-i", "sine=frequency=440:d=10", "-c:v", "libx264"),
            *("-preset", "ultrafast", "-c:a", "aac", str(src)),
        ],
        check=True,
    )
    transcode_to_mezzanine(src, work / "mezz.ts")
    return work / "mezz.ts"


def _populate(ctx: Any, email: str, mezz: Path) -> tuple[int, list[int]]:
    with ctx.session_factory() as s:
        user = s.scalars(select(User).where(User.email == email)).one()
        stream = Stream(user_id=user.id, client_stream_id="bench", title="Four hours")
        stream.received_until = SEGMENTS * SEGMENT_SECONDS
        s.add(stream)
        s.flush()
        sid = stream.id
        loud = [[-30.0 + (k * 7 + i) % 13 for i in range(10)] for k in range(SEGMENTS)]
        s.execute(
            insert(Segment),
            [
                {
                    "stream_id": sid,
                    "seq": k,
                    "start_time": k * SEGMENT_SECONDS,
                    "duration": SEGMENT_SECONDS,
                    "mime": "video/webm",
                    "size": 1,
                    "sha256": "0" * 64,
                    "storage_key": f"streams/{sid}/segments/{k}.webm",
                    "status": "done",
                    "features": {"loudness": loud[k]},
                }
                for k in range(SEGMENTS)
            ],
        )
        words = [
            "so",
            "we",
            "head",
            "to",
            "the",
            "left",
            "side",
            "of",
            "the",
            "map",
            "and",
            "check",
            "the",
            "settings",
        ]
        s.execute(
            insert(TranscriptSegment),
            [
                {
                    "stream_id": sid,
                    "chunk_id": f"c{k}",
                    "start_time": k * SEGMENT_SECONDS,
                    "end_time": k * SEGMENT_SECONDS + 9.0,
                    "text": " ".join(words),
                    "words": [
                        {"text": w, "start": k * 10 + i * 0.6, "end": k * 10 + i * 0.6 + 0.5}
                        for i, w in enumerate(words)
                    ],
                    "source": "server",
                }
                for k in range(SEGMENTS)
            ],
        )
        for c in range(40):
            clip = Clip(user_id=user.id, stream_id=sid, title=f"Clip {c}", status="ready")
            start = c * 360.0 + 100.0
            clip.ranges = [ClipRange(position=0, start=start, end=start + 40.0)]
            s.add(clip)
        s.commit()
    view = list(range(SEGMENTS - VIEW_SEGMENTS, SEGMENTS))
    for k in [0, *view]:
        ctx.store.put_file(mezzanine_key(sid, k), mezz)
    return sid, view


def _ms(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def _get(client: TestClient, path: str) -> Any:
    r = client.get(path)
    assert r.status_code in (200, 302, 307), (path, r.status_code)
    return r


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="clippy-archive-bench-") as tmp:
        work = Path(tmp)
        settings = Settings(
            data_dir=work / "data",
            database_url=f"sqlite:///{work}/bench.sqlite",
            secret_key="bench-secret-0123456789abcdef0123456789abcdef",
            pipeline_enabled=False,
        )
        mezz = _mezzanine(work)
        email = "bench@example.com"
        with TestClient(create_app(settings)) as client:
            r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
            r.raise_for_status()
            sid, view = _populate(client.app.state.ctx, email, mezz)  # type: ignore[attr-defined]
        # A fresh app: nothing cached in the process, as after a restart.
        with TestClient(create_app(settings)) as client:
            ctx = client.app.state.ctx  # type: ignore[attr-defined]
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
            assert token
            client.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            base = f"/app/streams/{sid}"
            html: list[str] = []
            cold = _ms(lambda: html.append(_get(client, base).text))
            warm = statistics.median(_ms(lambda: _get(client, base)) for _ in range(5))
            thumbs = [int(t) for t in re.findall(rf"{base}/thumbs/(\d+)\.jpg", html[0])]
            made = _ms(lambda: [_get(client, f"{base}/thumbs/{t}.jpg") for t in thumbs])
            for t in thumbs:
                ctx.store.delete(thumb_key(sid, t))
            with ctx.store.open_local(mezzanine_key(sid, view[0])) as local:
                for k in view:
                    precompute_thumbnails(ctx.store, sid, local, k * SEGMENT_SECONDS, 10.0)
            ahead = _ms(lambda: [_get(client, f"{base}/thumbs/{t}.jpg") for t in thumbs])
            playlist = _ms(lambda: _get(client, f"{base}/hls.m3u8"))
            first_segment = _ms(lambda: _get(client, f"{base}/hls/0.ts"))
            windows = re.findall(rf"{base}/preview/(\d+)\.mp4", html[0])
            preview = _ms(lambda: _get(client, f"{base}/preview/{windows[0]}.mp4"))
        rows = [
            ("page, first request (cold cache)", cold),
            ("page, warm (median of 5)", warm),
            (f"{len(thumbs)} thumbnails made on request (before)", made),
            (f"{len(thumbs)} thumbnails made ahead (now)", ahead),
            ("playback start: preview MP4 cut (before)", preview),
            ("playback start: HLS playlist + first segment (now)", playlist + first_segment),
        ]
        print(f"Archive of a {HOURS}-hour stream ({SEGMENTS} segments), in-process, ms")
        for name, ms in rows:
            print(f"  {name:<52} {ms:9.1f}")
        first_load = cold + ahead + playlist + first_segment
        before = cold + made + preview
        print(f"  {'first load now: page + thumbnails + playback start':<52} {first_load:9.1f}")
        print(f"  {'first load before: page + thumbnails + preview cut':<52} {before:9.1f}")
        print("reproduce: .venv/bin/python benchmarks/archive_bench.py")


if __name__ == "__main__":
    main()
