"""FastAPI dependencies: the app context, a database session per request, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from clippy.accounts import AuthError, resolve_credential
from clippy.db import User, session_scope
from clippy.runtime import Runtime
from clippy.webhooks import EgressPolicy

__all__ = [
    "CtxDep",
    "CurrentUser",
    "SessionDep",
    "current_user",
    "get_ctx",
    "get_session",
    "webhook_policy",
]

# auto_error=False: a missing header gets our own 401 message instead of FastAPI's 403.
_bearer = HTTPBearer(
    auto_error=False,
    description="A JWT access token from /api/v1/auth/login, or an API key (clp_…).",
)


def get_ctx(request: Request) -> Runtime:
    """The running app's shared context (``app.state.ctx``)."""
    ctx: Runtime = request.app.state.ctx
    return ctx


CtxDep = Annotated[Runtime, Depends(get_ctx)]


def webhook_policy(request: Request) -> EgressPolicy:
    """The egress policy webhook URLs are checked against (``CLIPPY_EGRESS_ALLOW_HOSTS``)."""
    return EgressPolicy.from_setting(get_ctx(request).settings.egress_allow_hosts)


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request: committed when the handler returns, rolled back if it raises."""
    with session_scope(get_ctx(request).session_factory) as session:
        yield session


# scope="function": commit before the response goes out, so a client that got 201 can rely
# on the row existing (and a failed commit becomes a 500 instead of a silent loss).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user of the ``Authorization: Bearer <access token or API key>`` header; else 401."""
    if credentials is None:
        raise _unauthorized(
            "not authenticated: send 'Authorization: Bearer <access token or API key>'"
        )
    try:
        return resolve_credential(session, get_ctx(request).secret_key, credentials.credentials)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from None


CurrentUser = Annotated[User, Depends(current_user)]
