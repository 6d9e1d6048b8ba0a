"""Gallery page and gallery search: server time with 10 000 clips and 48 h of transcripts.

Builds one account with 10 streams, each with 48 h of server transcripts (one chunk per 10 s
segment, ~25 words, word timings as JSON like the pipeline stores them) and 1 000 clips,
then times ``GET /app/clips`` requests in-process (routing, session check, queries, template
rendering: everything but the network) and prints p50/p95 per request kind.

    .venv/bin/python benchmarks/dashboard_bench.py                    # SQLite (embedded)
    .venv/bin/python benchmarks/dashboard_bench.py --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from clippy.config import Settings
from clippy.db.models import Clip, ClipRange, ExportJob, Stream, TranscriptSegment, User
from clippy.web.app import create_app

STREAMS = 10
HOURS = 48
CHUNK_SECONDS = 10.0
CLIPS_PER_STREAM = 1000
WORDS_PER_CHUNK = 25
PASSWORD = "benchmark password"

# A Zipf-like vocabulary: a few very common words and a long tail, as in real speech.
_COMMON = [
    "the",
    "a",
    "and",
    "to",
    "of",
    "i",
    "you",
    "it",
    "is",
    "that",
    "in",
    "we",
    "this",
    "what",
    "so",
    "like",
    "just",
    "go",
    "no",
    "yes",
    "oh",
    "my",
    "lets",
    "okay",
    "right",
    "now",
    "here",
    "there",
    "get",
    "got",
    "do",
    "did",
    "was",
    "are",
    "be",
    "have",
    "they",
    "he",
    "she",
]
_TAIL = [
    f"{a}{b}"
    for a in ("dra", "sto", "fla", "bri", "cle", "mon", "gre", "tri")
    for b in (
        "gon",
        "rm",
        "sh",
        "dge",
        "ver",
        "key",
        "en",
        "ck",
        "ple",
        "nt",
        "ll",
        "st",
        "mp",
        "rd",
        "ng",
        "zz",
        "ft",
        "pt",
        "lk",
        "rn",
        "sk",
        "wn",
        "xy",
        "ly",
        "ze",
    )
]


def _sentence(rng: random.Random) -> list[str]:
    return [
        rng.choice(_COMMON) if rng.random() < 0.7 else rng.choice(_TAIL)
        for _ in range(WORDS_PER_CHUNK)
    ]


def _populate(ctx: Any, user_id: int, rng: random.Random, hours: float) -> None:
    factory = ctx.session_factory
    now = datetime.now(UTC)
    chunks = int(hours * 3600 / CHUNK_SECONDS)
    with factory() as s:
        for n in range(STREAMS):
            stream = Stream(
                user_id=user_id,
                client_stream_id=f"bench-{n}",
                title=f"Stream {n + 1}",
                status="ended",
                started_at=now - timedelta(hours=hours),
                received_until=hours * 3600.0,
            )
            s.add(stream)
            s.flush()
            rows = []
            spoken: list[tuple[float, str]] = []  # (start, word) in time order
            for i in range(chunks):
                t0 = i * CHUNK_SECONDS
                words = _sentence(rng)
                step = CHUNK_SECONDS / len(words)
                spoken.extend((round(t0 + k * step, 2), w) for k, w in enumerate(words))
                rows.append(
                    {
                        "stream_id": stream.id,
                        "chunk_id": f"seg-{i}",
                        "start_time": t0,
                        "end_time": t0 + CHUNK_SECONDS - 0.1,
                        "text": " ".join(words),
                        "words": [
                            {
                                "text": w,
                                "start": round(t0 + k * step, 2),
                                "end": round(t0 + (k + 0.8) * step, 2),
                            }
                            for k, w in enumerate(words)
                        ],
                        "source": "server",
                        "created_at": now,
                    }
                )
                if len(rows) == 5000:
                    s.execute(insert(TranscriptSegment), rows)
                    rows = []
            if rows:
                s.execute(insert(TranscriptSegment), rows)
            clips = []
            for _ in range(CLIPS_PER_STREAM):
                start = rng.uniform(0, hours * 3600 - 70)
                length = rng.uniform(15, 60)
                clip = Clip(
                    user_id=user_id,
                    stream_id=stream.id,
                    title=" ".join(rng.choice(_TAIL) for _ in range(3)).title(),
                    reason=rng.choice(["loudness spike", "chat burst", "key phrase", "shouting"]),
                    score=round(rng.uniform(0.5, 4.0), 2),
                    source="auto",
                    status="ready",
                    duration=length,
                    created_at=now - timedelta(seconds=rng.uniform(0, hours * 3600)),
                )
                clip.ranges = [ClipRange(position=0, start=start, end=start + length)]
                # What render_clip stores: the words spoken inside the range.
                lo = bisect.bisect_left(spoken, (start, ""))
                hi = bisect.bisect_left(spoken, (start + length, ""))
                clip.transcript_text = " ".join(w for _, w in spoken[lo:hi])
                clips.append(clip)
            s.add_all(clips)
            s.flush()
            s.add_all(_exports(user_id, [c.id for c in clips], rng, now))
            s.commit()
            print(
                f"  stream {n + 1}/{STREAMS}: {chunks} transcript chunks, {CLIPS_PER_STREAM} clips"
            )


def _exports(
    user_id: int, clip_ids: list[int], rng: random.Random, now: datetime
) -> list[ExportJob]:
    """Finished exports as users make them: one clip in ten to Shorts on its own, and ten
    batches of twenty clips to TikTok + Shorts (the exported-to filter reads both)."""
    jobs = [
        ExportJob(
            user_id=user_id,
            clip_id=cid,
            kind="single",
            preset="shorts",
            status="done",
            progress=1.0,
            options={"preset": "shorts"},
            result={},
            created_at=now,
        )
        for cid in rng.sample(clip_ids, len(clip_ids) // 10)
    ]
    for _ in range(10):
        batch = rng.sample(clip_ids, 20)
        jobs.append(
            ExportJob(
                user_id=user_id,
                kind="batch",
                preset="tiktok,shorts",
                status="done",
                progress=1.0,
                options={"clip_ids": batch, "presets": ["tiktok", "shorts"], "options": {}},
                result={},
                created_at=now,
            )
        )
    return jobs


def _login(client: TestClient, existing: bool) -> None:
    form = "/login" if existing else "/signup"
    page = client.get(form).text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token
    r = client.post(
        form,
        data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _time(client: TestClient, paths: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per request. Requests run one at a time, so the process's
    CPU time is the server's work; wall time also counts waiting for a busy machine."""
    wall, cpu = [], []
    for path in paths:
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get(path)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return wall, cpu


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument("--requests", type=int, default=60, help="requests per kind")
    parser.add_argument(
        "--hours", type=float, default=HOURS, help="transcript hours per stream (fewer: quicker)"
    )
    parser.add_argument(
        "--keep", default="", help="SQLite data dir to build once and reuse on later runs"
    )
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.keep or tmp)
        existing = not args.database_url and (data_dir / "clippy.db").exists()
        settings = Settings(
            data_dir=data_dir,
            database_url=args.database_url,
            secret_key="benchmark-secret-0123456789abcdef0123456789",
            pipeline_enabled=False,
            retention_interval_seconds=86400.0,
        )
        with TestClient(create_app(settings)) as client:
            ctx = client.app.state.ctx  # type: ignore[attr-defined]
            dialect = ctx.engine.dialect.name
            _login(client, existing)
            with ctx.session_factory() as s:
                user_id = s.scalar(select(User.id).where(User.email == "bench@example.com"))
            if existing:
                print(f"reusing the data in {data_dir}")
            else:
                print(f"building data on {dialect} ...")
                t0 = time.perf_counter()
                _populate(ctx, user_id, rng, args.hours)
                with ctx.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
                print(f"built in {time.perf_counter() - t0:.0f} s")
            n = args.requests
            pages = rng.choices(range(1, 400), k=n)
            kinds = {
                "gallery, first page": ["/app/clips"] * n,
                "gallery, random page (of 417)": [f"/app/clips?page={p}" for p in pages],
                "gallery, stream + score filter": [
                    f"/app/clips?stream={rng.randint(1, STREAMS)}&min_score=2" for _ in range(n)
                ],
                "gallery, exported to Shorts": ["/app/clips?exported=shorts"] * n,
                "exported to TikTok + score": ["/app/clips?exported=tiktok&min_score=2&sort=score"]
                * n,
                "search, rare word": [f"/app/clips?q={rng.choice(_TAIL)}" for _ in range(n)],
                "search, two rare words": [
                    f"/app/clips?q={rng.choice(_TAIL)}+{rng.choice(_TAIL)}" for _ in range(n)
                ],
                "search, common word": [f"/app/clips?q={rng.choice(_COMMON)}" for _ in range(n)],
                "search, no match": ["/app/clips?q=zeppelin"] * n,
            }
            _time(client, ["/app/clips", "/app/clips?q=the"])  # warm caches
            print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            print()
            print(f"{'request':32} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu p95':>8}")
            for name, paths in kinds.items():
                wall, cpu = _time(client, paths)
                print(
                    f"{name:32} {statistics.median(wall):9.1f} {_p95(wall):9.1f}"
                    f" {statistics.median(cpu):8.1f} {_p95(cpu):8.1f}"
                )
            print(f"(milliseconds) load average after: {os.getloadavg()[0]:.1f}")
            print()
            print(
                f"{dialect}: {STREAMS} streams x {args.hours:g} h transcripts "
                f"({STREAMS * int(args.hours * 3600 / CHUNK_SECONDS)} chunks), "
                f"{STREAMS * CLIPS_PER_STREAM} clips, {STREAMS * 110} finished exports"
                f" (singles and batches); {n} requests per kind, in-process."
            )
            print(
                "reproduce: .venv/bin/python benchmarks/dashboard_bench.py"
                " [--database-url URL] [--hours H]"
            )


if __name__ == "__main__":
    main()
