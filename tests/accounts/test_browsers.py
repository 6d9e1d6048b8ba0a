"""Connected browsers: pairing, the one-time claim, expiry and revocation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.browsers import (
    PAIRING_TTL,
    BrowserNotFound,
    ClaimState,
    InvalidBrowserKey,
    PairingError,
    approve_pairing,
    claim_pairing,
    has_connected_browser,
    list_browsers,
    normalize_code,
    revoke_browser,
    start_pairing,
)
from clippy.accounts.users import resolve_credential
from clippy.db.models import ConnectedBrowser, User
from clippy.db.types import utcnow

SECRET = "test-secret-0123456789abcdef0123456789abcdef"


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("browser@example.com")


def _pair(s: Session, user: User) -> tuple[ConnectedBrowser, str]:
    started = start_pairing(s, "Chrome on Linux")
    approve_pairing(s, user.id, started.code)
    state, row, key = claim_pairing(s, started.claim_token)
    assert state is ClaimState.CONNECTED
    return row, key


def test_pairing_gives_a_key_once_and_stores_only_hashes(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        started = start_pairing(s, "  Chrome   on Linux ")
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", started.code)
        assert started.expires_in == PAIRING_TTL.total_seconds()
        # Before approval the extension is told to keep waiting.
        state, _row, key = claim_pairing(s, started.claim_token)
        assert (state, key) == (ClaimState.PENDING, "")
        assert not has_connected_browser(s, user.id)
        approve_pairing(s, user.id, started.code.lower().replace("-", " "))
        state, row, key = claim_pairing(s, started.claim_token)
        assert state is ClaimState.CONNECTED and row.name == "Chrome on Linux"
        assert re.fullmatch(r"clb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
        assert key.startswith(f"clb_{row.prefix}_")
        stored = s.scalars(select(ConnectedBrowser.key_hash)).one()
        assert stored is not None and key not in stored
        assert started.claim_token not in row.claim_hash
        # The key works as a credential, and is handed out only once.
        assert resolve_credential(s, SECRET, key).id == user.id
        with pytest.raises(PairingError, match="already used"):
            claim_pairing(s, started.claim_token)
        assert [b.id for b in list_browsers(s, user.id)] == [row.id]
        assert has_connected_browser(s, user.id)


def test_revoked_browser_is_refused_at_once(
    session_factory: sessionmaker[Session], user: User, make_user: Callable[..., User]
) -> None:
    other = make_user("other@example.com")
    with session_factory() as s:
        row, key = _pair(s, user)
        with pytest.raises(BrowserNotFound):
            revoke_browser(s, other.id, row.id)
        assert resolve_credential(s, SECRET, key).id == user.id
        revoke_browser(s, user.id, row.id)
        revoke_browser(s, user.id, row.id)  # idempotent
        with pytest.raises(InvalidBrowserKey, match="disconnected"):
            resolve_credential(s, SECRET, key)
        # Still listed, marked disconnected.
        assert list_browsers(s, user.id)[0].revoked_at is not None


def test_unknown_malformed_and_expired_pairings_say_what_to_do(
    session_factory: sessionmaker[Session], user: User
) -> None:
    with session_factory() as s:
        with pytest.raises(PairingError, match="not valid"):
            normalize_code("12")
        with pytest.raises(PairingError, match="no browser is waiting"):
            approve_pairing(s, user.id, "ABCD-EFGH")
        with pytest.raises(PairingError, match="unknown"):
            claim_pairing(s, "not-a-claim")
        with pytest.raises(InvalidBrowserKey, match="malformed"):
            resolve_credential(s, SECRET, "clb_nope")
        with pytest.raises(InvalidBrowserKey, match="not connected"):
            resolve_credential(s, SECRET, "clb_0123abcd_" + "A" * 43)
        started = start_pairing(s, "Late browser")
        later = utcnow() + PAIRING_TTL + timedelta(seconds=1)
        with pytest.raises(PairingError, match="no browser is waiting"):
            approve_pairing(s, user.id, started.code, now=later)
        with pytest.raises(PairingError, match="in time"):
            claim_pairing(s, started.claim_token, now=later)
        # An approved code cannot be approved again (by someone else who saw it).
        fresh = start_pairing(s, "Chrome")
        approve_pairing(s, user.id, fresh.code)
        with pytest.raises(PairingError):
            approve_pairing(s, user.id, fresh.code)
