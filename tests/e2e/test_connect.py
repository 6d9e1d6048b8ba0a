"""A new streamer's first minutes, in chromium, with no command line and no copied secret.

Sign up → Home's first-run steps → "Get the extension" → download the zip the server hands
out → load that folder (the one step a test cannot click: Chrome's "Load unpacked") → the
extension opens its options already naming the server → Connect → approve on the dashboard
→ record the synthetic page → "Clip the last 30 s" on Home → the first clip. Then the
browser is disconnected in Settings and its key is refused at once.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Worker, sync_playwright

from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    extension_id,
    launch,
    service_worker,
    trigger_action,
    wait_for,
)
from tests.fixtures.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

EMAIL = "new.streamer@example.com"
PASSWORD = "correct horse battery"


def _plain_browser(pw: Playwright, profile: Path) -> BrowserContext:
    """The same profile before the extension is installed (sign-up and download)."""
    return pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        viewport={"width": 1280, "height": 800},
        args=CHROMIUM_ARGS,
        accept_downloads=True,
    )


def _steps_done(page: Page) -> list[str]:
    done: list[str] = page.eval_on_selector_all(
        "[data-first-run] [data-step][data-done]", "els => els.map(e => e.dataset.step)"
    )
    return done


def _sign_up_and_download(
    pw: Playwright, srv: ServerProcess, profile: Path, dest: Path, shots: Path
) -> Path:
    context = _plain_browser(pw, profile)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{srv.http}/signup")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/app?welcome=1")
        # First run: nothing done yet, installing is the current step.
        assert page.locator("[data-first-run] [data-step=install].current").count() == 1
        assert _steps_done(page) == []
        page.screenshot(path=str(shots / "home-first-run-1280.png"), full_page=True)
        page.click("[data-get-extension]")
        page.wait_for_url("**/app/extension")
        page.screenshot(path=str(shots / "get-extension-1280.png"), full_page=True)
        with page.expect_download() as dl:
            page.click("[data-download-extension]")
        zip_path = dest / dl.value.suggested_filename
        dl.value.save_as(zip_path)
    finally:
        context.close()
    unpacked = dest / "unpacked"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(unpacked)
    folder = unpacked / "clippy-extension"
    assert (folder / "manifest.json").is_file() and (folder / "server.json").is_file()
    return folder


_TAB_URLS = "() => chrome.tabs.query({}).then((ts) => ts.map((t) => t.url || t.pendingUrl))"


def _drive_tab(context: BrowserContext, sw: Worker, prefix: str) -> Page:
    """The tab the extension opened at a URL starting with ``prefix``, as a Playwright page.

    Playwright does not attach to tabs an extension creates (chrome.tabs.create), so the
    test checks the extension opened it and drives the same URL in a page of its own.
    """
    url = wait_for(
        lambda: next((u for u in sw.evaluate(_TAB_URLS) if u and u.startswith(prefix)), None),
        20,
        f"the extension to open {prefix}",
    )
    page = context.new_page()
    page.goto(url)
    return page


def _me(srv: ServerProcess, key: str) -> int:
    r = httpx.get(f"{srv.http}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    return r.status_code


def test_sign_up_to_first_clip_without_a_command_line(
    backend: ServerProcess, page_server: str, extension_dist: Path, tmp_path: Path, artifacts: Path
) -> None:
    profile = tmp_path / "profile"
    clicks = 0
    with sync_playwright() as pw:
        t0 = time.monotonic()
        folder = _sign_up_and_download(pw, backend, profile, tmp_path, artifacts)
        clicks += 3  # create account, Get the extension, Download

        # Chrome's "Load unpacked" of the downloaded folder, in the same browser profile.
        context = launch(pw, profile, folder)
        try:
            sw = service_worker(context)
            ext = extension_id(sw)
            # Installing opened the options in a tab.
            options = _drive_tab(context, sw, f"chrome-extension://{ext}/options/options.html")
            # The zip told the extension which server handed it out.
            wait_for(
                lambda: options.input_value("[data-test=server-url]") == backend.http,
                10,
                "the server URL from server.json",
            )
            options.click("[data-test=connect]")
            clicks += 1
            code = options.inner_text("[data-test=pair-code] .code")
            connect = _drive_tab(context, sw, f"{backend.http}/app/connect?code=")
            connect.wait_for_selector("[data-pair-code]")
            # Same code on both sides: the user can tell this is their browser.
            assert connect.inner_text("[data-pair-code]") == code
            connect.set_viewport_size({"width": 390, "height": 844})
            connect.screenshot(path=str(artifacts / "connect-browser-390.png"))
            connect.click("[data-approve]")
            clicks += 1
            connect.wait_for_selector("[data-connected]")
            options.wait_for_selector("[data-test=connected]", timeout=15_000)
            assert EMAIL in options.inner_text("[data-test=connected]")
            options.screenshot(path=str(artifacts / "options-connected.png"), full_page=True)
            key: str = sw.evaluate("() => chrome.storage.local.get('browserKey')")["browserKey"]
            assert key.startswith("clb_") and _me(backend, key) == 200

            home = connect
            home.goto(f"{backend.http}/app")
            assert _steps_done(home) == ["install", "connect"]

            stream_page = context.new_page()
            stream_page.goto(f"{page_server}/synthetic.html")
            stream_page.wait_for_function("() => window.audioState() === 'running'")
            trigger_action(context, ext, stream_page)
            clicks += 1

            # Home shows the live stream; its "Clip the last 30 s" works once the first
            # segment is processed (the button says so until then).
            def clip_made() -> str | None:
                home.goto(f"{backend.http}/app")
                button = home.locator("[data-clip-last]")
                if not button.count():
                    return None
                button.first.click()
                home.wait_for_load_state()
                if "/app/clips/" in home.url:
                    return home.url
                refusals.append(home.locator("[data-clip-error]").all_inner_texts())
                return None

            refusals: list[list[str]] = []
            t_rec = time.monotonic()
            clip_url = wait_for(clip_made, 150, "the first clip from Home", every=3)
            print(f"\nrecording to first clip: {time.monotonic() - t_rec:.1f} s; {refusals[-3:]}")
            clicks += 1
            elapsed = time.monotonic() - t0
            home.wait_for_selector("video")
            home.set_viewport_size({"width": 1280, "height": 800})
            home.goto(f"{backend.http}/app")
            assert home.locator("#clip-grid [data-clip-id]").count() == 1
            assert not home.locator("[data-first-run]").count()
            home.screenshot(path=str(artifacts / "home-first-clip-1280.png"), full_page=True)
            print(f"\nsign-up to first clip: {elapsed:.1f} s, {clicks} clicks ({clip_url})")

            # Settings → Connected browsers lists it; disconnecting refuses its key at once.
            home.goto(f"{backend.http}/app/settings#browsers")
            row = home.locator("[data-browser]")
            assert row.count() == 1 and "Chrome on Linux" in row.inner_text()
            home.on("dialog", lambda d: d.accept())
            row.locator("button:has-text('Disconnect')").click()
            home.wait_for_url("**saved=browser_revoked**")
            assert "disconnected" in home.locator("[data-browser]").inner_text()
            assert _me(backend, key) == 401
        finally:
            context.close()
