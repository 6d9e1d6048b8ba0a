"""A cluster on one machine: 2 ``clippy serve --no-worker`` + 2 ``clippy worker`` on
PostgreSQL and a real S3 server (SeaweedFS), fed 6 streams across both servers, makes the
same clips as one embedded server on the same input; each stream's detection ran in segment
order; a worker killed with SIGKILL mid-job has its job retried by the other, and no segment
is lost or processed into a clip twice.

Everything is real: processes, WebSockets, ffmpeg, PostgreSQL, S3. Speech recognition is off
(``transcriber=none``) so the run fits a loaded 2-core machine; detection still runs on the
audio and the chat.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from clippy.ingest.client import IngestClient
from tests.fixtures.db import _fresh_db
from tests.fixtures.s3 import S3Server
from tests.fixtures.server import ServerProcess, WorkerProcess

pytestmark = pytest.mark.timeout(2400)

STREAMS = 6
SEGMENTS = 3  # 30 s each


def _chat() -> list[tuple[float, str, str]]:
    """Calm chatter, two viewers asking for a clip (a moment every mode must clip the same
    way) and a burst of hype."""
    calm = [(t + 0.5, f"viewer{t % 7}", "nice") for t in range(0, 30, 4)]
    ask = [(12.0, "alice", "!clip"), (13.0, "bob", "!clip that")]
    burst = [(round(20.0 + k / 6, 2), f"hype{k}", "LETS GOOO") for k in range(30)]
    return sorted(calm + ask + burst)


@dataclass(frozen=True)
class Segment:
    """A generated 10 s MP4 segment (test pattern and a tone)."""

    seq: int
    start_time: float
    duration: float
    path: Path


def _segments(out: Path) -> list[Segment]:
    """Small H.264/AAC segments: quick to make and to process on a loaded machine."""
    out.mkdir(parents=True, exist_ok=True)
    segs = []
    for k in range(SEGMENTS):
        path = out / f"seg{k}.mp4"
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-y", "-f", "lavfi"),
                *("-i", "testsrc2=s=320x180:r=15:d=10"),
                *("-f", "lavfi", "-i", f"sine=frequency={300 + 40 * k}:d=10"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac"),
                *("-movflags", "+faststart", str(path)),
            ],
            check=True,
        )
        segs.append(Segment(k, 10.0 * k, 10.0, path))
    return segs


EMAIL = "network@example.test"


@pytest.fixture
def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty PostgreSQL database (procrastinate's schema included)."""
    yield from _fresh_db("postgresql", tmp_path, request)


async def _send(url: str, token: str, name: str, segs: list[Segment]) -> None:
    client = IngestClient(url, token, name, metadata={"title": name})
    await client.connect()
    for seg in segs:
        end = seg.start_time + seg.duration
        lines = [
            {"time": t, "author": a, "text": x} for t, a, x in _chat() if seg.start_time <= t < end
        ]
        if lines:
            assert (await client.request({"type": "chat", "lines": lines}))["type"] == "chat_ack"
        ack = await client.send_segment(
            seg.seq, seg.start_time, seg.duration, seg.path.read_bytes(), mime="video/mp4"
        )
        assert ack["type"] == "ack", ack
    assert (await client.request({"type": "stop"}))["type"] == "stopped"
    await client.close()


def _stream_all(urls: list[str], token: str, segs: list[Segment]) -> None:
    """The streams, concurrently, spread round-robin over ``urls``."""

    async def run() -> None:
        await asyncio.gather(
            *(_send(urls[k % len(urls)], token, f"stream-{k}", segs) for k in range(STREAMS))
        )

    asyncio.run(run())


def _sql(url: str, query: str) -> list[tuple[object, ...]]:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        eng.dispose()


def _clips(url: str) -> dict[str, list[tuple[float, float]]]:
    """Each stream's clip ranges (rounded), by client stream id."""
    rows = _sql(
        url,
        'SELECT s.client_stream_id, c.id, r.start, r."end" FROM clips c'
        " JOIN streams s ON s.id = c.stream_id JOIN clip_ranges r ON r.clip_id = c.id"
        " ORDER BY s.client_stream_id, c.id, r.start",
    )
    out: dict[str, list[tuple[float, float]]] = {f"stream-{k}": [] for k in range(STREAMS)}
    for name, _cid, start, end in rows:
        out[str(name)].append((round(float(start), 1), round(float(end), 1)))  # type: ignore[arg-type]
    return {k: sorted(v) for k, v in out.items()}


def _settled(url: str, jobs: bool) -> bool:
    segs = _sql(url, "SELECT status, count(*) FROM segments GROUP BY status")
    counts = {str(s): int(n) for s, n in segs}  # type: ignore[call-overload]
    if sum(counts.values()) < STREAMS * SEGMENTS or set(counts) - {"done", "failed"}:
        return False
    if _sql(url, "SELECT count(*) FROM clips WHERE status = 'pending'")[0][0]:
        return False
    if jobs:
        busy = _sql(url, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo','doing')")
        return not busy[0][0]
    return True


def _wait_settled(url: str, jobs: bool, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if _settled(url, jobs):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 10:  # final passes have had their turn
                return
        else:
            quiet_since = None
        time.sleep(1)
    left = _sql(url, "SELECT status, count(*) FROM segments GROUP BY status")
    raise AssertionError(f"not settled: {left}")


def _register(srv: ServerProcess) -> str:
    token = str(srv.register(EMAIL)["access_token"])
    srv.set_plan(EMAIL, "pro")
    return token


def test_cluster_makes_the_embedded_clips_in_order_and_survives_a_worker_kill(
    tmp_path: Path,
    pg_url: str,
    s3_server: S3Server,
) -> None:
    segs = _segments(tmp_path / "media")
    # Periodic sweeps (retention, publishing) hourly: the job table holds only the streams'.
    quick = {
        "CLIPPY_TRANSCRIBER": "none",
        "CLIPPY_RETENTION_INTERVAL_SECONDS": "3600",
        "CLIPPY_PUBLISH_CHECK_SECONDS": "3600",
    }

    # The embedded reference: one server, SQLite, local disk.
    ref_dir = tmp_path / "embedded"
    ref_dir.mkdir()
    ref_db = f"sqlite:///{ref_dir / 'clippy.db'}"
    ref = ServerProcess(data_dir=ref_dir / "data", database_url=ref_db, env_extra=quick)
    (ref_dir / "data").mkdir()
    ref.start()
    try:
        _stream_all([ref.ws], _register(ref), segs)
        _wait_settled(ref_db, jobs=False, timeout=900)
    finally:
        ref.stop()
    expected = _clips(ref_db)
    assert any(expected.values()), "the embedded run made no clip: nothing to compare"

    # The cluster: PostgreSQL jobs, one S3 bucket prefix shared by every node.
    shared = {
        **quick,
        "CLIPPY_JOB_BACKEND": "procrastinate",
        "CLIPPY_S3_BUCKET": s3_server.bucket,
        "CLIPPY_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "CLIPPY_S3_REGION": s3_server.region,
        "CLIPPY_S3_ACCESS_KEY_ID": s3_server.access_key_id,
        "CLIPPY_S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
        "CLIPPY_S3_PREFIX": f"cluster-{uuid.uuid4().hex[:8]}",
        "CLIPPY_JOB_HEARTBEAT_SECONDS": "1",
        "CLIPPY_JOB_STALLED_SECONDS": "4",
    }
    servers = []
    for k in range(2):
        data = tmp_path / f"node{k}"
        data.mkdir()
        servers.append(
            ServerProcess(
                data_dir=data, database_url=pg_url, env_extra=shared, args=["--no-worker"]
            )
        )
    workers = [
        WorkerProcess(
            env={**servers[0].env(), "CLIPPY_DATA_DIR": str(tmp_path / f"worker{k}")},
            log=tmp_path / f"worker{k}.log",
        )
        for k in range(2)
    ]
    try:
        for srv in servers:
            srv.start()
        token = _register(servers[0])
        workers[0].start()
        _stream_all([s.ws for s in servers], token, segs)
        # Kill the only worker in the middle of a job; the second worker takes over.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if _sql(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")[0][0]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("worker 0 never started a job")
        killed_at = time.monotonic()
        workers[0].kill()
        workers[1].start()
        _wait_settled(pg_url, jobs=True, timeout=900)
        recovered = time.monotonic() - killed_at
    finally:
        for w in workers:
            w.stop()
        for srv in servers:
            srv.stop()

    # No segment lost: every acknowledged segment was processed.
    statuses = _sql(pg_url, "SELECT status, count(*) FROM segments GROUP BY status")
    assert dict(statuses) == {"done": STREAMS * SEGMENTS}, statuses
    # The same clips as the embedded run, none twice.
    assert _clips(pg_url) == expected
    # The killed worker's job was retried (a second 'started' event), and nothing is stuck.
    retried = _sql(
        pg_url,
        "SELECT job_id FROM procrastinate_events WHERE type = 'started'"
        " GROUP BY job_id HAVING count(*) > 1",
    )
    assert retried, "no job was started twice: the kill did not hit a running job"
    assert not _sql(pg_url, "SELECT id FROM procrastinate_jobs WHERE status <> 'succeeded'")
    assert not _sql(pg_url, "SELECT id FROM export_jobs WHERE status = 'running'")
    # Each stream's segment jobs (processing, then detection) ran one after another in
    # segment order: each started after the previous one of its stream succeeded.
    runs = _sql(
        pg_url,
        "SELECT (j.args->>'stream_id')::int, (s.seq), max(e.at) FILTER (WHERE e.type = 'started'),"
        " max(e.at) FILTER (WHERE e.type = 'succeeded')"
        " FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id"
        " JOIN segments s ON s.id = (j.args->>'segment_id')::int"
        " WHERE j.task_name = 'clippy.segment' GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert len(runs) == STREAMS * SEGMENTS
    for prev, cur in itertools.pairwise(runs):
        if prev[0] == cur[0]:
            assert prev[3] <= cur[2], (prev, cur)  # type: ignore[operator]
    print(f"recovered {recovered:.1f} s after the kill (includes processing the backlog)")
