"""Invitation rows: seats held by pending invitations, revocation, single use, replacement
(both databases)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.invites import (
    INVITE_DAYS,
    InvalidInvite,
    InviteClosed,
    InviteNotFound,
    accept_invite,
    create_invite,
    invite_token,
    open_invite,
    pending_invites,
    revoke_invite,
    seats_used,
)
from clippy.accounts.teams import SeatLimitReached, TeamError, add_member, create_team
from clippy.db.models import Team, User
from clippy.db.types import utcnow

SECRET = "invite-secret-0123456789abcdef0123456789"


def _team(s: Session, owner: User) -> Team:
    found = s.get(User, owner.id)
    assert found is not None
    return create_team(s, found, "Crew")


def test_pending_invitations_hold_seats_until_revoked(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    owner = make_user("boss@example.com", plan="business")  # 5 seats
    with session_factory() as s:
        team = _team(s, owner)
        for n in range(4):
            create_invite(s, team, f"crew{n}@example.com")
        assert seats_used(s, team) == (1, 4)
        with pytest.raises(SeatLimitReached, match="revoke an invitation or remove a member"):
            create_invite(s, team, "fifth@example.com")
        first = pending_invites(s, team)[0]
        assert first.email == "crew0@example.com"
        revoke_invite(s, team, first.id)
        assert seats_used(s, team) == (1, 3)
        create_invite(s, team, "fifth@example.com")
        # Expired invitations hold nothing.
        later = utcnow() + timedelta(days=INVITE_DAYS, minutes=1)
        assert seats_used(s, team, later) == (1, 0) and pending_invites(s, team, later) == []


def test_a_link_works_once_and_not_after_revocation(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    owner = make_user("boss@example.com", plan="business")
    crew = make_user("crew@example.com")
    with session_factory() as s:
        team = _team(s, owner)
        invite = create_invite(s, team, "crew@example.com")
        token = invite_token(SECRET, invite)
        assert invite_token(SECRET, invite) == token  # shown again: the same link
        assert open_invite(s, SECRET, token).id == invite.id
        member = s.get(User, crew.id)
        assert member is not None
        assert accept_invite(s, invite, member).id == team.id
        assert invite.status == "accepted" and invite.accepted_by == crew.id
        with pytest.raises(InviteClosed, match="already used") as used:
            open_invite(s, SECRET, token)
        assert used.value.invite.accepted_by == crew.id
        assert pending_invites(s, team) == []
        with pytest.raises(InviteNotFound):
            revoke_invite(s, team, invite.id)  # used: nothing to revoke

        again = create_invite(s, team, "later@example.com")
        revoke_invite(s, team, again.id)
        with pytest.raises(InviteClosed, match="revoked by the team's owner"):
            open_invite(s, SECRET, invite_token(SECRET, again))
        with pytest.raises(TeamError, match="already a member"):
            create_invite(s, team, "crew@example.com")


def test_a_new_invitation_replaces_the_pending_one(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    owner = make_user("boss@example.com", plan="business")
    with session_factory() as s:
        team = _team(s, owner)
        old = create_invite(s, team, "crew@example.com")
        new = create_invite(s, team, "crew@example.com")
        assert [i.id for i in pending_invites(s, team)] == [new.id]
        with pytest.raises(InviteClosed, match="revoked"):
            open_invite(s, SECRET, invite_token(SECRET, old))


def test_other_teams_invitations_cannot_be_revoked_or_forged(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    a = make_user("a@example.com", plan="business")
    b = make_user("b@example.com", plan="business")
    with session_factory() as s:
        team_a, team_b = _team(s, a), _team(s, b)
        theirs = create_invite(s, team_b, "x@example.com")
        with pytest.raises(InviteNotFound):
            revoke_invite(s, team_a, theirs.id)
        assert theirs.status == "pending"
        token = invite_token(SECRET, theirs)
        s.delete(team_b)
        s.commit()
    # The team (and with it the row) is gone: the still-signed link names nothing.
    with session_factory() as s, pytest.raises(InvalidInvite, match="no longer exists"):
        open_invite(s, SECRET, token)


def test_accepting_needs_a_free_seat(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    owner = make_user("boss@example.com", plan="business")
    late = make_user("late@example.com")
    others = [make_user(f"m{n}@example.com") for n in range(3)]
    with session_factory() as s:
        team = _team(s, owner)
        invite = create_invite(s, team, "late@example.com")
        for o in others:
            found = s.get(User, o.id)
            assert found is not None
            add_member(s, team, found)
        boss = s.get(User, owner.id)
        assert boss is not None
        boss.plan = "pro"  # downgraded: 1 seat
        member = s.get(User, late.id)
        assert member is not None
        with pytest.raises(SeatLimitReached):
            accept_invite(s, invite, member)
