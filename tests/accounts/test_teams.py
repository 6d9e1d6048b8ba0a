from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.teams import (
    SeatLimitReached,
    TeamError,
    add_member,
    create_team,
    remove_member,
    team_members,
    visible_user_ids,
)
from clippy.db.models import User


def _get(s: Session, user: User) -> User:
    found = s.get(User, user.id)
    assert found is not None
    return found


def test_teams_need_the_business_plan(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    pro = make_user("pro@example.com", plan="pro")
    with session_factory() as s, pytest.raises(TeamError, match="business plan; your plan is pro"):
        create_team(s, _get(s, pro), "Crew")


def test_an_owner_owns_one_team(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    boss = make_user("boss@example.com", plan="business")
    with session_factory() as s:
        create_team(s, _get(s, boss), "Crew")
        with pytest.raises(TeamError, match="already own the team 'Crew'"):
            create_team(s, _get(s, boss), "Second crew")


def test_seats_of_the_business_plan_limit_members(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    boss = make_user("boss@example.com", plan="business")
    others = [make_user(f"m{i}@example.com") for i in range(5)]
    with session_factory() as s:
        team = create_team(s, _get(s, boss), "Crew")
        for member in others[:4]:
            add_member(s, team, _get(s, member))
        s.commit()
        assert len(team_members(s, team)) == 5  # the owner holds a seat too
        with pytest.raises(SeatLimitReached, match="all 5 seats"):
            add_member(s, team, _get(s, others[4]))
        with pytest.raises(TeamError, match="already a member"):
            add_member(s, team, _get(s, others[0]))
        remove_member(s, team, others[0].id)
        add_member(s, team, _get(s, others[4]))
        s.commit()
        emails = [u.email for u in team_members(s, team)]
        assert emails[0] == "boss@example.com" and "m0@example.com" not in emails


def test_the_owner_cannot_be_removed_and_non_members_are_reported(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    boss = make_user("boss@example.com", plan="business")
    stranger = make_user("stranger@example.com")
    with session_factory() as s:
        team = create_team(s, _get(s, boss), "")
        assert team.name == "boss@example.com's team"
        with pytest.raises(TeamError, match="owner cannot be removed"):
            remove_member(s, team, boss.id)
        with pytest.raises(TeamError, match="not a member"):
            remove_member(s, team, stranger.id)


def test_members_see_each_other_and_outsiders_see_only_themselves(
    session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    boss = make_user("boss@example.com", plan="business")
    editor = make_user("editor@example.com")
    outsider = make_user("outsider@example.com")
    with session_factory() as s:
        team = create_team(s, _get(s, boss), "Crew")
        add_member(s, team, _get(s, editor))
        s.commit()
        assert visible_user_ids(s, _get(s, editor)) == {boss.id, editor.id}
        assert visible_user_ids(s, _get(s, boss)) == {boss.id, editor.id}
        assert visible_user_ids(s, _get(s, outsider)) == {outsider.id}
        remove_member(s, team, editor.id)
        s.commit()
        assert visible_user_ids(s, _get(s, editor)) == {editor.id}
