"""A missing or corrupted speech model stops the server at start-up with the file and the fix;
it never starts half-working (taking segments it cannot transcribe)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clippy.config import Settings
from clippy.transcribe import models
from clippy.transcribe.base import ModelMissing
from clippy.web.app import create_app
from tests.fixtures.server import TEST_SECRET, free_port


def test_app_refuses_a_corrupted_bundled_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tampered = dataclasses.replace(models.BUNDLED["tiny.en"], sha256="f" * 64)
    monkeypatch.setitem(models.BUNDLED, "tiny.en", tampered)
    with pytest.raises(ModelMissing, match=r"model/model\.bin is corrupted .*force-reinstall"):
        create_app(Settings(data_dir=tmp_path, secret_key=TEST_SECRET))
    assert not (tmp_path / "clippy.db").exists()  # stopped before touching anything


def test_serve_exits_with_one_line_naming_the_model_file(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    (broken / "model.bin").write_bytes(b"\0" * 1024)  # truncated download
    env = {
        **os.environ,
        "CLIPPY_DATA_DIR": str(tmp_path / "data"),
        "CLIPPY_SECRET_KEY": TEST_SECRET,
        "CLIPPY_WHISPER_MODEL_DIR": str(broken),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "clippy.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    # (Importing alembic logs its plugins at INFO before that: log lines, not the error.)
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.startswith("clippy:")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("clippy: cannot start: the speech model at")
    assert str(broken / "model.bin") in lines[0] and "CLIPPY_WHISPER_MODEL_DIR" in lines[0]
    assert "serving" not in proc.stdout
