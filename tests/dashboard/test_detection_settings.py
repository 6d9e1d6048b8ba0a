"""Settings → detection (business plan): key phrases and prompt saved, validated with the
draft given back, refused on other plans and without the CSRF token; the server's judge status
shown (SQLite and PostgreSQL); the section in a real browser at desktop and phone size."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clippy.accounts.users import set_plan
from clippy.db.models import User
from clippy.detect.preferences import stored_prefs
from tests.dashboard.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess

HX = {"HX-Request": "true"}


def _plan(b: Browserish, plan: str, settings: dict[str, Any] | None = None) -> None:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        set_plan(s, user, plan)
        if settings is not None:
            user.settings = settings
        s.commit()


def _stored(b: Browserish) -> dict[str, Any]:
    with b.session_factory() as s:
        user = s.get(User, b.user_id)
        assert user is not None
        return dict(user.settings)


def test_business_saves_phrases_and_prompt(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("biz-detect@example.com")
    _plan(b, "business", {"theme": "dark"})
    page = b.get("/app/settings")
    # The settings page holds a placeholder that loads the section from its own route.
    assert 'hx-get="/app/settings/detection' in page.text
    section = b.get("/app/settings/detection", headers=HX)
    assert section.status_code == 200 and "data-detection" in section.text
    assert "<html" not in section.text  # a fragment for HTMX, not a page

    r = b.post(
        "/app/settings/detection",
        {"key_phrases": "Pineapple Pizza!\nchat, CLIP IT\npineapple pizza", "prompt": " Food. "},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("detection=saved#detection")
    stored = _stored(b)
    assert stored["theme"] == "dark"  # other settings untouched
    prefs = stored_prefs(stored)
    assert prefs.key_phrases == ("pineapple pizza", "chat", "clip it") and prefs.prompt == "Food."
    shown = b.get("/app/settings/detection?saved=detection", headers=HX).text
    assert "Detection settings saved" in shown
    assert "pineapple pizza\nchat\nclip it</textarea>" in shown and "3 of 50" in shown


def test_business_sets_the_viewers_clip_command(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("biz-command@example.com")
    _plan(b, "business", {})
    assert 'name="clip_command" value="!clip"' in b.get("/app/settings/detection", headers=HX).text
    form = {"key_phrases": "", "prompt": "", "clip_command": "!highlight"}
    assert b.post("/app/settings/detection", form).status_code == 303
    assert stored_prefs(_stored(b)).clip_command == "!highlight"
    shown = b.get("/app/settings/detection", headers=HX).text
    assert 'name="clip_command" value="!highlight"' in shown
    r = b.post("/app/settings/detection", {**form, "clip_command": "two words"})
    assert r.status_code == 400 and "must be one word" in r.text
    assert stored_prefs(_stored(b)).clip_command == "!highlight"  # nothing was saved


@pytest.mark.parametrize(
    ("phrases", "prompt", "message"),
    [
        ("ok\none two three four five six seven", "", "has 7 words (at most 6)"),
        ("\n".join(f"phrase {k}" for k in range(51)), "", "51 key phrases given; at most 50"),
        ("fine", "x" * 2001, "2,001 characters long; at most 2,000"),
    ],
)
def test_bad_input_is_refused_with_the_draft_kept(
    signed_up: Callable[[str], Browserish], phrases: str, prompt: str, message: str
) -> None:
    b = signed_up("biz-bad@example.com")
    _plan(b, "business")
    b.post("/app/settings/detection", {"key_phrases": "kept phrase", "prompt": "kept"})
    r = b.post("/app/settings/detection", {"key_phrases": phrases, "prompt": prompt})
    assert r.status_code == 400
    assert message in html.unescape(r.text) and "Nothing was saved." in r.text
    assert html.escape(phrases.splitlines()[-1]) in r.text  # what was typed comes back
    assert "<html" in r.text  # without HTMX: the stand-alone page
    assert stored_prefs(_stored(b)).key_phrases == ("kept phrase",)


def test_other_plans_see_it_disabled_and_cannot_save(
    signed_up: Callable[[str], Browserish],
) -> None:
    b = signed_up("pro-detect@example.com")
    _plan(b, "pro")
    section = b.get("/app/settings/detection", headers=HX).text
    assert '<fieldset class="stack" disabled>' in section
    assert "come with the Business plan (you are on Pro)" in section
    r = b.post("/app/settings/detection", {"key_phrases": "pineapple pizza", "prompt": ""})
    assert r.status_code == 403 and "you are on Pro" in r.text
    assert stored_prefs(_stored(b)).key_phrases == ()


def test_csrf_less_post_is_refused(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("biz-csrf@example.com")
    _plan(b, "business")
    r = b.client.post("/app/settings/detection", data={"key_phrases": "pineapple pizza"})
    assert r.status_code == 403
    assert stored_prefs(_stored(b)).key_phrases == ()


def test_visitors_are_sent_to_log_in(client: TestClient) -> None:
    r = client.get("/app/settings/detection", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({}, "Your prompt is stored and used once the admin configures an LLM."),
        ({"llm_api_key": "gsk_x", "llm_model": "llama-test"}, "asks an LLM (<code>llama-test"),
        ({"llm_base_url": "http://127.0.0.1:11434/v1"}, "AI judge on."),
    ],
)
def test_the_servers_judge_status_is_shown(
    make_client: Callable[..., TestClient], overrides: dict[str, str], shown: str
) -> None:
    b = Browserish(make_client(**overrides))
    b.get("/signup")
    assert b.post("/signup", {"email": "s@example.com", "password": PASSWORD}).status_code == 303
    assert shown in b.get("/app/settings/detection", headers=HX).text


# ---- In a real browser ----


def _sign_up(page: Any, email: str) -> None:
    submit_credentials(page, email, path="/signup", lands_on="**/app?welcome=1")


@pytest.mark.timeout(300)
def test_detection_section_in_a_browser(server: ServerProcess, browser: Any) -> None:
    srv = server
    watch = ConsoleWatch()
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, base_url=srv.http)
        page = watch.attach(context.new_page())
        email = f"biz-{size}@example.com"
        _sign_up(page, email)
        srv.set_plan(email, "business")

        page.goto("/app/settings")
        section = page.locator("[data-detection]")  # loaded by HTMX into the page
        section.wait_for()
        assert "AI judge off on this server" in section.inner_text()
        page.fill('textarea[name="key_phrases"]', "Pineapple Pizza!\nthat's going in the video")
        page.fill('textarea[name="prompt"]', "Clip my boss fights. Never the menus.")
        page.click("[data-detection] button[type=submit]")
        page.wait_for_url("**/app/settings?detection=saved#detection")
        section.wait_for()
        assert "Detection settings saved" in section.inner_text()
        phrases = page.input_value('textarea[name="key_phrases"]')
        assert phrases == "pineapple pizza\nthat's going in the video"
        section.scroll_into_view_if_needed()
        shot(page, f"settings-detection-{size}")

        # A phrase of seven words: refused, the draft comes back on the stand-alone page.
        watch.expected.add((f"{srv.http}/app/settings/detection", 400))
        page.fill('textarea[name="key_phrases"]', "one two three four five six seven")
        page.click("[data-detection] button[type=submit]")
        page.wait_for_selector(".flash-error")
        assert "has 7 words (at most 6)" in page.inner_text(".flash-error")
        draft = page.input_value('textarea[name="key_phrases"]')
        assert draft == "one two three four five six seven"
        shot(page, f"settings-detection-error-{size}")
        context.close()

    # Another plan: the section is there, disabled, with the way to upgrade.
    context = browser.new_context(viewport=PHONE, base_url=srv.http)
    page = watch.attach(context.new_page())
    _sign_up(page, "free-detect@example.com")
    page.goto("/app/settings#detection")
    page.locator("[data-detection]").wait_for()
    # Inside the disabled fieldset every control is disabled, the button included.
    assert page.locator("[data-detection] textarea[name=key_phrases]").is_disabled()
    assert page.locator("[data-detection] button[type=submit]").is_disabled()
    assert "come with the Business plan" in page.inner_text("[data-detection] .upgrade-hint")
    shot(page, "settings-detection-free-phone")
    context.close()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    _sign_up(page, "free-detect-desktop@example.com")
    page.goto("/app/settings")
    page.locator("[data-detection]").wait_for()
    shot(page, "settings-detection-free-desktop")
    context.close()
    assert watch.errors == []
