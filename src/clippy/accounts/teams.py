"""Teams (business plan).

The visibility rule, kept simple on purpose: a user sees their own streams and clips plus
those of every member of every team they belong to. The owner is a member. Seats come from
the owner's plan and are checked when a member is added; an owner owns at most one team,
so seats cannot be multiplied by creating more teams.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.accounts.plans import get_plan
from clippy.db import Membership, Team, User
from clippy.errors import QuotaExceeded, Refused

__all__ = [
    "SeatLimitReached",
    "TeamError",
    "add_member",
    "create_team",
    "remove_member",
    "team_members",
    "teammate_ids",
    "visible_user_ids",
]


class TeamError(Refused, ValueError):
    """A team change the plan or the team's state does not allow; the message says why."""


class SeatLimitReached(QuotaExceeded, TeamError):
    """The team already has as many members as its plan has seats."""


def create_team(session: Session, owner: User, name: str) -> Team:
    """A team owned by ``owner`` (business plan), with the owner as its first member."""
    plan = get_plan(owner.plan)
    if plan.team_seats <= 1:
        raise TeamError(f"teams need the business plan; your plan is {plan.name}")
    existing = session.scalar(select(Team).where(Team.owner_id == owner.id))
    if existing is not None:
        raise TeamError(f"you already own the team {existing.name!r}; add members to it")
    default_name = f"{owner.display_name or owner.email}'s team"
    team = Team(name=(name.strip() or default_name)[:120], owner_id=owner.id)
    session.add(team)
    session.flush()
    session.add(Membership(team_id=team.id, user_id=owner.id, role="owner"))
    session.flush()
    return team


def add_member(session: Session, team: Team, user: User) -> Membership:
    """Add ``user`` to ``team``; ``SeatLimitReached`` when every seat of the plan is taken."""
    # Lock the team row (PostgreSQL) so two concurrent adds cannot both take the last seat;
    # SQLite has a single writer, so the count below cannot go stale there.
    session.scalar(select(Team.id).where(Team.id == team.id).with_for_update())
    owner = session.get(User, team.owner_id)
    seats = get_plan(owner.plan).team_seats if owner is not None else 1
    members = set(session.scalars(select(Membership.user_id).where(Membership.team_id == team.id)))
    if user.id in members:
        raise TeamError(f"{user.email} is already a member of {team.name!r}")
    if len(members) >= seats:
        raise SeatLimitReached(
            f"{team.name!r} uses all {seats} seats of its plan; remove a member first"
        )
    membership = Membership(team_id=team.id, user_id=user.id, role="member")
    session.add(membership)
    session.flush()
    return membership


def remove_member(session: Session, team: Team, user_id: int) -> None:
    """Remove a member (not the owner); their access to the team ends with this transaction."""
    if user_id == team.owner_id:
        raise TeamError("the owner cannot be removed from their own team")
    membership = session.scalar(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user_id)
    )
    if membership is None:
        raise TeamError(f"user {user_id} is not a member of {team.name!r}")
    session.delete(membership)
    session.flush()


def team_members(session: Session, team: Team) -> list[User]:
    """The team's members, owner first, then in the order they joined."""
    q = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id)
        .order_by((Membership.role != "owner"), Membership.created_at, Membership.id)
    )
    return list(session.scalars(q))


def teammate_ids(session: Session, user_id: int) -> set[int]:
    """``user_id`` and everyone sharing a team with them.

    Visibility is mutual, so this is both whose clips the user sees and who sees the user's
    clips (the audience of a live ``clip_created``).
    """
    my_teams = select(Membership.team_id).where(Membership.user_id == user_id)
    mates = select(func.distinct(Membership.user_id)).where(Membership.team_id.in_(my_teams))
    return {user_id, *session.scalars(mates)}


def visible_user_ids(session: Session, user: User) -> set[int]:
    """Ids of the users whose streams and clips ``user`` may see: themself and teammates."""
    return teammate_ids(session, user.id)
