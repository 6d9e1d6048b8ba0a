"""The Record page in a real browser against a real server (pipeline on): watch a live HLS
channel and stop it, import a page's video into the gallery with progress shown, and a link
to a private address refused in one line. Screenshots at desktop and phone size."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.conftest import DESKTOP, PHONE, ConsoleWatch, shot, submit_credentials
from tests.fixtures.hls_server import make_hls_vod
from tests.fixtures.media import PlantedStream, make_planted_stream
from tests.fixtures.server import ServerProcess, free_port
from tests.record.test_process_link import PAGE
from tests.record.test_record_live import start_source

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PlantedStream]]:
    """One local web server: a live playlist (``/live.m3u8``) and a page with a video."""
    folder = tmp_path_factory.mktemp("record-site")
    planted = make_planted_stream(folder / "media", total=50.0, size="320x180")
    make_hls_vod(planted.video, folder, fps=15)
    (folder / "vod.mp4").write_bytes(planted.video.read_bytes())
    (folder / "page.html").write_text(PAGE)
    port = free_port()
    proc = start_source(folder, port, time.time())
    yield f"http://127.0.0.1:{port}", planted
    proc.kill()
    proc.wait(10)


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    """A real server with the pipeline on, allowed to fetch from loopback (the test site)."""
    data = tmp_path / "data"
    data.mkdir()
    srv = ServerProcess(data, sqlite_url, env_extra={"CLIPPY_EGRESS_ALLOW_HOSTS": "127.0.0.1"})
    srv.start()
    yield srv
    srv.stop()


def _row_status(page: Any, n: int = 0) -> str:
    return str(page.locator("[data-recording]").nth(n).get_attribute("data-status"))


def _wait_status(page: Any, wanted: set[str], timeout: float, n: int = 0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _row_status(page, n)
        if status in wanted:
            return status
        page.wait_for_timeout(500)  # the list refreshes itself every 3 s
    raise AssertionError(f"status stayed {_row_status(page, n)!r}; wanted {wanted}")


def test_watch_a_channel_and_import_a_video_from_the_dashboard(
    server: ServerProcess, browser: Any, site: tuple[str, PlantedStream]
) -> None:
    base, planted = site
    email = "rec@example.com"
    token = server.register(email)["access_token"]
    server.set_plan(email, "pro")
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=server.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, email)
    page.goto("/app/streams")
    page.click("[data-record-link]")
    page.wait_for_url("**/app/record")
    assert page.locator("text=Nothing recorded this way yet.").is_visible()
    shot(page, "record-empty")

    # A private address is refused with the reason, the form keeps what was typed.
    watch.expected.add((f"{server.http}/app/record/import", 400))
    page.fill("[data-import] input[name=url]", "http://10.11.12.13/page.html")
    page.click("[data-import] button")
    assert "not a public internet address" in page.inner_text(".flash-error")
    assert page.input_value("[data-import] input[name=url]") == "http://10.11.12.13/page.html"

    page.goto("/app/record")
    page.fill("[data-watch] input[name=url]", f"{base}/live.m3u8")
    page.click("[data-watch] button")
    page.wait_for_url("**/app/record")
    _wait_status(page, {"recording"}, 60)
    shot(page, "record-watching")
    page.click("[data-recording] [data-stop]")
    page.wait_for_url("**/app/record")
    assert _row_status(page) == "stopped"

    page.fill("[data-import] input[name=url]", f"{base}/page.html")
    page.click("[data-import] button")
    page.wait_for_url("**/app/record")
    assert page.locator("[data-recording]").count() == 2
    assert page.locator("[data-recording]").first.get_attribute("data-status") in (
        "starting",
        "recording",
    )
    shot(page, "record-importing")
    assert _wait_status(page, {"ended", "failed"}, 300) == "ended", page.inner_text("#recordings")
    page.set_viewport_size(PHONE)
    shot(page, "record-phone")

    # The import's clips land in the gallery like a recorded stream's.
    headers = {"Authorization": f"Bearer {token}"}
    shout = next(m.time for m in planted.moments if m.kind == "shout")
    deadline = time.monotonic() + 300
    clips: list[Any] = []
    while time.monotonic() < deadline:
        clips = httpx.get(f"{server.http}/api/v1/clips", headers=headers).json()
        if any(
            c["status"] == "ready"
            and c["ranges"][0]["start"] - 1 <= shout <= c["ranges"][-1]["end"] + 1
            for c in clips
        ):
            break
        time.sleep(2)
    else:
        raise AssertionError(f"no clip of the shout at {shout:.0f} s: {clips}")
    assert not watch.errors, watch.errors
    context.close()
