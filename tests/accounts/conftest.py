"""Fixtures for the accounts tests: users made through the real registration service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.users import register, set_plan
from clippy.db.models import User

PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(session_factory: sessionmaker[Session]) -> Callable[..., User]:
    """Factory: a committed user with ``PASSWORD`` on the given plan."""

    def make(email: str, plan: str = "free") -> User:
        with session_factory() as session:
            user = register(session, email, PASSWORD)
            set_plan(session, user, plan)
            session.commit()
            return user

    return make
