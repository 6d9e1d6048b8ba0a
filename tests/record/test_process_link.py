"""``clippy process LINK``: a page with a ``<video>`` on a local HTTP server is resolved by
yt-dlp's generic extractor and processed; a link that cannot be resolved exits 2 in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.media import PlantedStream, make_planted_stream
from tests.record.test_record_live import start_source

pytestmark = pytest.mark.timeout(600)

PAGE = """<!doctype html><html><head><title>Big moment VOD</title></head>
<body><h1>Replay</h1><video controls src="vod.mp4"></video></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PlantedStream]]:
    """A web page with a 50 s video (a shout at ~35 s) on 127.0.0.1."""
    from tests.fixtures.server import free_port

    folder = tmp_path_factory.mktemp("site")
    planted = make_planted_stream(folder / "media", total=50.0, size="320x180")
    (folder / "vod.mp4").write_bytes(planted.video.read_bytes())
    (folder / "page.html").write_text(PAGE)
    (folder / "empty.html").write_text("<html><body>nothing to see</body></html>")
    port = free_port()
    proc = start_source(folder, port, 0.0)
    yield f"http://127.0.0.1:{port}", planted
    proc.kill()
    proc.wait(10)


def clippy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLIPPY_LOG_LEVEL": "warning", "CLIPPY_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [sys.executable, "-m", "clippy.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=500,
    )


def test_a_page_with_a_video_is_imported_and_clipped(
    site: tuple[str, PlantedStream], tmp_path: Path
) -> None:
    base, planted = site
    out = tmp_path / "clips"
    r = clippy("process", f"{base}/page.html", "--out", str(out), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    clips = json.loads(r.stdout)
    shout = next(m.time for m in planted.moments if m.kind == "shout")
    assert any(c["start"] - 1 <= shout <= c["end"] + 1 for c in clips), clips
    assert all(Path(c["file"]).stat().st_size > 0 for c in clips)


@pytest.mark.parametrize(
    ("path", "reason"), [("/missing.html", "404"), ("/empty.html", "Unsupported URL")]
)
def test_an_unresolvable_link_exits_2_with_the_reason_in_one_line(
    site: tuple[str, PlantedStream], tmp_path: Path, path: str, reason: str
) -> None:
    base, _ = site
    r = clippy("process", base + path, "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"clippy: cannot import {base}{path}: ")
    assert reason in lines[0], lines
