"""Connected platform accounts: saving the tokens of a finished OAuth flow (encrypted),
handing out a fresh access token, and disconnecting."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.db import PlatformConnection, utcnow
from clippy.publish.apps import PlatformApp
from clippy.publish.crypto import TokenBox
from clippy.publish.errors import ConnectionMissing
from clippy.publish.oauth import Account, TokenGrant, refresh

__all__ = [
    "connection_of",
    "connections_of",
    "disconnect",
    "fresh_token",
    "refresh_connection",
    "save_connection",
]

# Refresh this long before the platform's expiry, so a chunk never starts on a dying token.
_EARLY = timedelta(seconds=60)


def connections_of(session: Session, user_id: int) -> dict[str, PlatformConnection]:
    """The user's connections by platform."""
    rows = session.scalars(select(PlatformConnection).where(PlatformConnection.user_id == user_id))
    return {c.platform: c for c in rows}


def connection_of(session: Session, user_id: int, platform: str) -> PlatformConnection:
    """The user's connection on ``platform``; ``ConnectionMissing`` when there is none."""
    conn = connections_of(session, user_id).get(platform)
    if conn is None:
        raise ConnectionMissing(f"connect a {platform} account first")
    return conn


def save_connection(
    session: Session,
    box: TokenBox,
    user_id: int,
    platform: str,
    grant: TokenGrant,
    account: Account,
    now: datetime | None = None,
) -> PlatformConnection:
    """Store (or replace) the user's connection on ``platform``."""
    now = now or utcnow()
    conn = connections_of(session, user_id).get(platform)
    if conn is None:
        conn = PlatformConnection(user_id=user_id, platform=platform, created_at=now, tokens="")
        session.add(conn)
    old_refresh = box.open(conn.tokens).get("refresh_token", "") if conn.tokens else ""
    conn.tokens = box.seal(
        {"access_token": grant.access_token, "refresh_token": grant.refresh_token or old_refresh}
    )
    conn.expires_at = grant.expires_at(now)
    conn.account_id, conn.account_name, conn.handle = (
        account.account_id,
        account.name,
        account.handle,
    )
    conn.updated_at = now
    session.flush()
    return conn


def refresh_connection(
    session: Session, box: TokenBox, app: PlatformApp, http: httpx.Client, conn: PlatformConnection
) -> str:
    """Refresh the connection's access token, store it, and return it."""
    tokens = box.open(conn.tokens)
    grant = refresh(app, http, tokens.get("refresh_token", ""))
    now = utcnow()
    conn.tokens = box.seal(
        {"access_token": grant.access_token, "refresh_token": grant.refresh_token}
    )
    conn.expires_at = grant.expires_at(now)
    conn.updated_at = now
    session.commit()
    return grant.access_token


def fresh_token(
    session: Session, box: TokenBox, app: PlatformApp, http: httpx.Client, conn: PlatformConnection
) -> tuple[str, bool]:
    """An access token that is good for at least a minute, and whether it was refreshed."""
    if conn.expires_at is not None and conn.expires_at - _EARLY > utcnow():
        return box.open(conn.tokens)["access_token"], False
    return refresh_connection(session, box, app, http, conn), True


def disconnect(session: Session, user_id: int, platform: str) -> bool:
    """Forget the user's tokens on ``platform``; whether there were any."""
    conn = connections_of(session, user_id).get(platform)
    if conn is None:
        return False
    session.delete(conn)
    session.flush()
    return True
