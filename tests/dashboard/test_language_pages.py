"""Spoken language on the settings page (the account), a stream's page (that stream, and the
language heard in it) and the clip page: only what the server's model recognises is offered,
an English-only model refuses German when it is saved, and a real browser shows it all."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clippy.db.models import Stream, User
from clippy.transcribe import with_heard
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    Browserish,
    ConsoleWatch,
    add_clip,
    add_stream,
    artifacts_dir,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess, pages_only_server


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="language".*?</select>', html, re.S)
    assert select, "no language picker"
    return re.findall(r'<option value="(\w*)"', select.group(0))


def _selected(html: str) -> str:
    found = re.findall(r'<option value="(\w*)" selected>', html)
    assert len(found) == 1, found
    return str(found[0])


def test_english_only_server_refuses_german_on_save(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("tiny@example.com")
    page = b.get("/app/settings").text
    assert _options(page) == ["", "en"] and "Server default (English)" in page
    assert "understands English only" in page and "CLIPPY_WHISPER_MODEL=base" in page
    r = b.post("/app/settings/language", {"language": "de"})
    assert r.status_code == 400
    assert "Whisper tiny.en understands English only" in r.text
    assert "(German)" in r.text and "Nothing was saved." in r.text
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None and "language" not in user.settings
        stream_id = add_stream(s, b.user_id).id
        s.commit()
    r = b.post(f"/app/streams/{stream_id}/language", {"language": "es"})
    assert r.status_code == 400 and "understands English only" in r.text
    r = b.post("/app/settings/language", {"language": "en"})
    assert r.status_code == 303 and r.headers["location"].endswith("#language")
    assert "Language saved" in b.get("/app/settings?saved=language").text


def test_stream_follows_the_account_until_it_chooses(
    make_client: Callable[..., Any],
) -> None:
    from fastapi.testclient import TestClient

    from tests.dashboard.conftest import PASSWORD

    app = make_client(whisper_model="base")
    b = Browserish(TestClient(app.app))
    b.get("/signup")
    assert (
        b.post("/signup", {"email": "multi@example.com", "password": PASSWORD}).status_code == 303
    )
    page = b.get("/app/settings").text
    assert _options(page)[:3] == ["", "auto", "en"] and "de" in _options(page)
    assert _selected(page) == "" and "Server default (Auto-detect)" in page
    assert b.post("/app/settings/language", {"language": "de"}).status_code == 303
    assert _selected(b.get("/app/settings").text) == "de"
    with b.session_factory() as s:
        user = s.query(User).filter_by(email="multi@example.com").one()
        stream = add_stream(s, user.id, settings=with_heard({}, "es", 40))
        clip_id = add_clip(s, stream, 10.0, 40.0, title="Vamos").id
        stream_id = stream.id
        s.commit()
    page = b.get(f"/app/streams/{stream_id}").text
    assert _selected(page) == "" and "As my account (German)" in page
    assert "Heard so far: <strong>Spanish</strong>" in page
    r = b.post(f"/app/streams/{stream_id}/language", {"language": "es"})
    assert r.status_code == 303
    assert _selected(b.get(f"/app/streams/{stream_id}?saved=language").text) == "es"
    with b.session_factory() as s:
        row = s.get(Stream, stream_id)
        assert row is not None and row.settings["language"] == "es"
        assert row.settings["heard_languages"] == {"es": 40}
    assert "data-clip-language>Spanish<" in b.get(f"/app/clips/{clip_id}").text


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[ServerProcess]:
    """A real server configured for multilingual Whisper base (pipeline off: pages only)."""
    yield from pages_only_server(tmp_path, sqlite_url, {"CLIPPY_WHISPER_MODEL": "base"})


def test_language_settings_in_the_browser(server: ServerProcess, browser: Any) -> None:
    email = "lang@example.com"
    server.register(email)
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=server.http)
    page = watch.attach(context.new_page())
    submit_credentials(page, email)
    page.goto("/app/settings#language")
    select = page.locator("#language select[name=language]")
    assert select.is_visible()
    select.select_option("de")
    page.click("#language [data-save-language]")
    page.wait_for_url("**/app/settings?saved=language#language")
    assert "Language saved" in page.inner_text(".flash-ok")
    assert page.locator("#language select[name=language]").input_value() == "de"
    page.locator("#language").screenshot(path=str(artifacts_dir() / "settings-language.png"))
    page.screenshot(path=str(artifacts_dir() / "settings-language-screen.png"))

    phone = watch.attach(context.new_page())
    phone.set_viewport_size(PHONE)
    phone.goto("/app/settings#language")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("#language").screenshot(path=str(artifacts_dir() / "settings-language-phone.png"))
    assert watch.errors == []
    context.close()
