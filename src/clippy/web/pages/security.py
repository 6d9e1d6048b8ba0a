"""Dashboard sessions and CSRF protection.

The session is a signed cookie (HMAC-SHA256 with the app's secret key): ``uid.issued.fp.sig``.
``fp`` is a fingerprint of the user's password hash, so changing the password ends every
other browser session at once without a server-side session table.

CSRF uses the signed double-submit pattern: each browser gets a random ``clippy_csrf``
cookie, and every form carries ``HMAC(secret, cookie + session)``. A cross-site page can
make the browser send the cookie but can neither read it nor compute the token, so a POST
without the matching token is refused with 403. The token is bound to the session (the
session cookie's signature, new at every log-in): a token seen in one session, or planted
before a log-in, is worthless in another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from clippy.db import User
from clippy.web.deps import SessionDep, get_ctx

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "CsrfChecked",
    "LoginRequired",
    "PageUser",
    "clear_session",
    "csrf_token",
    "optional_user",
    "require_user",
    "start_session",
    "verify_csrf",
]

SESSION_COOKIE = "clippy_session"
CSRF_COOKIE = "clippy_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_DAYS = 14
_SESSION_SECONDS = SESSION_DAYS * 86400


class LoginRequired(Exception):
    """A dashboard page was requested without a valid session; answered with a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__("log in to see this page")
        self.next_path = next_path


def _mac(secret: str, purpose: str, message: str) -> str:
    msg = f"{purpose}\n{message}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:40]


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:12]


def _secure(request: Request) -> bool:
    # Mark cookies Secure when served over HTTPS; plain-HTTP localhost must still work.
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, user: User) -> None:
    """Log ``user`` in: set the signed, HttpOnly, SameSite=Lax session cookie."""
    secret = get_ctx(request).secret_key
    payload = f"{user.id}.{int(time.time())}.{_fingerprint(user)}"
    response.set_cookie(
        SESSION_COOKIE,
        f"{payload}.{_mac(secret, 'session', payload)}",
        max_age=_SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session(response: Response) -> None:
    """Log out: remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def _session_user(request: Request, session: Session) -> User | None:
    raw = request.cookies.get(SESSION_COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 4:
        return None
    uid, issued, fp, sig = parts
    secret = get_ctx(request).secret_key
    if not hmac.compare_digest(
        _mac(secret, "session", f"{uid}.{issued}.{fp}").encode(), sig.encode()
    ):
        return None
    if not (uid.isdigit() and issued.isdigit()) or time.time() - int(issued) > _SESSION_SECONDS:
        return None
    user = session.get(User, int(uid))
    if user is None or not hmac.compare_digest(_fingerprint(user).encode(), fp.encode()):
        return None
    return user


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user of the session cookie, or ``None`` for a visitor."""
    return _session_user(request, session)


def require_user(request: Request, session: SessionDep) -> User:
    """The logged-in user; a visitor is redirected to the login page (``LoginRequired``)."""
    user = _session_user(request, session)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return user


PageUser = Annotated[User, Depends(require_user)]


def csrf_cookie_value(request: Request) -> str:
    """This browser's CSRF cookie value, created (and remembered for the response) if new."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not value:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf = value
    return str(value)


def _session_binding(request: Request) -> str:
    # The session cookie's MAC: unforgeable, and different for every log-in.
    parts = request.cookies.get(SESSION_COOKIE, "").split(".")
    return parts[3] if len(parts) == 4 else ""


def _expected_csrf(request: Request, cookie: str) -> str:
    message = f"{cookie}\n{_session_binding(request)}"
    return _mac(get_ctx(request).secret_key, "csrf", message)


def csrf_token(request: Request) -> str:
    """The token forms must send back: the HMAC of this browser's CSRF cookie and session."""
    return _expected_csrf(request, csrf_cookie_value(request))


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the CSRF cookie when this request created it."""
    value = getattr(request.state, "new_csrf", None)
    if value:
        response.set_cookie(
            CSRF_COOKIE,
            value,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request whose CSRF token is missing or wrong."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    expected = _expected_csrf(request, cookie) if cookie else ""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise HTTPException(
            403,
            "this form has expired or did not come from Clippy; reload the page and try again",
        )


CsrfChecked = Depends(verify_csrf)
