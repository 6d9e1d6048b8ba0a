"""The team page (business plan): create a team, invite by link, remove members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts import (
    InvalidEmail,
    InvalidInvite,
    InviteClosed,
    InviteNotFound,
    TeamError,
    accept_invite,
    create_invite,
    create_team,
    get_plan,
    invite_token,
    normalize_email,
    open_invite,
    pending_invites,
    remove_member,
    revoke_invite,
    team_members,
    team_of,
)
from clippy.db import Team, TeamInvite, User
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render
from clippy.web.params import IdPath

router = APIRouter(include_in_schema=False)

_NOTICES = {
    "removed": "Member removed. Their access ended at once.",
    "revoked": "Invitation revoked. Its link no longer works, and its seat is free again.",
}


def _link(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/invite/{token}"


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
    is_owner = team is not None and team.owner_id == user.id
    secret = get_ctx(request).secret_key
    invites = [
        {"invite": i, "link": _link(request, invite_token(secret, i))}
        for i in (pending_invites(session, team) if team is not None and is_owner else [])
    ]
    members = team_members(session, team) if team else []
    ctx = {
        "user": user,
        "team": team,
        "members": members,
        "invites": invites,
        "is_owner": is_owner,
        "seats": seats,
        "seats_free": seats - len(members) - len(invites),
        "can_create": team is None and get_plan(user.plan).team_seats > 1,
        "invite_link": invite_link,
        "invited": invited,
        "error": error,
        "notice": _NOTICES.get(request.query_params.get("saved", ""), ""),
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
        invite = create_invite(session, team, address)
    except (InvalidEmail, TeamError) as exc:
        session.rollback()
        return _team_page(request, session, user, error=_sentence(exc), status_code=400)
    session.commit()
    link = _link(request, invite_token(get_ctx(request).secret_key, invite))
    return _team_page(request, session, user, invite_link=link, invited=address)


@router.post("/app/team/invites/{invite_id}/revoke", dependencies=[CsrfChecked])
def revoke(invite_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Revoke a pending invitation: its link answers "revoked" from now on."""
    team = _owned_team(session, user)
    if team is None:
        return _team_page(
            request, session, user, error="Only a team's owner can revoke.", status_code=403
        )
    try:
        revoke_invite(session, team, invite_id)
    except InviteNotFound:
        # Another team's invitation, or one already used or revoked: nothing of theirs here.
        return _team_page(
            request,
            session,
            user,
            error="That invitation is not pending in your team any more.",
            status_code=404,
        )
    return RedirectResponse("/app/team?saved=revoked", 303)


@router.post("/app/team/members/{member_id}/remove", dependencies=[CsrfChecked])
def remove(member_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
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


def _refused(request: Request, user: User, error: str, status_code: int) -> Response:
    return render(request, "app/invite.html", {"user": user, "error": error}, status_code)


def _pending_invite(
    request: Request, session: SessionDep, user: User, token: str
) -> TeamInvite | Response:
    """The pending invitation of ``token`` addressed to ``user``, or the page saying why not."""
    try:
        invite = open_invite(session, get_ctx(request).secret_key, token)
    except InviteClosed as exc:
        team = session.get(Team, exc.invite.team_id)
        if exc.invite.accepted_by == user.id and team and user in team_members(session, team):
            # The person who used it, clicking again: they are where the link leads already.
            return RedirectResponse("/app/team", 303)
        return _refused(request, user, _sentence(exc), 410)
    except InvalidInvite as exc:
        return _refused(request, user, _sentence(exc), 400)
    if invite.email != user.email:
        error = f"This invitation is for {invite.email}; you are logged in as {user.email}."
        return _refused(request, user, error, 403)
    return invite


def _sentence(exc: Exception) -> str:
    msg = str(exc)
    return msg[:1].upper() + msg[1:] + "."


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(token: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """The invitation: who invites, to which team; accept with one click."""
    invite = _pending_invite(request, session, user, token)
    if isinstance(invite, Response):
        return invite
    team = session.get(Team, invite.team_id)
    assert team is not None  # the invitation row goes with its team
    owner = session.get(User, team.owner_id)
    ctx = {"user": user, "team": team, "owner": owner, "token": token, "error": ""}
    return render(request, "app/invite.html", ctx)


@router.post("/invite/{token}", dependencies=[CsrfChecked])
def accept(token: str, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Join the team of a pending invitation addressed to this account (a second click by
    the person who used it just goes to the team)."""
    invite = _pending_invite(request, session, user, token)
    if isinstance(invite, Response):
        return invite
    try:
        accept_invite(session, invite, user)
    except TeamError as exc:
        session.rollback()
        return _refused(request, user, _sentence(exc), 409)
    return RedirectResponse("/app/team", 303)
