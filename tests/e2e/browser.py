"""Debian's chromium with the built Clippy extension loaded, driven by Playwright (sync API)."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import BrowserContext, Page, Playwright, Worker

CHROMIUM = Path("/usr/lib/chromium/chromium")
EXTENSION_DIST = Path(__file__).resolve().parents[2] / "extension" / "dist"
PAGES = Path(__file__).parent / "pages"

# Measured on these machines (DESIGN.md): these flags make headless chromium usable here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# The synthetic page plays sound without a click; `--mute-audio` (a Playwright default,
# dropped in `launch`) would silence the captured tab audio.
_ARGS = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]

T = TypeVar("T")


def launch(pw: Playwright, user_data_dir: Path, extension: Path = EXTENSION_DIST) -> BrowserContext:
    """A persistent headless context with the unpacked extension loaded (the only way MV3 loads)."""
    return pw.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        viewport={"width": 960, "height": 540},
        args=[*_ARGS, f"--disable-extensions-except={extension}", f"--load-extension={extension}"],
        ignore_default_args=["--mute-audio"],
    )


def service_worker(context: BrowserContext) -> Worker:
    """The extension's service worker (waits for it to start)."""
    for sw in context.service_workers:
        if sw.url.startswith("chrome-extension://"):
            return sw
    return context.wait_for_event("serviceworker", timeout=20_000)


def extension_id(sw: Worker) -> str:
    return sw.url.split("/")[2]


def trigger_action(context: BrowserContext, ext_id: str, page: Page) -> None:
    """Click the toolbar button for `page` the way a user does (grants activeTab)."""
    browser = context.browser
    assert browser is not None
    cdp = browser.new_browser_cdp_session()
    try:
        targets = cdp.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
        target = next(t for t in targets if t["url"] == page.url)
        cdp.send("Extensions.triggerAction", {"id": ext_id, "targetId": target["targetId"]})
    finally:
        cdp.detach()


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.25) -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_pages(directory: Path = PAGES) -> Iterator[str]:
    """Serve `directory` over HTTP on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
