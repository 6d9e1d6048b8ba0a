"""Settings: embedded defaults, and refusal of a weak configured signing key."""

from __future__ import annotations

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
