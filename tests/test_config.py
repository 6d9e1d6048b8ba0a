"""Settings: embedded defaults, and refusal of a weak configured signing key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from clippy.config import MIN_SECRET_KEY_LENGTH, Settings


def test_a_short_secret_key_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="CLIPPY_SECRET_KEY must be at least 32"):
        Settings(secret_key="hunter2")


def test_a_long_secret_key_is_used_as_given(tmp_path: Path) -> None:
    key = "k" * MIN_SECRET_KEY_LENGTH
    assert Settings(secret_key=key, data_dir=tmp_path).resolved_secret_key() == key


def test_an_empty_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    assert len(first) >= MIN_SECRET_KEY_LENGTH
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first


def test_a_bad_environment_variable_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CLIPPY_DATA_DIR": str(tmp_path),
        "CLIPPY_PROCESS_KEYFRAME_LEAD_SECONDS": "-1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "clippy.cli", "process", "x.mp4"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "clippy: bad setting: CLIPPY_PROCESS_KEYFRAME_LEAD_SECONDS='-1': "
        "Input should be greater than or equal to 0"
    ]
