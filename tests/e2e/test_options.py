"""The options page: sign-in against a real server, settings saved, tokens refreshed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.e2e.browser import extension_id, service_worker
from tests.fixtures.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def test_sign_in_save_and_refresh(
    browser: BrowserContext, backend: ServerProcess, artifacts: Path
) -> None:
    backend.register("opts@example.com", "correct horse battery")
    sw = service_worker(browser)
    page = browser.new_page()
    page.set_viewport_size({"width": 760, "height": 900})
    page.goto(f"chrome-extension://{extension_id(sw)}/options/options.html")

    page.fill("[data-test=server-url]", backend.http + "/")
    page.fill("[data-test=email]", "opts@example.com")
    page.fill("[data-test=password]", "wrong password")
    page.click("[data-test=sign-in]")
    page.wait_for_selector("[data-test=sign-in-error]:has-text('wrong e-mail or password')")
    page.screenshot(path=str(artifacts / "options-signed-out.png"), full_page=True)

    page.fill("[data-test=password]", "correct horse battery")
    page.click("[data-test=sign-in]")
    page.wait_for_selector("[data-test=signed-in]")
    page.fill("[data-test=segment-seconds]", "6")
    page.select_option("[data-test=quality]", "480p")
    page.uncheck("[data-test=chat-capture]")
    page.click("[data-test=save]")
    page.wait_for_selector("[data-test=status]:has-text('Saved')")
    page.screenshot(path=str(artifacts / "options.png"), full_page=True)

    stored = sw.evaluate("() => chrome.storage.local.get(null)")
    assert stored["serverUrl"] == backend.http  # normalized: no trailing slash
    assert stored["segmentSeconds"] == 6
    assert stored["quality"] == "480p"
    assert stored["chatCapture"] is False
    assert stored["refreshToken"] and stored["accessToken"]

    # The service worker refreshes the access token on demand (refresh tokens rotate).
    fresh = page.evaluate("() => chrome.runtime.sendMessage({kind: 'get-token', fresh: true})")
    after = sw.evaluate("() => chrome.storage.local.get(null)")
    assert fresh and fresh == after["accessToken"]
    assert after["refreshToken"] != stored["refreshToken"]

    # A bad server URL is refused with a message that says how to fix it.
    page.fill("[data-test=server-url]", "clippy.example.com")
    page.click("[data-test=save]")
    page.wait_for_selector("[data-test=error]:has-text('https://')")
