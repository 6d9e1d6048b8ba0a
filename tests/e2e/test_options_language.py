"""The options page's spoken language against a real server running English-only tiny.en:
only English is offered, a German choice kept from before is refused on save with what to
change, and English round-trips through chrome.storage into the recording's start message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.e2e.browser import extension_id, service_worker
from tests.fixtures.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def tiny_backend(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server with the default English-only model (pipeline off: no segments here)."""
    data = tmp_path / "server"
    data.mkdir()
    srv = ServerProcess(
        data_dir=data,
        database_url=f"sqlite:///{data / 'clippy.db'}",
        env_extra={"CLIPPY_PIPELINE_ENABLED": "false"},
    )
    srv.start()
    yield srv
    srv.stop()


def test_options_offer_only_what_the_server_recognises(
    browser: BrowserContext, tiny_backend: ServerProcess, artifacts: Path
) -> None:
    tiny_backend.register("lang@example.com", "correct horse battery")
    sw = service_worker(browser)
    page = browser.new_page()
    page.set_viewport_size({"width": 760, "height": 1000})
    options = f"chrome-extension://{extension_id(sw)}/options/options.html"
    page.goto(options)
    page.fill("[data-test=server-url]", tiny_backend.http)
    page.fill("[data-test=email]", "lang@example.com")
    page.fill("[data-test=password]", "correct horse battery")
    page.click("[data-test=sign-in]")
    page.wait_for_selector("[data-test=english-only]")
    values = page.eval_on_selector_all(
        "[data-test=language] option", "els => els.map(e => e.value)"
    )
    assert values == ["", "en"]

    # A German choice saved while the server ran a multilingual model.
    sw.evaluate("() => chrome.storage.local.set({language: 'de'})")
    page.goto(options)
    page.wait_for_selector("[data-test=english-only]")
    assert page.input_value("[data-test=language]") == "de"
    page.click("[data-test=save]")
    error = page.locator("[data-test=error]")
    error.wait_for()
    text = error.inner_text()
    assert "understands English only" in text and "German" in text
    assert "CLIPPY_WHISPER_MODEL=base" in text and "Nothing was saved" in text
    page.screenshot(path=str(artifacts / "options-language-refused.png"), full_page=True)

    page.select_option("[data-test=language]", "en")
    page.click("[data-test=save]")
    page.wait_for_selector("[data-test=status]:has-text('Saved')")
    assert sw.evaluate("() => chrome.storage.local.get('language')") == {"language": "en"}
    page.screenshot(path=str(artifacts / "options-language.png"), full_page=True)
