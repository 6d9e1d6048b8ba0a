"""The dashboard in a real browser (Playwright + Debian chromium) against a real server.

One scenario walks the acceptance path: sign up → stream processed → clip appears live in
the gallery → search finds it by a spoken word → trim → the new duration plays → caption
edited → exported for a platform → analytics counts it; team invite → member sees the
clip → removal → member gets 404; plus CSRF refusal, another user's clip → 404, no console
errors on any page, and screenshots of every page at desktop and phone size.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from clippy.ingest.client import IngestClient
from tests.dashboard.conftest import DESKTOP, PASSWORD, PHONE, ConsoleWatch, shot
from tests.fixtures.media import CALM, SegmentFile
from tests.fixtures.server import ServerProcess


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    """A real server (pipeline on, offline speech recognition) on SQLite."""
    data = tmp_path / "data"
    data.mkdir()
    srv = ServerProcess(data_dir=data, database_url=sqlite_url)
    srv.start()
    yield srv
    srv.stop()


def _ingest(srv: ServerProcess, token: str, segments: list[SegmentFile]) -> int:
    async def run() -> int:
        client = IngestClient(srv.ws, token, "browser-test", metadata={"title": "Saturday stream"})
        await client.connect()
        for seg in segments:
            await client.send_segment(seg.seq, seg.start_time, seg.duration, seg.path.read_bytes())
        sid = client.server_stream_id
        await client.close()
        assert sid is not None
        return sid

    # Playwright's sync API owns an event loop in this thread; the client gets its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _wait_processed(srv: ServerProcess, headers: dict[str, str], sid: int, n: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        segs = httpx.get(f"{srv.http}/api/v1/streams/{sid}/segments", headers=headers).json()
        if len(segs) == n and all(s["status"] == "done" for s in segs):
            return
        time.sleep(0.5)
    raise AssertionError("segments were not processed in time")


def _spoken_word(
    srv: ServerProcess, headers: dict[str, str], sid: int, t0: float, t1: float
) -> str:
    """A word the recogniser heard inside ``t0``-``t1`` that is really in the spoken script."""
    script = {w for line in CALM for w in line.split() if len(w) >= 5}
    chunks = httpx.get(f"{srv.http}/api/v1/streams/{sid}/transcript", headers=headers).json()
    heard = [
        w["text"].lower()
        for c in chunks
        for w in c["words"]
        if t0 + 1 <= w["start"] and w["end"] <= t1 - 1
    ]
    candidates = [w for w in heard if w in script]
    assert candidates, f"the recogniser heard no script word in {t0}-{t1} s: {heard}"
    return candidates[0]


# Generous: the stream is transcribed and a clip exported on a machine shared with others.
@pytest.mark.timeout(600)
def test_dashboard_acceptance_flow(
    server: ServerProcess, browser: Any, webm_segments: list[SegmentFile]
) -> None:
    srv = server
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())

    # Visitor pages.
    page.goto("/")
    assert page.locator(".plans-table").is_visible()
    shot(page, "landing-desktop")
    page.goto("/login")
    shot(page, "login-desktop")

    # Sign up through the form; a mistake first, to see the error state.
    page.goto("/signup")
    watch.expected.add((f"{srv.http}/signup", 400))
    page.fill('input[name="email"]', "streamer@example.com")
    page.fill('input[name="password"]', "short")
    page.evaluate("document.querySelector('input[name=password]').removeAttribute('minlength')")
    page.click('button[type="submit"]')
    assert "at least 8" in page.locator(".flash-error").inner_text()
    shot(page, "signup-error-desktop")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/app?welcome=1")
    assert "Welcome to Clippy" in page.inner_text("h1")
    shot(page, "home-empty-desktop")

    # Process a generated stream (real WebM segments through ingest and the pipeline).
    token = httpx.post(
        f"{srv.http}/api/v1/auth/login",
        json={"email": "streamer@example.com", "password": PASSWORD},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sid = _ingest(srv, token, webm_segments[:3])
    _wait_processed(srv, headers, sid, 3)

    # The gallery is open when the clip is made: it must appear without a reload.
    page.goto("/app/clips")
    assert page.locator("#clips-empty").is_visible()
    shot(page, "gallery-empty-desktop")
    page.wait_for_function("() => document.readyState === 'complete'")
    time.sleep(1.0)  # let the EventSource subscribe before the clip is announced
    made = httpx.post(
        f"{srv.http}/api/v1/streams/{sid}/clips",
        headers=headers,
        json={"ranges": [{"start": 2.0, "end": 26.0}], "title": "Strategy talk"},
        timeout=120,
    )
    assert made.status_code == 201, made.text
    clip_id = made.json()["id"]
    page.wait_for_selector(f"#clip-{clip_id}", timeout=15_000)
    assert "Strategy talk" in page.inner_text(f"#clip-{clip_id}")
    assert page.locator("#clips-empty").count() == 0
    page.wait_for_selector(f"#clip-{clip_id} img")
    shot(page, "gallery-desktop")

    # Search by a word spoken inside the clip (as recognised), then by one never said.
    word = _spoken_word(srv, headers, sid, 2.0, 26.0)
    page.fill("#q", word)
    page.wait_for_url(re.compile(rf"q={word}"))
    page.wait_for_selector(f"#clip-{clip_id}")
    assert "1 clip match" in page.inner_text("#result-count")
    shot(page, "gallery-search-desktop")
    page.fill("#q", "xylophone")
    page.wait_for_selector("text=No clips match")
    shot(page, "gallery-no-match-desktop")

    # Clip page: tag it, then trim with the keyboard (Shift = 1 s, plain = one frame) and save.
    page.goto(f"/app/clips/{clip_id}")
    page.fill('input[name="tags"]', "highlight, strategy")
    page.click("text=Save title and tags")
    page.wait_for_url(re.compile(r"/app/clips/\d+\?saved=title"))
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    shot(page, "clip-desktop")
    start = page.locator('[data-handle="start"]')
    end = page.locator('[data-handle="end"]')
    start.focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    end.focus()
    for _ in range(10):
        page.keyboard.press("Shift+ArrowLeft")
    for _ in range(15):
        page.keyboard.press("ArrowLeft")  # half a second in frames
    assert float(page.input_value("[data-start]")) == pytest.approx(3.0, abs=1e-3)
    assert float(page.input_value("[data-end]")) == pytest.approx(13.5, abs=1e-3)
    assert page.inner_text("[data-length]") == "0:10.5"
    page.click("[data-save-trim]")
    page.wait_for_url(re.compile(r"/app/clips/\d+\?saved=trimmed"))
    trimmed_id = int(re.findall(r"/app/clips/(\d+)", page.url)[0])
    assert trimmed_id != clip_id
    assert page.inner_text("[data-clip-tags]").split() == ["#highlight", "#strategy"]
    duration = page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.getElementById('player');
            const done = () => resolve(v.duration);
            if (v.readyState >= 1) done(); else v.addEventListener('loadedmetadata', done);
        })"""
    )
    assert duration == pytest.approx(10.5, abs=0.1)
    played = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const v = document.getElementById('player');
            v.muted = true;
            v.addEventListener('timeupdate', () => {
                if (v.currentTime > 0.5) resolve(v.currentTime);
            });
            v.play().catch(reject);
        })"""
    )
    assert played > 0.5

    # Caption text edited and saved.
    first_line = page.locator('input[name="text"]').first
    first_line.fill("Wait and see what the other team does")
    page.click("[data-save-captions]")
    page.wait_for_url(re.compile(r"saved=captions"))
    assert page.locator('input[name="text"]').first.input_value() == (
        "Wait and see what the other team does"
    )
    assert page.locator(".flash-ok").inner_text() == "Captions saved."
    shot(page, "clip-edited-desktop")

    # Export for a platform: progress updates in place (HTMX polling), then a download link.
    page.click('[data-export="shorts"]')
    page.wait_for_url(re.compile(r"#exports$"))
    page.wait_for_selector("[data-export-status]")
    first_status = page.get_attribute("[data-export-status]", "data-export-status")
    assert first_status in ("queued", "running", "done")
    finished = page.wait_for_selector(
        '[data-export-status="done"], [data-export-status="failed"]', timeout=240_000
    )
    assert finished is not None
    assert finished.get_attribute("data-export-status") == "done", finished.inner_text()
    href = page.get_attribute("[data-export-download]", "href")
    assert href is not None
    exported = page.request.get(href)
    assert exported.status == 200 and exported.headers["content-type"] == "video/mp4"
    shot(page, "clip-exported-desktop")

    # CSRF-less POST from the logged-in browser is refused.
    refused = page.request.post(f"/app/clips/{clip_id}/title", form={"title": "no token"})
    assert refused.status == 403

    # Analytics shows both clips and the export's download; the owner's own visits to the
    # clip pages are not views.
    page.goto("/app/analytics")
    assert page.inner_text('[data-stat="clips"]') == "2"
    assert page.inner_text('[data-stat="views"]') == "0"
    assert int(page.inner_text('[data-stat="downloads"]')) >= 1
    shot(page, "analytics-desktop")

    # Archive: the stream is listed; a transcript line seeks the player to its time.
    page.goto("/app/streams")
    shot(page, "streams-desktop")
    page.click(f'a[href="/app/streams/{sid}"] >> nth=0')
    page.wait_for_selector(".archive-thumb img")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.archive-thumb img')].every(i => i.complete)"
    )
    line = page.locator(".transcript-line").last
    target = float(line.get_attribute("data-at") or 0)
    line.click()
    page.wait_for_function(
        f"() => Math.abs(parseFloat(document.querySelector('[data-now]').textContent.split(':')"
        f".reduce((a, b) => a * 60 + parseFloat(b), 0)) - {target}) < 2"
    )
    shot(page, "archive-desktop")
    page.goto("/app/billing")
    assert page.inner_text("[data-current-plan]") == "FREE"
    shot(page, "billing-desktop")
    page.goto("/app/settings")
    page.fill('input[name="name"]', "Chrome extension")
    page.click("text=Create key")
    assert page.inner_text("[data-new-key]").startswith("clp_")
    shot(page, "settings-desktop")
    page.goto("/app")
    assert page.locator(f"#clip-{trimmed_id}").is_visible()
    shot(page, "home-desktop")

    # Phone-sized screenshots of the same pages, same session.
    phone = watch.attach(context.new_page())
    phone.set_viewport_size(PHONE)
    for name, path in (
        ("landing", "/"),
        ("home", "/app"),
        ("gallery", "/app/clips"),
        ("clip", f"/app/clips/{trimmed_id}"),
        ("analytics", "/app/analytics"),
        ("settings", "/app/settings"),
        ("team", "/app/team"),
        ("streams", "/app/streams"),
        ("archive", f"/app/streams/{sid}"),
        ("billing", "/app/billing"),
    ):
        phone.goto(path)
        shot(phone, f"{name}-phone")
    phone.close()

    # Another user gets a 404 for this clip's URL (and the page says so).
    intruder_ctx = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    intruder = watch.attach(intruder_ctx.new_page())
    intruder.goto("/signup")
    intruder.fill('input[name="email"]', "intruder@example.com")
    intruder.fill('input[name="password"]', PASSWORD)
    intruder.click('button[type="submit"]')
    intruder.wait_for_url("**/app?welcome=1")
    watch.expected.add((f"{srv.http}/app/clips/{clip_id}", 404))
    response = intruder.goto(f"/app/clips/{clip_id}")
    assert response is not None and response.status == 404
    assert "does not exist" in intruder.inner_text("h1")
    assert "Strategy talk" not in intruder.content()
    shot(intruder, "not-found-desktop")

    # Team: the owner (moved to Business by the admin command) invites the other user, who
    # then sees the clip; removing them takes the clip away on their next request.
    srv.set_plan("streamer@example.com", "business")
    page.goto("/app/team")
    page.fill('input[name="name"]', "Saturday crew")
    page.click("text=Create team")
    page.fill('input[name="email"]', "intruder@example.com")
    page.click("text=Create invite link")
    link = page.inner_text("[data-invite-link]")
    shot(page, "team-desktop")
    intruder.goto(link)
    shot(intruder, "invite-desktop")
    intruder.click("text=Join the team")
    intruder.wait_for_url("**/app/team")
    response = intruder.goto(f"/app/clips/{clip_id}")
    assert response is not None and response.status == 200
    assert "Strategy talk" in intruder.inner_text("body")
    page.goto("/app/team")
    page.on("dialog", lambda dialog: dialog.accept())  # the removal asks for confirmation
    page.click('[data-member="intruder@example.com"] >> text=Remove')
    page.wait_for_url("**/app/team?saved=removed")
    response = intruder.goto(f"/app/clips/{clip_id}")
    assert response is not None and response.status == 404
    intruder_ctx.close()

    # Log out through the menu.
    page.click("text=Log out")
    page.wait_for_url("**/login?bye=1")
    context.close()
    assert watch.errors == []
