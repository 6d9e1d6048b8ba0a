"""Bearer credentials the server hands out (API keys, connected browsers' keys): one format and
one hash, so both kinds are made and checked the same way.

A credential reads ``<scheme><8 hex>_<43 url-safe chars>``; the 8 hex are stored in clear to
name it in lists, the whole key only as its SHA-256 (the key has 256 random bits, so a fast
hash is enough, and lookups by hash stay one indexed query).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from clippy.db import utcnow

__all__ = ["hash_credential", "new_credential", "revoke_credential"]


class _Revocable(Protocol):
    @property
    def user_id(self) -> int | None: ...

    revoked_at: datetime | None


R = TypeVar("R", bound=_Revocable)


def hash_credential(key: str) -> str:
    """The stored form of a credential (hex SHA-256)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_credential(scheme: str) -> tuple[str, str]:
    """A fresh credential of ``scheme`` (e.g. ``"clp_"``): its public prefix and the full key."""
    prefix = secrets.token_hex(4)
    return prefix, f"{scheme}{prefix}_{secrets.token_urlsafe(32)}"


def revoke_credential(
    session: Session,
    model: type[R],
    user_id: int,
    row_id: int,
    not_found: Exception,
    now: datetime | None = None,
) -> R:
    """Revoke the user's credential row ``row_id`` of ``model`` (idempotent); raises
    ``not_found`` when there is no such row or it is someone else's (the same answer, so ids
    of other users' credentials cannot be probed)."""
    row = session.get(model, row_id)
    if row is None or row.user_id != user_id:
        raise not_found
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.flush()
    return row
