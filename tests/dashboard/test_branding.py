"""Settings → branding through the routes (SQLite and PostgreSQL) and in a real browser:
upload, preview, refusals, the free plan's disabled section, CSRF, another user's logo URL,
and an export whose frame carries the logo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clippy.branding.options import place_logo, read_branding
from clippy.config import Settings
from clippy.db.models import User
from clippy.db.session import make_engine, make_session_factory
from clippy.media.image import sniff_format
from clippy.storage.factory import make_store
from tests.dashboard.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.export.conftest import frame_at, seed_clip
from tests.export.media import pattern_video
from tests.export.test_branding import MB, RED, make_image
from tests.fixtures.server import ServerProcess


def _business(b: Browserish) -> None:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        user.plan = "business"
        s.commit()


def _upload(b: Browserish, data: bytes, name: str = "logo.png", **fields: str) -> object:
    form = {"corner": "bottom-right", "size": "20", "opacity": "80", **fields}
    return b.post("/app/settings/branding", form, files={"logo": (name, data, "image/png")})


def _stored(b: Browserish) -> list[str]:
    store = b.client.app.state.ctx.store  # type: ignore[attr-defined]
    return list(store.list("branding/"))


def test_settings_routes(signed_up: Callable[[str], Browserish], tmp_path: Path) -> None:
    png = make_image(tmp_path / "logo.png", "0xE61414", "300x150").read_bytes()
    free = signed_up("free-brand@example.com")
    section = free.get("/app/settings/branding", headers={"HX-Request": "true"}).text
    assert '<fieldset class="stack" disabled>' in section and "Business plan" in section
    r = _upload(free, png)
    assert r.status_code == 400 and "comes with the Business plan" in r.text
    assert _stored(free) == []

    b = signed_up("biz-brand@example.com")
    other = signed_up("biz-other-brand@example.com")
    _business(b)
    _business(other)
    assert 'hx-get="/app/settings/branding' in b.get("/app/settings").text

    # Refused uploads: a clear reason, nothing stored, settings untouched.
    for data, status, message in (
        (b"GIF89a not really", 400, "not a PNG, JPEG or WebP image"),
        (png[: len(png) // 2], 400, "damaged or incomplete"),
        (make_image(tmp_path / "w.png", "red", "2400x100").read_bytes(), 400, "at most 2000x2000"),
        (png + b"\0" * (3 * MB), 413, "at most 2 MB"),
        # Over the drain limit: refused without reading the rest of the body.
        (png + b"\0" * (40 * MB), 413, "at most 2 MB"),
    ):
        r = _upload(b, data)
        assert r.status_code == status and message in r.text, (status, r.text[-400:])
        assert "Nothing was saved" in r.text
    r = _upload(b, png, size="50")
    assert r.status_code == 400 and "Size must be 5-30 %" in r.text
    assert _stored(b) == []
    # Without the CSRF token: refused before anything is looked at.
    r = b.client.post(
        "/app/settings/branding",
        data={"corner": "top-left", "size": "10", "opacity": "80"},
        files={"logo": ("logo.png", png, "image/png")},
    )
    assert r.status_code == 403 and _stored(b) == []

    r = _upload(b, png)
    assert r.status_code == 303 and r.headers["location"] == "/app/settings?branding=logo#branding"
    (key,) = _stored(b)
    digest = key.split("/")[-1].removesuffix(".png")
    section = b.get("/app/settings/branding?saved=logo", headers={"HX-Request": "true"}).text
    assert "Logo saved" in section and f"/app/settings/branding/logo/{digest}.png" in section
    img = b.get(f"/app/settings/branding/logo/{digest}.png")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert sniff_format(img.content) == "png"
    # Another user (and a visitor) cannot fetch it.
    assert other.get(f"/app/settings/branding/logo/{digest}.png").status_code == 404
    anon = TestClient(b.client.app).get(
        f"/app/settings/branding/logo/{digest}.png", follow_redirects=False
    )
    assert anon.status_code == 303

    # Placement alone, without a new file.
    r = b.post("/app/settings/branding", {"corner": "top-left", "size": "12", "opacity": "40"})
    assert r.status_code == 303
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        saved = read_branding(user.settings)
    assert saved is not None and (saved.corner, saved.size, saved.opacity) == ("top-left", 12, 40)

    assert b.client.post("/app/settings/branding/delete").status_code == 403
    r = b.post("/app/settings/branding/delete")
    assert r.status_code == 303 and _stored(b) == []
    assert b.get(f"/app/settings/branding/logo/{digest}.png").status_code == 404
    assert "Logo removed" in b.get("/app/settings/branding?saved=removed").text
    assert b.post("/app/settings/branding/delete").status_code == 404


# ---- in a real browser ---------------------------------------------------------------------


def _seed_clip(srv: ServerProcess, email: str, source: Path) -> int:
    """A ready clip in the server's database and store (``seed_clip`` wants an app context:
    the server runs in another process, so give it the same database and store)."""
    settings = Settings(data_dir=srv.data_dir, database_url=srv.database_url)
    engine = make_engine(srv.database_url)
    ctx = SimpleNamespace(session_factory=make_session_factory(engine), store=make_store(settings))
    try:
        fake = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(ctx=ctx)))
        return seed_clip(fake, email, source)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _open_branding(page: Any) -> Any:
    page.goto("/app/settings")
    page.wait_for_selector("[data-branding]")
    return page.locator("#branding")


@pytest.mark.timeout(600)
def test_branding_in_the_browser(server: ServerProcess, browser: Any, tmp_path: Path) -> None:
    srv = server
    for email in ("brand@example.com", "intruder@example.com"):
        srv.register(email, PASSWORD)
    logo = make_image(tmp_path / "logo.png", "0xE61414", "400x200")
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"this is not an image at all\n" * 40)
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, "brand@example.com")

    # Free plan: the section is there, disabled, with the way to upgrade.
    section = _open_branding(page)
    assert section.locator("fieldset[disabled]").count() == 1
    assert "comes with the Business plan" in section.inner_text()
    section.scroll_into_view_if_needed()
    shot(page, "settings-branding-free-desktop")

    srv.set_plan("brand@example.com", "business")
    srv.set_plan("intruder@example.com", "business")
    section = _open_branding(page)
    assert section.locator("fieldset[disabled]").count() == 0
    assert "No logo yet" in section.inner_text()

    # Garbage first: a clear error, nothing saved.
    watch.expected.add((f"{srv.http}/app/settings/branding", 400))
    page.set_input_files('input[name="logo"]', str(garbage))
    page.click("#branding button[type=submit]")
    error = page.locator("#branding .flash-error")
    error.wait_for()
    assert "not a PNG, JPEG or WebP image" in error.inner_text()
    assert "Nothing was saved" in error.inner_text()
    shot(page, "branding-error-desktop")

    # A real PNG, bottom left at 20 %: back on settings with the preview shown.
    page.goto("/app/settings")
    page.wait_for_selector("[data-branding]")
    page.set_input_files('input[name="logo"]', str(logo))
    page.check('input[name="corner"][value="bottom-left"]')
    page.fill('input[name="size"]', "20")
    page.fill('input[name="opacity"]', "100")
    page.click("#branding button[type=submit]")
    page.wait_for_url("**/app/settings?branding=logo#branding")
    preview = page.locator("[data-logo-preview]")
    preview.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-logo-preview]').naturalWidth === 400"
    )
    assert "Logo saved" in page.locator("#branding").inner_text()
    logo_url = preview.get_attribute("src")
    assert logo_url and logo_url.startswith("/app/settings/branding/logo/")
    page.locator("#branding").scroll_into_view_if_needed()
    shot(page, "settings-branding-desktop")
    phone = watch.attach(context.new_page())
    phone.set_viewport_size(PHONE)
    _open_branding(phone)
    phone.wait_for_function(
        "() => document.querySelector('[data-logo-preview]').naturalWidth === 400"
    )
    shot(phone, "settings-branding-phone")
    phone.goto("/app/settings/branding")
    shot(phone, "branding-page-phone")
    phone.close()

    # Without the CSRF token the upload is refused; another user cannot fetch the logo.
    refused = page.request.post(
        "/app/settings/branding",
        multipart={
            "corner": "top-left",
            "size": "10",
            "opacity": "50",
            "logo": {"name": "l.png", "mimeType": "image/png", "buffer": logo.read_bytes()},
        },
    )
    assert refused.status == 403
    intruder_ctx = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    intruder = watch.attach(intruder_ctx.new_page())
    submit_credentials(intruder, "intruder@example.com")
    assert intruder.request.get(logo_url).status == 404
    own = page.request.get(logo_url)
    assert own.status == 200 and sniff_format(own.body()) == "png"
    intruder_ctx.close()

    # Export a clip: the frame carries the logo bottom left, not top right.
    source = pattern_video(tmp_path / "clip.mp4", 3.0)
    clip_id = _seed_clip(srv, "brand@example.com", source)
    page.goto(f"/app/clips/{clip_id}")
    page.click('[data-export="shorts"]')
    page.wait_for_selector("[data-export-status]")
    finished = page.wait_for_selector(
        '[data-export-status="done"], [data-export-status="failed"]', timeout=240_000
    )
    assert finished.get_attribute("data-export-status") == "done", finished.inner_text()
    href = page.get_attribute("[data-export-download]", "href")
    video = tmp_path / "export.mp4"
    video.write_bytes(page.request.get(href).body())
    frame = frame_at(video, 1.5, tmp_path / "export-frame.png")
    h, w, _ = frame.shape
    engine = make_engine(srv.database_url)
    with make_session_factory(engine)() as s:
        user = s.query(User).filter_by(email="brand@example.com").one()
        branding = read_branding(user.settings)
    engine.dispose()
    assert branding is not None and branding.corner == "bottom-left"
    p = place_logo(branding, w, h)
    logo_px = frame[p.y + 6 : p.y + p.height - 6, p.x + 6 : p.x + p.width - 6].reshape(-1, 3)
    assert abs(logo_px.mean(axis=0) - RED).max() < 40, logo_px.mean(axis=0)
    opposite = frame[h - p.y - p.height : h - p.y, w - p.x - p.width : w - p.x].reshape(-1, 3)
    assert abs(opposite.mean(axis=0) - RED).max() > 100, "the logo is in the wrong corner"
    shot(page, "clip-branded-export-desktop")
    assert watch.errors == [], watch.errors
    context.close()
