from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.tokens import (
    InvalidToken,
    RefreshTokenReused,
    create_access_token,
    decode_access_token,
    issue_refresh_token,
    issue_token_pair,
    purge_expired_refresh_tokens,
    refresh_token_pair,
    revoke_refresh_token,
    rotate_refresh_token,
)
from clippy.db.models import RefreshToken, User
from clippy.db.types import utcnow

SECRET = "a-test-secret-at-least-32-bytes-long!"


def test_access_token_round_trips_with_the_documented_claims() -> None:
    token = create_access_token(SECRET, 42, minutes=15)
    assert decode_access_token(SECRET, token) == 42
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "42" and claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert len(claims["jti"]) == 32
    assert create_access_token(SECRET, 42, 15) != create_access_token(SECRET, 42, 15)


def test_expired_access_token_is_refused_as_expired() -> None:
    token = create_access_token(SECRET, 1, minutes=15, now=utcnow() - timedelta(minutes=16))
    with pytest.raises(InvalidToken, match="expired"):
        decode_access_token(SECRET, token)


def test_token_signed_with_another_key_is_refused() -> None:
    token = create_access_token("another-server-secret-also-32-bytes-long", 1, minutes=15)
    with pytest.raises(InvalidToken, match="signature"):
        decode_access_token(SECRET, token)


def test_token_of_another_type_is_refused() -> None:
    now = int(utcnow().timestamp())
    claims = {"sub": "1", "type": "refresh", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="'refresh' token cannot be used"):
        decode_access_token(SECRET, token)


def test_garbage_and_unsigned_tokens_are_malformed() -> None:
    with pytest.raises(InvalidToken, match="malformed"):
        decode_access_token(SECRET, "not.a.jwt")
    now = int(utcnow().timestamp())
    unsigned = jwt.encode(
        {"sub": "1", "type": "access", "iat": now, "exp": now + 60}, None, algorithm="none"
    )
    with pytest.raises(InvalidToken):
        decode_access_token(SECRET, unsigned)


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("tok@example.com")


def test_refresh_rotates_and_the_old_token_is_refused_afterwards(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        pair = issue_token_pair(s, SECRET, user.id, 15, 30)
        s.commit()
    assert pair.expires_in == 900
    assert decode_access_token(SECRET, pair.access_token) == user.id
    with session_factory() as s:
        user_id, new = refresh_token_pair(s, SECRET, pair.refresh_token, 15, 30)
        s.commit()
    assert user_id == user.id and new.refresh_token != pair.refresh_token
    with session_factory() as s:
        stored = list(s.scalars(select(RefreshToken.token_hash)))
        assert pair.refresh_token not in stored and len(stored) == 2  # hashes only
        # The successor works exactly once too.
        assert rotate_refresh_token(s, new.refresh_token, 30)[0] == user.id
        s.commit()


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        first = issue_refresh_token(s, user.id, 30)
        other_device = issue_refresh_token(s, user.id, 30)
        s.commit()
    with session_factory() as s:
        _, second = rotate_refresh_token(s, first, 30)
        s.commit()
    with session_factory() as s, pytest.raises(RefreshTokenReused, match="already used"):
        rotate_refresh_token(s, first, 30)
    # The revocation survived the error although the caller never committed.
    for token in (second, other_device):
        with session_factory() as s, pytest.raises(InvalidToken, match="unknown or was revoked"):
            rotate_refresh_token(s, token, 30)


def test_a_logged_out_token_presented_again_does_not_log_out_other_devices(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        laptop = issue_refresh_token(s, user.id, 30)
        phone = issue_refresh_token(s, user.id, 30)
        revoke_refresh_token(s, laptop)
        s.commit()
    with session_factory() as s:
        with pytest.raises(InvalidToken, match="unknown or was revoked") as err:
            rotate_refresh_token(s, laptop, 30)
        assert not isinstance(err.value, RefreshTokenReused)
        assert rotate_refresh_token(s, phone, 30)[0] == user.id


def test_purge_deletes_only_expired_refresh_tokens(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        issue_refresh_token(s, user.id, 30, now=utcnow() - timedelta(days=31))
        live = issue_refresh_token(s, user.id, 30)
        assert purge_expired_refresh_tokens(s) == 1
        s.commit()
        assert rotate_refresh_token(s, live, 30)[0] == user.id


def test_unknown_and_expired_refresh_tokens_are_refused(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        old = issue_refresh_token(s, user.id, 30, now=utcnow() - timedelta(days=31))
        s.commit()
        with pytest.raises(InvalidToken, match="unknown"):
            rotate_refresh_token(s, "rt_nonsense", 30)
        with pytest.raises(InvalidToken, match="expired"):
            rotate_refresh_token(s, old, 30)


def test_logout_revokes_the_refresh_token(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        token = issue_refresh_token(s, user.id, 30)
        s.commit()
        assert revoke_refresh_token(s, token)
        assert not revoke_refresh_token(s, token)
        s.commit()
        with pytest.raises(InvalidToken):
            rotate_refresh_token(s, token, 30)


def test_concurrent_refreshes_with_one_token_let_exactly_one_win(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        token = issue_refresh_token(s, user.id, 30)
        s.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def refresh() -> None:
        with session_factory() as s:
            start.wait()
            try:
                rotate_refresh_token(s, token, 30)
                s.commit()
                outcomes.append("ok")
            except RefreshTokenReused:
                outcomes.append("reused")

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "reused"]
