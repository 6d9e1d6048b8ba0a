"""Fixtures for browser e2e tests: the built extension, a page server, chromium, a backend."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tests.e2e.browser import CHROMIUM, EXTENSION_DIST, launch, serve_pages
from tests.fixtures.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def extension_dist() -> Path:
    """The built extension; `scripts/setup_extension.sh` builds it (quick when up to date)."""
    subprocess.run([str(ROOT / "scripts" / "setup_extension.sh")], check=True, cwd=ROOT)
    assert CHROMIUM.exists() and (EXTENSION_DIST / "manifest.json").exists()
    return EXTENSION_DIST


@pytest.fixture(scope="session")
def page_server() -> Iterator[str]:
    """Serves tests/e2e/pages over HTTP; yields its base URL."""
    with serve_pages() as url:
        yield url


@pytest.fixture
def browser(extension_dist: Path, tmp_path: Path) -> Iterator[BrowserContext]:
    """Headless chromium with the extension loaded, on a fresh profile."""
    with sync_playwright() as pw:
        context = launch(pw, tmp_path / "profile", extension_dist)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `clippy serve` on SQLite (e2e tests do not need to run on both databases)."""
    data = tmp_path / "server"
    data.mkdir()
    srv = ServerProcess(
        data_dir=data,
        database_url=f"sqlite:///{data / 'clippy.db'}",
        # The pipeline makes the mezzanine files clips are cut from; speech recognition is
        # not under test here and would only slow the run.
        env_extra={"CLIPPY_TRANSCRIBER": "none"},
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    return out
