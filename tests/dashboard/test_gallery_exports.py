"""Gallery batch export, the exports page, the exported-to filter and exports per platform:
through the routes on SQLite and PostgreSQL, and in a real browser (Playwright + chromium)
down to the downloaded zip's MP4s."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clippy.db.models import ExportJob
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.export.conftest import probe_json, seed_clip
from tests.export.media import pattern_video
from tests.fixtures.server import ServerProcess, client_on

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s, 320x180 with a tone: quick to export at the free plan's 720p."""
    return pattern_video(
        tmp_path_factory.mktemp("gallery-exports") / "short.mp4", 2.0, size="320x180"
    )


def _card_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="clip-(\d+)"', html)]


def _jobs(b: Browserish) -> int:
    with b.session_factory() as s:
        return s.scalar(select(func.count()).select_from(ExportJob)) or 0


def _wait_done(b: Browserish, job_id: int, timeout: float = 240) -> str:
    """Poll the job's row as the page does until it is finished; returns the row's HTML."""
    deadline = time.monotonic() + timeout
    html = ""
    while time.monotonic() < deadline:
        html = b.get(f"/app/exports/{job_id}/row", headers=HX).text
        status = re.search(r'data-export-status="(\w+)"', html)
        assert status, html
        if status.group(1) in ("done", "failed", "canceled"):
            return html
        assert 'hx-trigger="every 1s"' in html  # a running row keeps polling itself
        time.sleep(0.3)
    raise AssertionError(f"export {job_id} did not finish in {timeout} s: {html}")


def _zip_videos(data: bytes, tmp: Path) -> list[dict[str, Any]]:
    """ffprobe of every MP4 in the zip ``data``."""
    probes = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith(".mp4")):
            path = tmp / name
            path.write_bytes(zf.read(name))
            probes.append(probe_json(path))
    return probes


def test_batch_export_filter_and_analytics(
    signed_up: Callable[[str], Browserish], short_video: Path, tmp_path: Path
) -> None:
    b = signed_up("batch@example.com")
    first = seed_clip(b.client, b.email, short_video, title="First play")
    second = seed_clip(b.client, b.email, short_video, title="Second play")
    # Longer than YouTube Shorts allows (75 s): never rendered, it is refused up front.
    rant = seed_clip(b.client, b.email, short_video, title="Long rant", duration=75.0)

    # The gallery offers the batch export with every platform.
    page = b.get("/app/clips").text
    assert "data-batch-export-go" in page and 'value="reels"' in page

    # One clip too long: nothing is queued; the answer names it and what to trim it to.
    form = {"ids": [first, second, rant], "presets": ["shorts", "tiktok"]}
    r = b.post("/app/clips/batch-export", form, headers=HX)
    assert r.status_code == 200
    assert "Nothing was exported" in r.text
    problems = re.findall(r'data-problem-clip="(\d+)"', r.text)
    assert problems == [str(rant)]  # TikTok takes 3 min: only the Shorts pair is refused
    assert "Long rant" in r.text and "YouTube Shorts" in r.text
    assert "Trim to 1:00" in r.text and "1:15.0 long" in r.text
    assert "Export the other 2 clips" in r.text
    assert _jobs(b) == 0
    # Without JavaScript the same refusal is a full page with a 422.
    r = b.post("/app/clips/batch-export", form)
    assert r.status_code == 422 and "Long rant" in r.text and "<h1>Exports</h1>" in r.text

    # Bad input gets a clear error and queues nothing.
    r = b.post("/app/clips/batch-export", {"presets": ["shorts"]}, headers=HX)
    assert "Select at least one clip" in r.text
    r = b.post("/app/clips/batch-export", {"ids": [first]}, headers=HX)
    assert "Choose at least one platform" in r.text
    r = b.post("/app/clips/batch-export", {"ids": [first], "presets": ["vine"]}, headers=HX)
    assert "Unknown export preset &#39;vine&#39;; choose one of shorts" in r.text
    assert _jobs(b) == 0

    # The two that fit: one job, live progress, a zip with two playable vertical MP4s.
    r = b.post(
        "/app/clips/batch-export", {"ids": [first, second], "presets": ["shorts"]}, headers=HX
    )
    assert r.status_code == 200, r.text
    job_id = int(re.search(r'data-batch-job="(\d+)"', r.text).group(1))  # type: ignore[union-attr]
    assert "2 clips in one zip" in r.text
    row = _wait_done(b, job_id)
    assert 'data-export-status="done"' in row, row
    url = re.search(r'href="([^"]+)"[^>]*data-export-download', row).group(1)  # type: ignore[union-attr]
    videos = _zip_videos(b.client.get(url.replace("&amp;", "&")).content, tmp_path)
    assert len(videos) == 2
    for info in videos:
        v = next(s for s in info["streams"] if s["codec_type"] == "video")
        assert (v["width"], v["height"]) == (720, 1280)
        assert abs(float(info["format"]["duration"]) - 2.0) < 0.3

    # Exported-to filter: only the clips with a finished Shorts export.
    assert sorted(_card_ids(b.get("/app/clips?exported=shorts").text)) == [first, second]
    r = b.get("/app/clips?exported=tiktok")
    assert _card_ids(r.text) == [] and "No clips match" in r.text
    assert len(_card_ids(b.get("/app/clips?exported=nonsense").text)) == 3  # ignored
    # The exports page lists the job; analytics counts two Shorts files.
    page = b.get("/app/exports").text
    assert f'id="export-{job_id}"' in page and "Download zip" in page
    page = b.get("/app/analytics").text
    chart = page.split('id="exports-per-platform"', 1)[1].split("</section>", 1)[0]
    assert "YouTube Shorts" in chart and ">2</text>" in chart


def test_batch_export_refuses_others_clips_and_forged_posts(
    signed_up: Callable[[str], Browserish], short_video: Path
) -> None:
    owner = signed_up("owner@example.com")
    mine = seed_clip(owner.client, owner.email, short_video, title="Mine")
    intruder = signed_up("intruder@example.com")
    theirs = seed_clip(intruder.client, intruder.email, short_video, title="Theirs")
    # Another user's clip id in the batch: 404, as if it did not exist; nothing queued.
    form = {"ids": [theirs, mine], "presets": ["shorts"]}
    r = owner.post("/app/clips/batch-export", form, headers=HX)
    assert r.status_code == 404
    assert _jobs(owner) == 0
    # No CSRF token: refused before anything is looked at.
    r = owner.client.post(
        "/app/clips/batch-export",
        data={"ids": [mine], "presets": ["shorts"]},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _jobs(owner) == 0
    # A plain form post that works goes to the exports page.
    r = owner.post("/app/clips/batch-export", {"ids": [mine], "presets": ["x"]})
    assert r.status_code == 303 and r.headers["location"].startswith("/app/exports#export-")
    job_id = int(r.headers["location"].rsplit("-", 1)[1])
    # Someone else's export row is a 404 too.
    assert intruder.get(f"/app/exports/{job_id}/row").status_code == 404
    assert owner.get(f"/app/exports/{job_id}/row").status_code == 200
    assert "No exports yet" in intruder.get("/app/exports").text


# ---- In a real browser ----


def _seed(srv: ServerProcess, email: str, video: Path) -> list[int]:
    """Three ready clips with media in the server's store and database (one 75 s long)."""
    with client_on(srv) as client:
        return [
            seed_clip(client, email, video, title="Opening goal"),
            seed_clip(client, email, video, title="Last-second save"),
            seed_clip(client, email, video, title="Post-game rant", duration=75.0),
        ]


_WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def _fits_phone(page: Any) -> None:
    """Nothing may stick out sideways on a phone (names what does)."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], (page.url, page.evaluate(_WIDE))


@pytest.mark.timeout(600)
def test_gallery_batch_export_in_browser(
    server: ServerProcess, browser: Any, short_video: Path, tmp_path: Path
) -> None:
    srv = server
    srv.register("exporter@example.com")
    goal, save, rant = _seed(srv, "exporter@example.com", short_video)
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http, accept_downloads=True)
    page = watch.attach(context.new_page())
    submit_credentials(page, "exporter@example.com", path="/app/exports", lands_on="**/app/exports")
    assert page.locator("#exports-empty").is_visible()
    shot(page, "exports-empty-desktop")

    # Select all three, pick YouTube Shorts: the too-long clip is reported, nothing queued.
    page.goto("/app/clips")
    for clip_id in (goal, save, rant):
        page.check(f'#clip-{clip_id} input[name="ids"]')
    page.click("[data-batch-export] summary")
    page.check('[data-batch-export] input[value="shorts"]')
    shot(page, "gallery-export-menu-desktop")
    page.click("[data-batch-export-go]")
    problems = page.locator("[data-batch-problems]")
    problems.wait_for()
    assert "Post-game rant" in problems.inner_text()
    assert "Trim to 1:00" in problems.inner_text()
    shot(page, "gallery-export-refused-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "gallery-export-refused-phone")
    page.set_viewport_size(DESKTOP)

    # Export the other two: the job shows live progress, then a download of the zip.
    page.click("[data-export-others]")
    job = page.locator("[data-batch-job] .export-item")
    job.wait_for()
    assert "2 clips in one zip" in job.inner_text()
    page.wait_for_selector('[data-batch-job] [data-export-status="done"]', timeout=240_000)
    shot(page, "gallery-export-done-desktop")
    with page.expect_download() as info:
        page.click("[data-batch-job] [data-export-download]")
    zip_path = tmp_path / "export.zip"
    info.value.save_as(zip_path)
    videos = _zip_videos(zip_path.read_bytes(), tmp_path)
    assert len(videos) == 2
    assert all(
        any(s["codec_type"] == "video" and s["codec_name"] == "h264" for s in v["streams"])
        for v in videos
    )

    # Exported-to filter shows only the exported clips.
    page.select_option('select[name="exported"]', "shorts")
    page.wait_for_url(re.compile(r"exported=shorts"))
    page.wait_for_selector(f"#clip-{rant}", state="detached")
    cards = page.locator(".clip-card").evaluate_all("els => els.map(e => +e.dataset.clipId)")
    assert sorted(cards) == sorted([goal, save])
    shot(page, "gallery-exported-filter-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "gallery-exported-filter-phone")
    page.set_viewport_size(DESKTOP)

    # Analytics counts the two Shorts files; the exports page lists the job.
    page.goto("/app/analytics")
    chart = page.locator("#exports-per-platform svg")
    assert "YouTube Shorts" in chart.inner_html() and ">2<" in chart.inner_html()
    shot(page, "analytics-exports-desktop")
    page.goto("/app/exports")
    assert page.locator("[data-export-download]").count() == 1
    shot(page, "exports-desktop")
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/app/exports", "exports-phone"),
        ("/app/analytics", "analytics-exports-phone"),
    ):
        page.goto(path)
        _fits_phone(page)
        shot(page, name)
    page.goto("/app/clips")
    page.check(f'#clip-{goal} input[name="ids"]')
    page.click("[data-batch-export] summary")
    _fits_phone(page)
    shot(page, "gallery-export-menu-phone")
    context.close()
    assert watch.errors == []
