"""Short-lived JWT access tokens and rotating, single-use refresh tokens.

Access tokens are stateless (HS256, a few minutes) so checking one needs no database.
Refresh tokens are opaque random strings stored as SHA-256 hashes; each one works once:
refreshing marks it spent (``revoked_at``) and issues a successor. Presenting a spent token
again means a copy leaked, so every refresh token of that user is revoked and they must log
in again. Revoking (logout, password change, a detected leak) deletes the rows instead, so
that ``revoked_at`` always means "spent by a refresh": a client that later presents a
logged-out token is told to log in, without being mistaken for a thief and logging out the
user's other devices. Two refreshes racing with one token also look like reuse, so a
client should refresh from one place (the extension does it in its service worker).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import jwt
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from clippy.accounts.errors import AuthError
from clippy.db import RefreshToken, utcnow

__all__ = [
    "InvalidToken",
    "RefreshTokenReused",
    "TokenPair",
    "create_access_token",
    "decode_access_token",
    "issue_refresh_token",
    "issue_token_pair",
    "purge_expired_refresh_tokens",
    "refresh_token_pair",
    "revoke_all_refresh_tokens",
    "revoke_refresh_token",
    "rotate_refresh_token",
]

_ALGORITHM = "HS256"
_REFRESH_PREFIX = "rt_"


class InvalidToken(AuthError):
    """An access or refresh token that cannot be used; the message says why."""


class RefreshTokenReused(InvalidToken):
    """A refresh token was presented after it had been spent (all the user's are revoked)."""


@dataclass(frozen=True)
class TokenPair:
    """What a login or a refresh hands to the client."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires


def create_access_token(
    secret: str, user_id: int, minutes: int, now: datetime | None = None
) -> str:
    """A signed JWT naming ``user_id`` (claims sub, type, iat, exp, jti), valid ``minutes``."""
    now = now or utcnow()
    claims = {
        "sub": str(user_id),
        "type": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def decode_access_token(secret: str, token: str) -> int:
    """The user id of a valid access token; ``InvalidToken`` says why one is refused."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "type"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the access token has expired; refresh it or log in again") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken(
            "the access token's signature is not valid (signed by another server or altered)"
        ) from None
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"the access token is malformed: {exc}") from None
    if claims["type"] != "access":
        raise InvalidToken(f"a {claims['type']!r} token cannot be used as an access token")
    try:
        return int(claims["sub"])
    except (TypeError, ValueError):
        raise InvalidToken("the access token does not name a user") from None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_refresh_token(
    session: Session, user_id: int, days: int, now: datetime | None = None
) -> str:
    """Store (hashed) and return a new refresh token for ``user_id`` valid ``days``."""
    now = now or utcnow()
    token = _REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            user_id=user_id,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


def revoke_all_refresh_tokens(session: Session, user_id: int) -> int:
    """Revoke every refresh token of ``user_id`` (log out everywhere); returns how many."""
    result = session.execute(
        delete(RefreshToken)
        .where(RefreshToken.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def purge_expired_refresh_tokens(session: Session, now: datetime | None = None) -> int:
    """Delete refresh tokens past their expiry (they can no longer be used); returns how many."""
    result = session.execute(
        delete(RefreshToken)
        .where(RefreshToken.expires_at <= (now or utcnow()))
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def rotate_refresh_token(
    session: Session, token: str, days: int, now: datetime | None = None
) -> tuple[int, str]:
    """Spend ``token``; returns (user id, its successor).

    Raises ``InvalidToken`` for an unknown or expired token and ``RefreshTokenReused`` for
    a spent one. On reuse the revocation of all the user's tokens is committed here,
    because the caller rolls its transaction back on the error.
    """
    now = now or utcnow()
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(token)))
    if row is None:
        raise InvalidToken("this refresh token is unknown or was revoked; log in again")
    if row.revoked_at is None and row.expires_at <= now:
        raise InvalidToken("the refresh token has expired; log in again")
    # The conditional UPDATE is the single-use check: of two concurrent refreshes with the
    # same token, exactly one changes the row, on SQLite and PostgreSQL alike.
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], spent).rowcount != 1:
        revoke_all_refresh_tokens(session, row.user_id)
        session.commit()
        raise RefreshTokenReused(
            "this refresh token was already used, so it may have been copied; every session"
            " of the account was logged out for safety. Log in again."
        )
    return row.user_id, issue_refresh_token(session, row.user_id, days, now)


def revoke_refresh_token(session: Session, token: str) -> bool:
    """Revoke ``token`` (log out); returns False when it was unknown or already revoked."""
    result = session.execute(
        delete(RefreshToken)
        .where(RefreshToken.token_hash == _hash(token))
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def issue_token_pair(
    session: Session,
    secret: str,
    user_id: int,
    access_minutes: int,
    refresh_days: int,
    now: datetime | None = None,
) -> TokenPair:
    """A fresh access token and refresh token for ``user_id`` (after a login)."""
    return TokenPair(
        access_token=create_access_token(secret, user_id, access_minutes, now),
        refresh_token=issue_refresh_token(session, user_id, refresh_days, now),
        expires_in=access_minutes * 60,
    )


def refresh_token_pair(
    session: Session,
    secret: str,
    refresh_token: str,
    access_minutes: int,
    refresh_days: int,
    now: datetime | None = None,
) -> tuple[int, TokenPair]:
    """Spend ``refresh_token`` for a new pair; returns (user id, pair).

    Errors and the commit on reuse are those of ``rotate_refresh_token``.
    """
    user_id, successor = rotate_refresh_token(session, refresh_token, refresh_days, now)
    pair = TokenPair(
        access_token=create_access_token(secret, user_id, access_minutes, now),
        refresh_token=successor,
        expires_in=access_minutes * 60,
    )
    return user_id, pair
