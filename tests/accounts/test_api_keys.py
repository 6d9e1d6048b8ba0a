from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.api_keys import (
    ApiKeyNotFound,
    InvalidApiKey,
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    looks_like_api_key,
    revoke_api_key,
)
from clippy.db.models import ApiKey, User
from clippy.db.types import utcnow


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("keys@example.com")


def test_key_has_the_documented_format_and_only_its_hash_is_stored(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        row, key = create_api_key(s, user.id, "  OBS  ")
        s.commit()
        assert re.fullmatch(r"clp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
        assert key.startswith(f"clp_{row.prefix}_") and row.name == "OBS"
        assert looks_like_api_key(key)
        stored = s.scalar(select(ApiKey.key_hash))
        assert stored is not None and key not in stored and len(stored) == 64


def test_key_authenticates_and_records_last_use_at_minute_resolution(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        row, key = create_api_key(s, user.id)
        s.commit()
    t0 = utcnow()
    with session_factory() as s:
        assert authenticate_api_key(s, key, now=t0).user_id == user.id
        s.commit()
        authenticate_api_key(s, key, now=t0 + timedelta(seconds=30))
        s.commit()
        fresh = s.get(ApiKey, row.id)
        assert fresh is not None and fresh.last_used_at == t0
        authenticate_api_key(s, key, now=t0 + timedelta(minutes=2))
        s.commit()
        assert fresh.last_used_at == t0 + timedelta(minutes=2)


def test_revoked_key_stops_working(session_factory: sessionmaker[Session], user: User) -> None:
    with session_factory() as s:
        row, key = create_api_key(s, user.id)
        revoke_api_key(s, user.id, row.id)
        s.commit()
        with pytest.raises(InvalidApiKey, match="revoked"):
            authenticate_api_key(s, key)
        assert list_api_keys(s, user.id)[0].revoked_at is not None


def test_unknown_and_malformed_keys_are_refused(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        _, key = create_api_key(s, user.id)
        s.commit()
        tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
        with pytest.raises(InvalidApiKey, match="unknown"):
            authenticate_api_key(s, tampered)
        with pytest.raises(InvalidApiKey, match="malformed"):
            authenticate_api_key(s, key[:-3])


def test_another_users_key_cannot_be_revoked(
    session_factory: sessionmaker[Session], make_user: Callable[..., User], user: User
) -> None:
    mallory = make_user("mallory@example.com")
    with session_factory() as s:
        row, key = create_api_key(s, user.id)
        s.commit()
        with pytest.raises(ApiKeyNotFound):
            revoke_api_key(s, mallory.id, row.id)
        with pytest.raises(ApiKeyNotFound):
            revoke_api_key(s, user.id, row.id + 1000)
        assert authenticate_api_key(s, key).id == row.id


def test_list_is_newest_first_and_per_user(
    session_factory: sessionmaker[Session], make_user: Callable[..., User], user: User
) -> None:
    other = make_user("other@example.com")
    with session_factory() as s:
        create_api_key(s, user.id, "a")
        create_api_key(s, user.id, "b")
        create_api_key(s, other.id, "c")
        s.commit()
        assert [k.name for k in list_api_keys(s, user.id)] == ["b", "a"]
