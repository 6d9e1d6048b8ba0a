"""Pending team invitations on the team page: listed with Revoke, seats held, links that
answer "revoked" or "used"; through the routes (both databases) and in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from clippy.db.models import User
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.fixtures.server import ServerProcess


def _business_team(owner: Browserish) -> None:
    with owner.session_factory() as s:
        boss = s.get(User, owner.user_id)
        assert boss is not None
        boss.plan = "business"
        s.commit()
    owner.get("/app/team")
    assert owner.post("/app/team", {"name": "Night crew"}).status_code == 303


def _invite(owner: Browserish, email: str) -> str:
    """The path of a new invitation link for ``email``."""
    made = owner.post("/app/team/invite", {"email": email})
    assert made.status_code == 200, made.text
    link = re.search(r"data-invite-link>([^<]+)<", made.text)
    assert link is not None
    return "/" + link.group(1).split("/", 3)[3]


def _invite_id(page: str, email: str) -> int:
    found = re.search(
        rf'data-invite="{re.escape(email)}".*?/app/team/invites/(\d+)/revoke', page, re.S
    )
    assert found is not None, f"no pending invitation of {email} on the page"
    return int(found.group(1))


def test_owner_revokes_a_pending_invitation(signed_up: Callable[[str], Browserish]) -> None:
    owner = signed_up("boss@example.com")
    crew = signed_up("crew@example.com")
    other = signed_up("other-boss@example.com")
    _business_team(owner)
    assert "data-no-invites" in owner.get("/app/team").text
    path = _invite(owner, "crew@example.com")
    page = owner.get("/app/team").text
    assert "1 of 5 seats · 1 held by invitations" in page
    invite_id = _invite_id(page, "crew@example.com")
    assert path.removeprefix("/invite/") in page  # the link can be copied again

    # Without the CSRF token, by a member of no team, for another team: refused.
    assert owner.client.post(f"/app/team/invites/{invite_id}/revoke").status_code == 403
    assert other.post(f"/app/team/invites/{invite_id}/revoke").status_code == 403
    _business_team(other)
    assert other.post(f"/app/team/invites/{invite_id}/revoke").status_code == 404
    assert owner.post("/app/team/invites/999999/revoke").status_code == 404
    assert crew.get(path).status_code == 200  # still pending

    revoked = owner.post(f"/app/team/invites/{invite_id}/revoke")
    assert revoked.headers["location"] == "/app/team?saved=revoked"
    page = owner.get("/app/team?saved=revoked").text
    assert "Invitation revoked" in page and "data-no-invites" in page
    gone = crew.get(path)
    assert gone.status_code == 410 and "revoked by the team&#39;s owner" in gone.text
    assert crew.post(path).status_code == 410
    assert owner.post(f"/app/team/invites/{invite_id}/revoke").status_code == 404


def test_a_used_link_says_so_and_pending_invitations_hold_seats(
    signed_up: Callable[[str], Browserish],
) -> None:
    owner = signed_up("boss@example.com")
    crew = signed_up("crew@example.com")
    _business_team(owner)
    path = _invite(owner, "Crew@Example.com")
    assert crew.post(path).headers["location"] == "/app/team"
    # The person who used it goes to the team; anyone else learns it was used.
    again = crew.get(path, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/app/team"
    stranger = signed_up("stranger@example.com")
    used = stranger.get(path)
    assert used.status_code == 410 and "already used" in used.text
    page = owner.get("/app/team").text
    assert "data-no-invites" in page and 'data-member="crew@example.com"' in page

    # Owner + crew + three pending invitations fill the five seats.
    for n in range(3):
        _invite(owner, f"extra{n}@example.com")
    page = owner.get("/app/team").text
    assert "data-seats-full" in page and 'action="/app/team/invite"' not in page
    full = owner.post("/app/team/invite", {"email": "sixth@example.com"})
    assert full.status_code == 400 and "pending invitations" in full.text
    # Re-inviting a pending address replaces its link instead of taking another seat.
    assert owner.post("/app/team/invite", {"email": "extra0@example.com"}).status_code == 200
    assert owner.post("/app/team/invite", {"email": "crew@example.com"}).status_code == 400


# ---- In the browser ----


def _sign_up(context: Any, watch: ConsoleWatch, email: str) -> Any:
    page = watch.attach(context.new_page())
    submit_credentials(page, email, path="/signup", lands_on="**/app?welcome=1")
    return page


@pytest.mark.timeout(300)
def test_pending_invitations_in_the_browser(server: ServerProcess, browser: Any) -> None:
    srv = server
    watch = ConsoleWatch()
    owner_ctx = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    crew_ctx = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = _sign_up(owner_ctx, watch, "boss@example.com")
    crew = _sign_up(crew_ctx, watch, "crew@example.com")
    srv.set_plan("boss@example.com", "business")

    page.goto("/app/team")
    page.fill('input[name="name"]', "Night crew")
    page.click("text=Create team")
    links = {}
    for email in ("crew@example.com", "editor.with.a.long.address@example-agency.com"):
        page.fill('input[name="email"]', email)
        page.click("text=Create invite link")
        links[email] = page.inner_text("[data-invite-link]")
    page.goto("/app/team")
    rows = page.locator("[data-invite]")
    assert rows.count() == 2
    assert "3 of 5 seats" not in page.inner_text("[data-seats]")
    assert "1 of 5 seats · 2 held by invitations" in page.inner_text("[data-seats]")
    shot(page, "team-invites-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "team-invites-phone")
    page.set_viewport_size(DESKTOP)

    page.on("dialog", lambda dialog: dialog.accept())  # revoking asks for confirmation
    page.click('[data-invite="crew@example.com"] >> text=Revoke')
    page.wait_for_url("**/app/team?saved=revoked")
    assert page.locator("[data-invite]").count() == 1
    assert "Invitation revoked" in page.inner_text(".flash")
    shot(page, "team-invite-revoked-desktop")

    link = links["crew@example.com"]
    watch.expected.add((link, 410))
    response = crew.goto(link)
    assert response is not None and response.status == 410
    assert "revoked by the team's owner" in crew.inner_text("main")
    shot(crew, "invite-revoked-desktop")
    crew.set_viewport_size(PHONE)
    shot(crew, "invite-revoked-phone")

    owner_ctx.close()
    crew_ctx.close()
    assert watch.errors == []
