"""The team page (business plan): create a team, invite by link, remove members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts.invites import InvalidInvite, make_invite, read_invite, team_of
from clippy.accounts.plans import get_plan
from clippy.accounts.teams import TeamError, add_member, create_team, remove_member, team_members
from clippy.accounts.users import InvalidEmail, normalize_email
from clippy.db.models import Team, User
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render

router = APIRouter(include_in_schema=False)


def _team_page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    invite_link: str = "",
    invited: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    team = team_of(session, user)
    owner = session.get(User, team.owner_id) if team else None
    seats = get_plan(owner.plan).team_seats if owner else get_plan(user.plan).team_seats
    ctx = {
        "user": user,
        "team": team,
        "members": team_members(session, team) if team else [],
        "is_owner": team is not None and team.owner_id == user.id,
        "seats": seats,
        "can_create": team is None and get_plan(user.plan).team_seats > 1,
        "invite_link": invite_link,
        "invited": invited,
        "error": error,
        "notice": {"removed": "Member removed. Their access ended at once."}.get(
            request.query_params.get("saved", ""), ""
        ),
    }
    return render(request, "app/team.html", ctx, status_code=status_code)


@router.get("/app/team", response_class=HTMLResponse)
def team_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Members, seats, invitations."""
    return _team_page(request, session, user)


@router.post("/app/team", dependencies=[CsrfChecked])
def new_team(
    request: Request,
    session: SessionDep,
    user: PageUser,
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Create the user's team (business plan)."""
    try:
        create_team(session, user, name)
    except TeamError as exc:
        return _team_page(request, session, user, error=str(exc), status_code=400)
    return RedirectResponse("/app/team", 303)


def _owned_team(session: SessionDep, user: User) -> Team | None:
    team = team_of(session, user)
    return team if team is not None and team.owner_id == user.id else None


@router.post("/app/team/invite", dependencies=[CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    user: PageUser,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Make an invitation link for an e-mail address (shown to the owner to send)."""
    team = _owned_team(session, user)
    if team is None:
        return _team_page(
            request, session, user, error="Only a team's owner can invite.", status_code=403
        )
    try:
        address = normalize_email(email)
    except InvalidEmail as exc:
        return _team_page(request, session, user, error=str(exc), status_code=400)
    if len(team_members(session, team)) >= get_plan(user.plan).team_seats:
        msg = f"All {get_plan(user.plan).team_seats} seats are taken; remove a member first."
        return _team_page(request, session, user, error=msg, status_code=400)
    token = make_invite(get_ctx(request).secret_key, team.id, address)
    link = f"{str(request.base_url).rstrip('/')}/invite/{token}"
    return _team_page(request, session, user, invite_link=link, invited=address)


@router.post("/app/team/members/{member_id}/remove", dependencies=[CsrfChecked])
def remove(member_id: int, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Remove a member; from the next request on they see none of the team's clips."""
    team = _owned_team(session, user)
    if team is None:
        return _team_page(
            request, session, user, error="Only a team's owner can remove members.", status_code=403
        )
    try:
        remove_member(session, team, member_id)
    except TeamError as exc:
        return _team_page(request, session, user, error=str(exc), status_code=400)
    return RedirectResponse("/app/team?saved=removed", 303)


def _invite_page(request: Request, session: SessionDep, user: User, token: str) -> Response:
    try:
        team_id, email = read_invite(get_ctx(request).secret_key, token)
    except InvalidInvite as exc:
        return render(request, "app/invite.html", {"user": user, "error": str(exc)}, 400)
    team = session.get(Team, team_id)
    if team is None:
        return render(
            request, "app/invite.html", {"user": user, "error": "This team no longer exists."}, 404
        )
    if email != user.email:
        error = f"This invitation is for {email}; you are logged in as {user.email}."
        return render(request, "app/invite.html", {"user": user, "error": error}, 403)
    owner = session.get(User, team.owner_id)
    ctx = {"user": user, "team": team, "owner": owner, "token": token, "error": ""}
    return render(request, "app/invite.html", ctx)


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(token: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """The invitation: who invites, to which team; accept with one click."""
    return _invite_page(request, session, user, token)


@router.post("/invite/{token}", dependencies=[CsrfChecked])
def accept(token: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Join the team of a genuine invitation addressed to this account."""
    page = _invite_page(request, session, user, token)
    if page.status_code != 200:
        return page
    team_id, _email = read_invite(get_ctx(request).secret_key, token)
    team = session.get(Team, team_id)
    assert team is not None
    if user.id not in {m.id for m in team_members(session, team)}:
        try:
            add_member(session, team, user)
        except TeamError as exc:
            return render(request, "app/invite.html", {"user": user, "error": str(exc)}, 409)
    return RedirectResponse("/app/team", 303)
