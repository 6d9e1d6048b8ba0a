"""Accounts: registration, login, password change, plan, and credential resolution.

Functions take the caller's ``Session`` and never commit it (except where a token module
documents otherwise): the request or job owning the session decides.
"""

from __future__ import annotations

import re
from typing import cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clippy.accounts.api_keys import authenticate_api_key, looks_like_api_key
from clippy.accounts.browsers import authenticate_browser, looks_like_browser_key
from clippy.accounts.errors import AuthError
from clippy.accounts.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from clippy.accounts.plans import get_plan
from clippy.accounts.tokens import decode_access_token, revoke_all_refresh_tokens
from clippy.db import User
from clippy.errors import Conflict, InvalidInput

__all__ = [
    "AccountGone",
    "AuthError",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidEmail",
    "MissingCredentials",
    "authenticate",
    "change_password",
    "normalize_email",
    "register",
    "resolve_credential",
    "set_plan",
]

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
# Deliverability is proven by mail, not by a regular expression.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidEmail(InvalidInput):
    """The text is not an e-mail address."""


class EmailTaken(Conflict, ValueError):
    """An account with this e-mail exists already."""


class InvalidCredentials(AuthError):
    """Wrong e-mail or password (deliberately not saying which)."""


class MissingCredentials(AuthError):
    """No token or API key was sent."""


class AccountGone(AuthError):
    """The credential was valid but its account has been deleted."""


def normalize_email(email: str) -> str:
    """The trimmed, lowercased address; ``InvalidEmail`` when it is not one."""
    normalized = email.strip().lower()
    if len(normalized) > 320 or not _EMAIL_RE.match(normalized):
        raise InvalidEmail(f"{email.strip()!r} is not an e-mail address (like name@example.com)")
    return normalized


def register(session: Session, email: str, password: str, display_name: str = "") -> User:
    """Create a free-plan user; raises ``InvalidEmail``, ``WeakPassword`` or ``EmailTaken``.

    After ``EmailTaken`` from a concurrent registration the session must be rolled back.
    """
    email = normalize_email(email)
    check_password_policy(password)
    taken = f"an account with {email} already exists; log in or reset its password"
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(taken)
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip()[:120],
        plan="free",
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Lost a race with another registration of the same address (unique index).
        raise EmailTaken(taken) from None
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The user with this e-mail and password; ``InvalidCredentials`` otherwise.

    An unknown e-mail still costs one argon2 verification, so response time does not tell
    an attacker which addresses have accounts.
    """
    try:
        email = normalize_email(email)
    except InvalidEmail:
        email = ""
    user = session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        verify_password(dummy_hash(), password)
        raise InvalidCredentials("wrong e-mail or password")
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials("wrong e-mail or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the password after checking ``current``; logs out every refresh token.

    Raises ``InvalidCredentials`` for a wrong current password, ``WeakPassword`` for a weak
    new one.
    """
    if not verify_password(user.password_hash, current):
        raise InvalidCredentials("the current password is wrong")
    user.password_hash = hash_password(new)
    # Whoever knew the old password may hold a refresh token: end those sessions.
    revoke_all_refresh_tokens(session, user.id)
    session.flush()


def set_plan(session: Session, user: User, plan_name: str) -> None:
    """Move ``user`` to ``plan_name``; raises ``UnknownPlan`` listing the valid names."""
    user.plan = get_plan(plan_name).name
    session.flush()


def resolve_credential(session: Session, secret_key: str, credential: str) -> User:
    """The user behind a JWT access token or an API key.

    Used by HTTP requests and the WebSocket ingest alike; raises an ``AuthError`` subclass
    whose message tells the client what to do.
    """
    credential = credential.strip()
    if not credential:
        raise MissingCredentials("no credentials: send an access token or an API key")
    if looks_like_api_key(credential):
        user_id = authenticate_api_key(session, credential).user_id
    elif looks_like_browser_key(credential):
        # A connected browser's key; checked on every use so a revoked one is refused at once.
        user_id = cast(int, authenticate_browser(session, credential).user_id)
    else:
        user_id = decode_access_token(secret_key, credential)
    user = session.get(User, user_id)
    if user is None:
        raise AccountGone("the account of this credential no longer exists")
    return user
