"""Team invitations: a signed, expiring link for one e-mail address and one team.

The link carries everything (team, address, expiry) under an HMAC of the server's secret,
so no table is needed; accepting it is idempotent because membership itself is unique.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.db.models import Membership, Team, User

__all__ = ["INVITE_DAYS", "InvalidInvite", "make_invite", "read_invite", "team_of"]

INVITE_DAYS = 7


class InvalidInvite(ValueError):
    """The invitation link is malformed, forged or expired; the message says which."""


def _mac(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"invite\n{body}".encode(), hashlib.sha256).hexdigest()[:32]


def make_invite(secret: str, team_id: int, email: str, now: float | None = None) -> str:
    """The token of an invitation of ``email`` to team ``team_id``, valid for a week."""
    exp = int((now or time.time()) + INVITE_DAYS * 86400)
    raw = json.dumps({"t": team_id, "e": email.strip().lower(), "x": exp}, separators=(",", ":"))
    body = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{body}.{_mac(secret, body)}"


def read_invite(secret: str, token: str, now: float | None = None) -> tuple[int, str]:
    """``(team_id, email)`` of a genuine, unexpired invitation; ``InvalidInvite`` otherwise."""
    body, _, sig = token.partition(".")
    if not body or not hmac.compare_digest(_mac(secret, body), sig):
        raise InvalidInvite("this invitation link is not valid; ask for a new one")
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        team_id, email, exp = int(data["t"]), str(data["e"]), int(data["x"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInvite("this invitation link is damaged; ask for a new one") from None
    if exp < (now or time.time()):
        raise InvalidInvite(f"this invitation expired (links last {INVITE_DAYS} days)")
    return team_id, email


def team_of(session: Session, user: User) -> Team | None:
    """The team ``user`` owns, else the first team they are a member of, else ``None``."""
    owned = session.scalar(select(Team).where(Team.owner_id == user.id))
    if owned is not None:
        return owned
    q = (
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at)
        .limit(1)
    )
    return session.scalar(q)
