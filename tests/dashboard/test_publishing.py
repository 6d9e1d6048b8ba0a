"""Publishing through the dashboard against the local fake platforms: connecting by the
OAuth redirect flow, the publish form on the clip page with a real rendered export, the
publish loop started by the app, status and the video's URL on the clip page and in the
gallery, the published count in analytics, and the platform's message on failure."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from clippy.db import ExportJob, PlatformConnection, Publication
from tests.dashboard.conftest import Browserish, csrf_of
from tests.export.conftest import export_media, pattern_clip, seed_clip
from tests.publish.conftest import fake, platform_settings
from tests.publish.fake_platforms import QUOTA_MESSAGE, FakePlatforms

__all__ = ["export_media", "fake", "pattern_clip"]  # session fixtures shared with the export tests


@pytest.fixture
def browser_user(make_client: Callable[..., TestClient], fake: FakePlatforms) -> Browserish:
    """A signed-up user on an app whose platforms point at the fake."""
    app = make_client(**platform_settings(fake))
    b = Browserish(TestClient(app.app))
    b.get("/signup")
    assert (
        b.post(
            "/signup", {"email": "pub@example.com", "password": "correct horse battery"}
        ).status_code
        == 303
    )
    with b.session_factory() as s:
        from clippy.db import User

        b.user_id = s.query(User).filter_by(email="pub@example.com").one().id
    b.email = "pub@example.com"
    return b


def connect_via_redirects(b: Browserish, platform: str) -> httpx.Response:
    """Press Connect, pass the (fake) consent screen, follow the redirect back."""
    r = b.client.get(f"/app/publishing/connect/{platform}", follow_redirects=False)
    assert r.status_code == 303
    consent = httpx.get(r.headers["location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["location"])
    assert back.path == f"/app/publishing/callback/{platform}"
    return b.client.get(f"{back.path}?{back.query}", follow_redirects=True)


def test_connect_youtube_and_tiktok(browser_user: Browserish, fake: FakePlatforms) -> None:
    page = connect_via_redirects(browser_user, "youtube")
    assert "YouTube connected: Clippy Test Channel." in page.text
    (consent,) = fake.consents
    assert consent["access_type"] == "offline"
    assert "youtube.upload" in consent["scope"]
    page = connect_via_redirects(browser_user, "tiktok")
    assert "TikTok connected: Clippy Tester." in page.text and "@clippytester" in page.text
    with browser_user.session_factory() as s:
        conns = {c.platform: c for c in s.query(PlatformConnection).all()}
    assert set(conns) == {"youtube", "tiktok"}
    assert all("access-" not in c.tokens for c in conns.values())  # encrypted at rest
    # Disconnect forgets the tokens.
    r = browser_user.post("/app/publishing/youtube/disconnect")
    assert r.status_code == 303
    with browser_user.session_factory() as s:
        assert {c.platform for c in s.query(PlatformConnection).all()} == {"tiktok"}


def test_a_callback_with_a_foreign_or_forged_state_is_refused(
    browser_user: Browserish, fake: FakePlatforms
) -> None:
    r = browser_user.client.get("/app/publishing/connect/youtube", follow_redirects=False)
    state = parse_qs(urlsplit(r.headers["location"]).query)["state"][0]
    forged = state.replace(f".{browser_user.user_id}.", ".999.")
    page = browser_user.client.get(f"/app/publishing/callback/youtube?code=code-ok&state={forged}")
    assert "expired or was not yours" in page.text
    page = browser_user.client.get("/app/publishing/callback/youtube?error=access_denied")
    assert "YouTube did not connect: access_denied" in page.text
    assert fake.grants == []  # no code was ever exchanged


def _wait(status_of: Callable[[], str], until: set[str], timeout: float = 60) -> str:
    """Poll ``status_of`` until it says one of ``until``; the last answer."""
    status = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = status_of()
        if status in until:
            return status
        time.sleep(0.2)
    raise AssertionError(f"still {status}")


def _export(b: Browserish, clip_id: int) -> int:
    """Render a real YouTube Shorts export of the clip from its page and wait for it."""
    b.get(f"/app/clips/{clip_id}")
    r = b.post(f"/app/clips/{clip_id}/export", {"preset": "shorts"})
    assert r.status_code == 303, r.text
    with b.session_factory() as s:
        job_id = s.query(ExportJob).filter_by(clip_id=clip_id).one().id

    def status() -> str:
        with b.session_factory() as s:
            return str(s.get(ExportJob, job_id).status)  # type: ignore[union-attr]

    assert _wait(status, {"done", "failed"}, timeout=240) == "done"
    return job_id


def _publication_status(b: Browserish) -> Callable[[], str]:
    def status() -> str:
        with b.session_factory() as s:
            return str(s.query(Publication).one().status)

    return status


def test_publish_a_rendered_export_from_the_clip_page(
    browser_user: Browserish, fake: FakePlatforms, pattern_clip: Path
) -> None:
    connect_via_redirects(browser_user, "youtube")
    clip_id = seed_clip(browser_user.client, browser_user.email, pattern_clip, title="Big play")
    job_id = _export(browser_user, clip_id)
    page = browser_user.get(f"/app/clips/{clip_id}")
    assert "data-publish-form" in page.text and "Clippy Test Channel" in page.text
    form: dict[str, Any] = {
        "platform": "youtube",
        "export_id": str(job_id),
        "title": "Big play!",
        "description": "From Friday's stream",
        "tags": "gaming, clutch",
        "privacy": "public",
    }
    assert browser_user.post(f"/app/clips/{clip_id}/publish", form).status_code == 303
    assert _wait(_publication_status(browser_user), {"published", "failed"}) == "published"
    (upload,) = fake.uploads.values()
    with browser_user.session_factory() as s:
        export = s.get(ExportJob, job_id)
        assert export is not None and export.result_size == len(upload.data)
    assert upload.meta["snippet"]["title"] == "Big play!"
    assert upload.meta["snippet"]["tags"] == ["gaming", "clutch"]
    url = f"https://www.youtube.com/shorts/{upload.video_id}"
    assert url in browser_user.get(f"/app/clips/{clip_id}").text
    gallery = browser_user.get("/app/clips").text
    assert url in gallery and "▶ YouTube" in gallery
    analytics = browser_user.get("/app/analytics").text
    assert 'data-published="YouTube">1<' in analytics
    assert 'data-published="TikTok">0<' in analytics
    assert url in browser_user.get("/app/publishing").text


def test_a_quota_error_is_shown_with_the_platforms_message(
    browser_user: Browserish, fake: FakePlatforms, pattern_clip: Path
) -> None:
    connect_via_redirects(browser_user, "youtube")
    clip_id = seed_clip(browser_user.client, browser_user.email, pattern_clip, title="Quota")
    job_id = _export(browser_user, clip_id)
    fake.quota = True
    browser_user.get(f"/app/clips/{clip_id}")
    form = {"platform": "youtube", "export_id": str(job_id), "title": "Quota"}
    assert browser_user.post(f"/app/clips/{clip_id}/publish", form).status_code == 303
    assert _wait(_publication_status(browser_user), {"published", "failed"}) == "failed"
    time.sleep(1.0)  # several loop intervals: a failed publication is not tried again
    assert fake.count("POST", "/upload/youtube") == 1
    page = browser_user.get(f"/app/clips/{clip_id}").text
    assert "quotaExceeded" in page and "exceeded your" in page
    assert QUOTA_MESSAGE.split("<a")[0].strip() in page


def test_publish_form_refusals(browser_user: Browserish, pattern_clip: Path) -> None:
    clip_id = seed_clip(browser_user.client, browser_user.email, pattern_clip, title="No acct")
    page = browser_user.get(f"/app/clips/{clip_id}").text
    assert "Connect a YouTube channel or a TikTok account" in page
    csrf_of(page)
    form = {"platform": "youtube", "export_id": "1", "title": "x"}
    r = browser_user.post(f"/app/clips/{clip_id}/publish", form)
    assert r.status_code in (404, 409) and "Not published" in r.text


def test_a_scheduled_publication_waits_and_can_be_cancelled(
    browser_user: Browserish, fake: FakePlatforms, pattern_clip: Path
) -> None:
    connect_via_redirects(browser_user, "tiktok")
    clip_id = seed_clip(browser_user.client, browser_user.email, pattern_clip, title="Later")
    with browser_user.session_factory() as s:
        job = ExportJob(
            user_id=browser_user.user_id,
            clip_id=clip_id,
            preset="tiktok",
            status="done",
            result_key="exports/x/later.mp4",
        )
        s.add(job)
        s.commit()
        job_id = job.id
    browser_user.get(f"/app/clips/{clip_id}")
    when = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"platform": "tiktok", "export_id": str(job_id), "title": "Later", "when": when}
    assert browser_user.post(f"/app/clips/{clip_id}/publish", form).status_code == 303
    time.sleep(1.0)  # several loop intervals
    assert fake.uploads == {}  # not before its time
    page = browser_user.get(f"/app/clips/{clip_id}").text
    assert 'data-publication-status="scheduled"' in page
    assert f"Goes out {when.replace('T', ' ')} UTC" in page
    with browser_user.session_factory() as s:
        pid = s.query(Publication).one().id
    assert browser_user.post(f"/app/publishing/{pid}/cancel").status_code == 303
    with browser_user.session_factory() as s:
        assert s.query(Publication).one().status == "canceled"
    # A time in the past is refused with a clear message.
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = browser_user.post(f"/app/clips/{clip_id}/publish", {**form, "when": past})
    assert r.status_code == 409 and "the publish time is in the past" in r.text
