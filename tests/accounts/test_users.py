from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.api_keys import InvalidApiKey, create_api_key, revoke_api_key
from clippy.accounts.passwords import WeakPassword, verify_password
from clippy.accounts.plans import UnknownPlan
from clippy.accounts.tokens import (
    InvalidToken,
    create_access_token,
    issue_refresh_token,
    rotate_refresh_token,
)
from clippy.accounts.users import (
    AccountGone,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    MissingCredentials,
    authenticate,
    change_password,
    normalize_email,
    register,
    resolve_credential,
    set_plan,
)
from clippy.db.models import User
from clippy.db.types import utcnow

from .conftest import PASSWORD

SECRET = "a-test-secret-at-least-32-bytes-long!"


def test_register_normalizes_the_email_and_starts_on_free(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        user = register(s, "  Streamer@Example.COM ", PASSWORD, " Streamer ")
        s.commit()
        assert user.email == "streamer@example.com" and user.display_name == "Streamer"
        assert user.plan == "free" and verify_password(user.password_hash, PASSWORD)


def test_duplicate_email_is_taken_regardless_of_case(
    make_user: Callable[..., User], session_factory: sessionmaker[Session]
) -> None:
    make_user("dup@example.com")
    with session_factory() as s, pytest.raises(EmailTaken, match=r"dup@example\.com"):
        register(s, "DUP@example.com", PASSWORD)


def test_concurrent_registration_of_one_email_loses_with_email_taken(
    session_factory: sessionmaker[Session],
) -> None:
    outcome: list[BaseException] = []

    def second() -> None:
        with session_factory() as s:
            try:
                register(s, "race@example.com", PASSWORD)
                s.commit()
            except EmailTaken as exc:
                outcome.append(exc)

    with session_factory() as first:
        register(first, "race@example.com", PASSWORD)  # flushed: holds the row, uncommitted
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=0.5)  # the second insert now waits on the first transaction
        first.commit()
    thread.join(timeout=30)
    assert len(outcome) == 1 and "already exists" in str(outcome[0])


def test_register_refuses_bad_email_and_weak_password(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        with pytest.raises(InvalidEmail, match="not an e-mail address"):
            register(s, "streamer.example.com", PASSWORD)
        with pytest.raises(WeakPassword, match="at least 8"):
            register(s, "ok@example.com", "short")


@pytest.mark.parametrize("bad", ["", "a@b", "a b@example.com", "@example.com", "a@@x.io"])
def test_normalize_email_refuses_non_addresses(bad: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(bad)


def test_authenticate_accepts_only_the_right_password(
    make_user: Callable[..., User], session_factory: sessionmaker[Session]
) -> None:
    made = make_user("login@example.com")
    with session_factory() as s:
        assert authenticate(s, "Login@Example.com", PASSWORD).id == made.id
        for email, password in [
            ("login@example.com", PASSWORD + "x"),
            ("nobody@example.com", PASSWORD),
            ("not an email", PASSWORD),
        ]:
            with pytest.raises(InvalidCredentials, match="wrong e-mail or password"):
                authenticate(s, email, password)


def test_change_password_checks_the_old_one_and_logs_out_refresh_tokens(
    make_user: Callable[..., User], session_factory: sessionmaker[Session]
) -> None:
    made = make_user("change@example.com")
    with session_factory() as s:
        user = s.get(User, made.id)
        assert user is not None
        refresh = issue_refresh_token(s, user.id, 30)
        with pytest.raises(InvalidCredentials, match="current password is wrong"):
            change_password(s, user, "not my password", "a new password")
        with pytest.raises(WeakPassword):
            change_password(s, user, PASSWORD, "short")
        change_password(s, user, PASSWORD, "a new password")
        s.commit()
        assert authenticate(s, "change@example.com", "a new password").id == user.id
        with pytest.raises(InvalidToken):
            rotate_refresh_token(s, refresh, 30)


def test_set_plan_validates_the_name(
    make_user: Callable[..., User], session_factory: sessionmaker[Session]
) -> None:
    made = make_user("plan@example.com")
    with session_factory() as s:
        user = s.get(User, made.id)
        assert user is not None
        set_plan(s, user, "pro")
        assert user.plan == "pro"
        with pytest.raises(UnknownPlan, match="free, pro, business"):
            set_plan(s, user, "platinum")


def test_resolve_credential_accepts_access_tokens_and_api_keys(
    make_user: Callable[..., User], session_factory: sessionmaker[Session]
) -> None:
    made = make_user("resolve@example.com")
    with session_factory() as s:
        token = create_access_token(SECRET, made.id, 15)
        assert resolve_credential(s, SECRET, token).id == made.id
        row, key = create_api_key(s, made.id)
        assert resolve_credential(s, SECRET, f" {key} ").id == made.id
        revoke_api_key(s, made.id, row.id)
        with pytest.raises(InvalidApiKey, match="revoked"):
            resolve_credential(s, SECRET, key)
        with pytest.raises(MissingCredentials):
            resolve_credential(s, SECRET, "   ")
        expired = create_access_token(SECRET, made.id, 15, now=utcnow() - timedelta(hours=1))
        with pytest.raises(InvalidToken, match="expired"):
            resolve_credential(s, SECRET, expired)
        with pytest.raises(AccountGone):
            resolve_credential(s, SECRET, create_access_token(SECRET, made.id + 999, 15))
