"""Connected browsers: the extension pairs with an account without anyone typing a secret.

The flow is a device pairing: the extension asks for a pairing (``start_pairing``) and gets
a short code, shown on both sides so the user can compare them, and a claim secret that only
it knows. It opens the dashboard's "Connect this browser" page with the code; the signed-in
user approves (``approve_pairing``); the extension's next poll (``claim_pairing``) receives
its own credential ``clb_<prefix>_<secret>`` exactly once. Only hashes of the claim secret
and the credential are stored. Revoking a browser refuses its credential on the next
request (it is looked up every time, unlike a stateless access token).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts.credentials import hash_credential, new_credential, revoke_credential
from clippy.accounts.errors import AuthError
from clippy.db import ConnectedBrowser, utcnow

__all__ = [
    "BROWSER_KEY_PREFIX",
    "PAIRING_TTL",
    "BrowserNotFound",
    "ClaimState",
    "InvalidBrowserKey",
    "PairingError",
    "PairingStarted",
    "approve_pairing",
    "authenticate_browser",
    "claim_pairing",
    "has_connected_browser",
    "list_browsers",
    "looks_like_browser_key",
    "normalize_code",
    "pending_pairing",
    "revoke_browser",
    "start_pairing",
]

BROWSER_KEY_PREFIX = "clb_"
PAIRING_TTL = timedelta(minutes=10)
_KEY_RE = re.compile(r"^clb_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# No 0/O or 1/I: the code is read on one screen and compared with another.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_RE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidBrowserKey(AuthError):
    """A browser credential that is malformed, unknown or revoked."""


class PairingError(ValueError):
    """A pairing code or claim that cannot be used; the message says why and what to do."""


class BrowserNotFound(LookupError):
    """No connected browser with this id belongs to the user."""


class ClaimState(Enum):
    """Where a pairing stands when the extension polls it."""

    PENDING = "pending"
    CONNECTED = "connected"


@dataclass(frozen=True)
class PairingStarted:
    """What the extension gets when it asks to pair: the code to show and its claim secret."""

    code: str
    claim_token: str
    expires_in: int


def _new_code() -> str:
    chars = [secrets.choice(_CODE_ALPHABET) for _ in range(8)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def normalize_code(code: str) -> str:
    """``code`` as stored (upper case, ``XXXX-XXXX``); ``PairingError`` when malformed."""
    compact = re.sub(r"[\s-]", "", code).upper()
    shaped = f"{compact[:4]}-{compact[4:]}"
    if not _CODE_RE.match(shaped):
        raise PairingError(
            "this connection code is not valid; open Connect in the extension's options again"
        )
    return shaped


def looks_like_browser_key(credential: str) -> bool:
    """Whether ``credential`` is shaped like a connected browser's key."""
    return credential.startswith(BROWSER_KEY_PREFIX)


def start_pairing(session: Session, name: str, now: datetime | None = None) -> PairingStarted:
    """Open a pairing request for a browser called ``name`` (valid ``PAIRING_TTL``)."""
    now = now or utcnow()
    claim = secrets.token_urlsafe(32)
    code = _new_code()
    session.add(
        ConnectedBrowser(
            name=" ".join(name.split())[:120] or "Browser",
            pair_code=code,
            claim_hash=hash_credential(claim),
            created_at=now,
            expires_at=now + PAIRING_TTL,
        )
    )
    session.flush()
    return PairingStarted(code, claim, int(PAIRING_TTL.total_seconds()))


def pending_pairing(session: Session, code: str, now: datetime | None = None) -> ConnectedBrowser:
    """The open pairing request with ``code``; ``PairingError`` when there is none."""
    code = normalize_code(code)
    now = now or utcnow()
    row = session.scalar(
        select(ConnectedBrowser)
        .where(ConnectedBrowser.pair_code == code, ConnectedBrowser.approved_at.is_(None))
        .order_by(ConnectedBrowser.id.desc())
    )
    if row is None or row.expires_at <= now:
        raise PairingError(
            f"no browser is waiting with code {code} (codes last"
            f" {int(PAIRING_TTL.total_seconds() // 60)} minutes); press Connect in the"
            " extension's options again"
        )
    return row


def approve_pairing(
    session: Session, user_id: int, code: str, now: datetime | None = None
) -> ConnectedBrowser:
    """Give the browser waiting with ``code`` to ``user_id``; its next claim gets a key."""
    now = now or utcnow()
    row = pending_pairing(session, code, now)
    row.user_id = user_id
    row.approved_at = now
    session.flush()
    return row


def claim_pairing(
    session: Session, claim_token: str, now: datetime | None = None
) -> tuple[ClaimState, ConnectedBrowser, str]:
    """Poll a pairing by its claim secret: (state, row, credential).

    The credential is non-empty exactly once, on the first claim after approval. Unknown,
    expired, already claimed or revoked pairings raise ``PairingError``.
    """
    now = now or utcnow()
    row = session.scalar(
        select(ConnectedBrowser).where(ConnectedBrowser.claim_hash == hash_credential(claim_token))
    )
    if row is None:
        raise PairingError("this pairing is unknown; press Connect in the options again")
    if row.revoked_at is not None:
        raise PairingError("this browser was disconnected on the dashboard; connect it again")
    if row.claimed_at is not None:
        raise PairingError("this pairing was already used; press Connect in the options again")
    if row.approved_at is None:
        if row.expires_at <= now:
            raise PairingError(
                "nobody approved this browser in time; press Connect in the options again"
            )
        return ClaimState.PENDING, row, ""
    row.prefix, key = new_credential(BROWSER_KEY_PREFIX)
    row.key_hash = hash_credential(key)
    row.claimed_at = now
    row.last_used_at = now
    session.flush()
    return ClaimState.CONNECTED, row, key


def authenticate_browser(
    session: Session, key: str, now: datetime | None = None
) -> ConnectedBrowser:
    """The connected browser of ``key`` (``last_used_at`` kept); ``InvalidBrowserKey`` else."""
    if not _KEY_RE.match(key):
        raise InvalidBrowserKey("this browser key is malformed; connect the extension again")
    row = session.scalar(
        select(ConnectedBrowser).where(ConnectedBrowser.key_hash == hash_credential(key))
    )
    if row is None or row.user_id is None:
        raise InvalidBrowserKey("this browser is not connected; connect the extension again")
    if row.revoked_at is not None:
        raise InvalidBrowserKey(
            "this browser was disconnected in Settings → Connected browsers; connect it again"
        )
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= _LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


def list_browsers(session: Session, user_id: int) -> list[ConnectedBrowser]:
    """The user's connected browsers (revoked ones included), newest first."""
    q = (
        select(ConnectedBrowser)
        .where(ConnectedBrowser.user_id == user_id, ConnectedBrowser.claimed_at.is_not(None))
        .order_by(ConnectedBrowser.id.desc())
    )
    return list(session.scalars(q))


def has_connected_browser(session: Session, user_id: int) -> bool:
    """Whether the user ever connected a browser (Home's first-run checklist)."""
    q = select(ConnectedBrowser.id).where(
        ConnectedBrowser.user_id == user_id, ConnectedBrowser.claimed_at.is_not(None)
    )
    return session.scalar(q.limit(1)) is not None


def revoke_browser(
    session: Session, user_id: int, browser_id: int, now: datetime | None = None
) -> ConnectedBrowser:
    """Disconnect one of the user's browsers (idempotent); ``BrowserNotFound`` otherwise."""
    missing = BrowserNotFound(f"you have no connected browser with id {browser_id}")
    return revoke_credential(session, ConnectedBrowser, user_id, browser_id, missing, now)
