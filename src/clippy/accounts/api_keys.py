"""API keys: ``clp_<prefix>_<secret>``, shown once, stored as a SHA-256 hash, revocable.

Keys carry 256 bits of randomness, so a fast hash already makes a leaked database useless:
argon2 exists to slow down guessing low-entropy passwords, which cannot be done here, and
a plain hash keeps the per-request lookup a single index hit. The prefix is stored in clear
so a user can tell their keys apart in a list.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts.credentials import hash_credential, new_credential, revoke_credential
from clippy.accounts.errors import AuthError
from clippy.db import ApiKey, utcnow
from clippy.errors import NotFound

__all__ = [
    "ApiKeyNotFound",
    "InvalidApiKey",
    "authenticate_api_key",
    "create_api_key",
    "list_api_keys",
    "looks_like_api_key",
    "revoke_api_key",
]

KEY_PREFIX = "clp_"
_KEY_RE = re.compile(r"^clp_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# Recording every use would make each authenticated request a write; minute precision is
# all a "last used" column needs.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidApiKey(AuthError):
    """The API key is malformed, unknown or revoked."""


class ApiKeyNotFound(NotFound):
    """No API key with this id belongs to the user."""


def looks_like_api_key(credential: str) -> bool:
    """Whether ``credential`` is shaped like an API key (rather than a JWT)."""
    return credential.startswith(KEY_PREFIX)


def create_api_key(session: Session, user_id: int, name: str = "") -> tuple[ApiKey, str]:
    """Create a key for ``user_id``; returns the row and the full key, which is not stored."""
    prefix, key = new_credential(KEY_PREFIX)
    row = ApiKey(
        user_id=user_id, name=name.strip()[:120], prefix=prefix, key_hash=hash_credential(key)
    )
    session.add(row)
    session.flush()
    return row, key


def authenticate_api_key(session: Session, key: str, now: datetime | None = None) -> ApiKey:
    """The live key row for ``key`` (its ``last_used_at`` updated); ``InvalidApiKey`` otherwise."""
    if not _KEY_RE.match(key):
        raise InvalidApiKey("this API key is malformed; copy the whole clp_… key")
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_credential(key)))
    if row is None:
        raise InvalidApiKey("this API key is unknown; create one under Account → API keys")
    if row.revoked_at is not None:
        raise InvalidApiKey(f"the API key clp_{row.prefix}_… was revoked")
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= _LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


def list_api_keys(session: Session, user_id: int) -> list[ApiKey]:
    """The user's keys, revoked ones included, newest first."""
    q = (
        select(ApiKey)
        .where(ApiKey.user_id == user_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(session.scalars(q))


def revoke_api_key(
    session: Session, user_id: int, key_id: int, now: datetime | None = None
) -> ApiKey:
    """Revoke the user's key ``key_id`` (idempotent); ``ApiKeyNotFound`` if it is not theirs."""
    missing = ApiKeyNotFound(f"you have no API key with id {key_id}")
    return revoke_credential(session, ApiKey, user_id, key_id, missing, now)
