"""Upload throughput of publishing against the local fake YouTube/TikTok server
(tests/publish/fake_platforms.py, the same server the tests use): ``publish_one`` end to
end (token check, chunked upload with a database commit per acknowledged chunk, status),
per platform and chunk size, on SQLite.

The fake keeps every byte in memory and answers on loopback, so this measures Clippy's side
(reading the export, HTTP framing, per-chunk bookkeeping), not a platform's ingest speed.

    .venv/bin/python benchmarks/publish_bench.py [--mb 64] [--chunks 1,8,32] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.publish.conftest import add_finished_export  # noqa: E402
from tests.publish.fake_platforms import (  # noqa: E402
    CLIENT_ID,
    CLIENT_SECRET,
    GOOD_CODE,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    running_fake_platforms,
)

from clippy.config import Settings  # noqa: E402
from clippy.db import (  # noqa: E402
    ExportJob,
    make_engine,
    make_session_factory,
    upgrade,
)
from clippy.publish import (  # noqa: E402
    PublishConfig,
    Publisher,
    TokenBox,
    VideoMeta,
    account_of,
    create_publication,
    exchange_code,
    save_connection,
)
from clippy.storage import LocalStore  # noqa: E402

SECRET = "bench-secret-0123456789abcdef0123456789abcdef"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=64, help="export size in MiB")
    ap.add_argument("--chunks", default="1,8,32", help="chunk sizes in MiB")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    export_file = tmp / "export.mp4"
    export_file.write_bytes(os.urandom(args.mb * 1024 * 1024))
    db = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(db)
    factory = make_session_factory(make_engine(db))
    store = LocalStore(tmp / "objects")
    print(f"load average: {os.getloadavg()[0]:.1f}  export: {args.mb} MiB  runs: {args.runs}")
    print(f"{'platform':<9}{'chunk MiB':>10}{'wall s':>9}{'cpu s':>8}{'MiB/s':>9}{'cpu s/GiB':>11}")
    with running_fake_platforms() as fake:
        fake.processing_polls = 0
        with factory() as s:
            uid, _clip_id, export_id = add_finished_export(s, store, export_file, "b@example.com")
        for mib in [int(c) for c in args.chunks.split(",")]:
            settings = Settings(
                data_dir=tmp,
                database_url=db,
                secret_key=SECRET,
                youtube_client_id=CLIENT_ID,
                youtube_client_secret=CLIENT_SECRET,
                youtube_token_url=f"{fake.base_url}/token",
                youtube_api_base=fake.base_url,
                tiktok_client_key=TIKTOK_KEY,
                tiktok_client_secret=TIKTOK_SECRET,
                tiktok_api_base=fake.base_url,
                publish_chunk_bytes=mib * 1024 * 1024,
            )
            config = PublishConfig.from_settings(settings)
            publisher = Publisher(factory, store, TokenBox(SECRET), config)
            for platform in ("youtube", "tiktok"):
                app = config.app(platform)
                with httpx.Client() as http, factory() as s:
                    grant = exchange_code(app, http, GOOD_CODE, "http://127.0.0.1/cb")
                    account = account_of(app, http, grant.access_token)
                    save_connection(s, publisher.box, uid, platform, grant, account)
                    s.commit()
                walls, cpus = [], []
                for _ in range(args.runs):
                    with factory() as s:
                        exp = s.get(ExportJob, export_id)
                        assert exp is not None
                        pid = create_publication(s, uid, exp, platform, VideoMeta("bench")).id
                        s.commit()
                    fake.uploads.clear()
                    w0, c0 = time.perf_counter(), _cpu()
                    status = publisher.publish_one(pid)
                    walls.append(time.perf_counter() - w0)
                    cpus.append(_cpu() - c0)
                    assert status == "published", status
                wall, cpu = statistics.median(walls), statistics.median(cpus)
                # CPU here includes the fake server's threads (same process).
                print(
                    f"{platform:<9}{mib:>10}{wall:>9.2f}{cpu:>8.2f}"
                    f"{args.mb / wall:>9.1f}{cpu * 1024 / args.mb:>11.2f}"
                )
    print("CPU includes the in-process fake server's request threads.")


if __name__ == "__main__":
    main()
