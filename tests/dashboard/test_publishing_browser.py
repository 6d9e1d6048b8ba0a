"""Publishing in a real browser against a real server and the local fake platforms: press
Connect YouTube, pass the consent screen, come back connected; publish a finished export
from the clip page and watch its status turn into the Short's link; the gallery and the
publishing page show it; no console errors; screenshots at desktop and phone size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clippy.db import ExportJob, User
from tests.dashboard.conftest import DESKTOP, PHONE, ConsoleWatch, shot, submit_credentials
from tests.export.conftest import export_media, pattern_clip, seed_clip
from tests.fixtures.server import ServerProcess, client_on, pages_only_server
from tests.publish.conftest import fake, platform_settings, short_mp4
from tests.publish.fake_platforms import FakePlatforms

__all__ = ["export_media", "fake", "pattern_clip", "short_mp4"]  # session fixtures used here


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str, fake: FakePlatforms) -> Iterator[ServerProcess]:
    """A real server whose YouTube and TikTok are the fake, with a quick publish loop."""
    env = {f"CLIPPY_{k.upper()}": str(v) for k, v in platform_settings(fake).items()}
    yield from pages_only_server(tmp_path, sqlite_url, env)


def _seed(srv: ServerProcess, email: str, clip_source: Path, export_file: Path) -> int:
    """A ready clip with a finished Shorts export (the file stored as the export queue
    leaves it); returns the clip id."""
    with client_on(srv) as client:
        clip_id = seed_clip(client, email, clip_source, title="Clutch 1v3 in overtime")
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        with ctx.session_factory() as s:
            user = s.query(User).filter_by(email=email).one()
            job = ExportJob(user_id=user.id, clip_id=clip_id, preset="shorts", status="done")
            s.add(job)
            s.flush()
            job.result_key = f"exports/{user.id}/{job.id}/shorts.mp4"
            job.result_size = export_file.stat().st_size
            job.progress = 1.0
            s.commit()
            ctx.store.put_file(job.result_key, export_file, content_type="video/mp4")
    return clip_id


def test_connect_and_publish_in_the_browser(
    server: ServerProcess,
    browser: Any,
    fake: FakePlatforms,
    pattern_clip: Path,
    short_mp4: Path,
) -> None:
    email = "creator@example.com"
    server.register(email)
    clip_id = _seed(server, email, pattern_clip, short_mp4)
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=server.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, email)

    page.goto("/app/publishing")
    shot(page, "publishing-empty")
    page.click('[data-connect="youtube"]')  # -> consent screen (fake) -> back here
    page.wait_for_url("**/app/publishing?notice=*")
    assert "YouTube connected: Clippy Test Channel." in page.inner_text(".flash-ok")
    assert page.locator('[data-platform-panel="youtube"] .tag.status-done').is_visible()

    page.goto(f"/app/clips/{clip_id}")
    form = page.locator("[data-publish-form]")
    assert form.is_visible()
    form.locator('input[name="title"]').fill("Clutch 1v3 in overtime")
    form.locator('textarea[name="description"]').fill("Friday night ranked.")
    form.locator('input[name="tags"]').fill("valorant, clutch")
    form.locator('select[name="privacy"]').select_option("public")
    form.locator("[data-publish]").click()
    page.wait_for_url(f"**/app/clips/{clip_id}#publish")
    published = page.locator('[data-publication-status="published"]')
    published.wait_for(timeout=30_000)  # the list polls itself until the loop has posted
    (upload,) = fake.uploads.values()
    link = published.locator("[data-video-url]")
    assert link.get_attribute("href") == f"https://www.youtube.com/shorts/{upload.video_id}"
    assert upload.meta["snippet"]["tags"] == ["valorant", "clutch"]
    page.locator("#publish").scroll_into_view_if_needed()
    shot(page, "publishing-clip-page")

    page.goto("/app/clips")
    assert page.locator(f"#clip-{clip_id} .tag-published").inner_text() == "▶ YouTube"
    shot(page, "publishing-gallery")
    page.goto("/app/publishing")
    assert page.locator("[data-publication] >> text=published").is_visible()
    shot(page, "publishing-page")

    phone = watch.attach(browser.new_context(viewport=PHONE, base_url=server.http).new_page())
    submit_credentials(phone, email)
    phone.goto(f"/app/clips/{clip_id}")
    shot(phone, "publishing-clip-phone")
    assert watch.errors == []
