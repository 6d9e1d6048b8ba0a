"""``clippy transcribe`` and ``clippy process`` as a user runs them: on a file, on an HLS
playlist served over HTTP, and on garbage (exit 2, one line, never a traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.http import serving
from tests.fixtures.media import run

pytestmark = pytest.mark.timeout(600)


def clippy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process, with its own data dir."""
    env = {**os.environ, "CLIPPY_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [sys.executable, "-m", "clippy.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def hls_url(tmp_path_factory: pytest.TempPathFactory, speech_stream: Path) -> Iterator[str]:
    """The 60 s speech stream as an HLS playlist (6 s segments, stream copy) on a local server."""
    root = tmp_path_factory.mktemp("hls")
    hls = ["-f", "hls", "-hls_time", "6", "-hls_list_size", "0", str(root / "index.m3u8")]
    run(["ffmpeg", "-v", "error", "-i", str(speech_stream), "-c", "copy", *hls])

    class Files(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *_args: Any) -> None:
            pass

    with serving(Files) as base:
        yield f"{base}/index.m3u8"


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_transcribe_a_file_to_json(tmp_path: Path, speech_stream: Path) -> None:
    out = tmp_path / "words.json"
    proc = clippy("transcribe", str(speech_stream), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert set(data) == {"language", "words", "segments"} and data["language"] == "en"
    assert all(set(w) == {"text", "start", "end", "confidence"} for w in data["words"])
    assert all(set(s) == {"text", "start", "end"} for s in data["segments"])
    text = " ".join(s["text"] for s in data["segments"]).lower()
    assert "talk about the weather" in text and "set up the camera" in text
    assert 0.0 <= data["words"][0]["start"] < data["words"][-1]["end"] <= 60.0


def test_transcribe_an_hls_url_to_srt(tmp_path: Path, hls_url: str) -> None:
    proc = clippy("transcribe", hls_url, "--format", "srt", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1\n00:00:0") and " --> " in proc.stdout
    assert "weather" in proc.stdout.lower()


def test_transcribe_garbage_is_one_line_exit_2(tmp_path: Path, random_bytes_file: Path) -> None:
    line = _one_line_error(clippy("transcribe", str(random_bytes_file), cwd=tmp_path))
    assert line.startswith(f"clippy: cannot transcribe {random_bytes_file}:")
    line = _one_line_error(clippy("transcribe", str(tmp_path / "none.mp4"), cwd=tmp_path))
    assert "No such file" in line


def test_process_an_hls_url(tmp_path: Path, hls_url: str) -> None:
    # Once a traceback from a worker ('NoneType' is not iterable in a window with no words).
    proc = clippy("process", hls_url, "--json", "--out", str(tmp_path / "clips"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert isinstance(json.loads(proc.stdout), list)
    assert (tmp_path / "clips" / "clips.json").is_file()


def test_process_garbage_is_one_line_exit_2(tmp_path: Path, random_bytes_file: Path) -> None:
    line = _one_line_error(clippy("process", str(random_bytes_file), cwd=tmp_path))
    assert line.startswith(f"clippy: cannot process {random_bytes_file}:")
