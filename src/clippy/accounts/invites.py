"""Team invitations: a row per invitation, and a signed, expiring link that names the row.

The link carries the invitation's id, team, address and expiry under an HMAC of the server's
secret, so a forged or altered link is refused without a lookup; the row says whether the
invitation is still ``pending``, or was ``accepted`` or ``revoked`` since.

Seats: a pending, unexpired invitation holds a seat. The owner cannot hand out more links
than the plan has seats, so nobody who was invited finds the team full when they click;
revoking an invitation (or its expiry) frees the seat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.accounts.plans import get_plan
from clippy.accounts.teams import SeatLimitReached, TeamError, add_member
from clippy.db import InviteStatus, Membership, Team, TeamInvite, User, utcnow
from clippy.errors import InvalidInput, NotFound

__all__ = [
    "INVITE_DAYS",
    "InvalidInvite",
    "InviteClaim",
    "InviteClosed",
    "InviteNotFound",
    "accept_invite",
    "create_invite",
    "invite_token",
    "make_invite",
    "open_invite",
    "pending_invites",
    "read_invite",
    "revoke_invite",
    "seats_used",
    "team_of",
]

INVITE_DAYS = 7


class InvalidInvite(InvalidInput):
    """The invitation link is malformed, forged or expired; the message says which."""


class InviteClosed(InvalidInvite):
    """The invitation was genuine but has been revoked or used already (``invite`` says how)."""

    def __init__(self, message: str, invite: TeamInvite) -> None:
        super().__init__(message)
        self.invite = invite


class InviteNotFound(NotFound):
    """No pending invitation with that id in the caller's team."""


@dataclass(frozen=True)
class InviteClaim:
    """What a genuine, unexpired link says (not yet checked against the row)."""

    invite_id: int
    team_id: int
    email: str


def _mac(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"invite\n{body}".encode(), hashlib.sha256).hexdigest()[:32]


def make_invite(secret: str, invite_id: int, team_id: int, email: str, expires: int) -> str:
    """The link token of invitation ``invite_id`` of ``email`` to ``team_id`` (pure)."""
    raw = json.dumps(
        {"i": invite_id, "t": team_id, "e": email.strip().lower(), "x": expires},
        separators=(",", ":"),
    )
    body = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{body}.{_mac(secret, body)}"


def read_invite(secret: str, token: str, now: float | None = None) -> InviteClaim:
    """What a genuine, unexpired link claims; ``InvalidInvite`` otherwise (pure)."""
    body, _, sig = token.partition(".")
    if not body or not hmac.compare_digest(_mac(secret, body).encode(), sig.encode()):
        raise InvalidInvite("this invitation link is not valid; ask for a new one")
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claim = InviteClaim(int(data["i"]), int(data["t"]), str(data["e"]))
        exp = int(data["x"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInvite("this invitation link is damaged; ask for a new one") from None
    if exp < (now if now is not None else time.time()):
        raise InvalidInvite(f"this invitation expired (links last {INVITE_DAYS} days)")
    return claim


def invite_token(secret: str, invite: TeamInvite) -> str:
    """The link token of a stored invitation (the same every time it is shown)."""
    expires = int(invite.expires_at.timestamp())
    return make_invite(secret, invite.id, invite.team_id, invite.email, expires)


def pending_invites(session: Session, team: Team, now: datetime | None = None) -> list[TeamInvite]:
    """The team's invitations still waiting for an answer, oldest first."""
    q = (
        select(TeamInvite)
        .where(
            TeamInvite.team_id == team.id,
            TeamInvite.status == InviteStatus.PENDING,
            TeamInvite.expires_at > (now or utcnow()),
        )
        .order_by(TeamInvite.created_at, TeamInvite.id)
    )
    return list(session.scalars(q))


def seats_used(session: Session, team: Team, now: datetime | None = None) -> tuple[int, int]:
    """(members, pending unexpired invitations) of ``team``; both count against its seats."""
    members = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.team_id == team.id)
    )
    return int(members or 0), len(pending_invites(session, team, now))


def create_invite(
    session: Session, team: Team, email: str, now: datetime | None = None
) -> TeamInvite:
    """A pending invitation of ``email`` (already normalised) to ``team``.

    A newer invitation for the same address replaces the pending one (its old link stops
    working). ``SeatLimitReached`` when members and pending invitations fill every seat.
    """
    now = now or utcnow()
    # Lock the team row (PostgreSQL) so two concurrent invitations cannot take the last seat.
    session.scalar(select(Team.id).where(Team.id == team.id).with_for_update())
    member = session.scalar(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id, User.email == email)
    )
    if member is not None:
        raise TeamError(f"{email} is already a member of {team.name!r}")
    for old in pending_invites(session, team, now):
        if old.email == email:
            _close(old, InviteStatus.REVOKED, now)
    session.flush()
    owner = session.get(User, team.owner_id)
    seats = get_plan(owner.plan).team_seats if owner is not None else 1
    members, pending = seats_used(session, team, now)
    if members + pending >= seats:
        raise SeatLimitReached(
            f"all {seats} seats of {team.name!r} are taken by members or pending invitations;"
            " revoke an invitation or remove a member first"
        )
    invite = TeamInvite(
        team_id=team.id,
        email=email,
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    session.add(invite)
    session.flush()
    return invite


def revoke_invite(
    session: Session, team: Team, invite_id: int, now: datetime | None = None
) -> TeamInvite:
    """Revoke a pending invitation of ``team``; its link stops working at once.

    ``InviteNotFound`` for another team's invitation or one that is no longer pending.
    """
    invite = session.get(TeamInvite, invite_id)
    if invite is None or invite.team_id != team.id or invite.status != InviteStatus.PENDING:
        raise InviteNotFound(f"no pending invitation {invite_id} in {team.name!r}")
    _close(invite, InviteStatus.REVOKED, now or utcnow())
    session.flush()
    return invite


def open_invite(session: Session, secret: str, token: str, now: float | None = None) -> TeamInvite:
    """The pending invitation a link names; ``InvalidInvite`` (forged, expired, gone) or
    ``InviteClosed`` (revoked or used) otherwise."""
    claim = read_invite(secret, token, now)
    invite = session.get(TeamInvite, claim.invite_id)
    if invite is None or invite.team_id != claim.team_id or invite.email != claim.email:
        raise InvalidInvite("this invitation no longer exists; ask the team's owner for a new one")
    if invite.status == InviteStatus.REVOKED:
        raise InviteClosed(
            "this invitation was revoked by the team's owner; ask them for a new link", invite
        )
    if invite.status == InviteStatus.ACCEPTED:
        raise InviteClosed("this invitation was already used; each link works once", invite)
    return invite


def accept_invite(
    session: Session, invite: TeamInvite, user: User, now: datetime | None = None
) -> Team:
    """Join the invitation's team as ``user`` and mark the invitation used."""
    team = session.get(Team, invite.team_id)
    if team is None:
        raise InvalidInvite("this team no longer exists")
    already = session.scalar(
        select(Membership.id).where(Membership.team_id == team.id, Membership.user_id == user.id)
    )
    if already is None:
        add_member(session, team, user)
    _close(invite, InviteStatus.ACCEPTED, now or utcnow())
    invite.accepted_by = user.id
    session.flush()
    return team


def _close(invite: TeamInvite, status: InviteStatus, now: datetime) -> None:
    invite.status = status
    invite.resolved_at = now


def team_of(session: Session, user: User) -> Team | None:
    """The team ``user`` owns, else the first team they are a member of, else ``None``."""
    owned = session.scalar(select(Team).where(Team.owner_id == user.id))
    if owned is not None:
        return owned
    q = (
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at)
        .limit(1)
    )
    return session.scalar(q)
