"""Every error's HTTP answer, declared once: ``{"detail": ...}`` with the family's status.

Routes raise (or let through) the capabilities' own exceptions; Starlette finds a handler
by walking the exception's MRO, so each ``clippy.errors`` family registered here answers
for all its members (``WebhookNotFound`` is a ``NotFound``: 404). Routes keep an ``except``
only where a page re-renders a form or a status depends on the route, not the error.

FastAPI's own 422 handler echoes the offending input, which fails to encode (and so turns
into a 500) when that input is ``Infinity`` or ``NaN``; ours writes such numbers as text.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clippy.accounts import Throttled
from clippy.errors import (
    ClippyError,
    Conflict,
    InvalidInput,
    MediaError,
    NotFound,
    QuotaExceeded,
    Refused,
    Unauthenticated,
    Unavailable,
)
from clippy.web.throttling import throttled_response

__all__ = ["HTTP_STATUS", "install_error_handlers", "status_for", "validation_error_response"]

HTTP_STATUS: dict[type[ClippyError], int] = {
    NotFound: 404,
    Unauthenticated: 401,
    Refused: 403,
    QuotaExceeded: 429,
    Conflict: 409,
    InvalidInput: 422,
    MediaError: 422,
    Unavailable: 503,
}


def status_for(exc: BaseException) -> int | None:
    """The status of ``exc``'s nearest family in its MRO (``None``: not a mapped error)."""
    for cls in type(exc).__mro__:
        status = HTTP_STATUS.get(cls)
        if status is not None:
            return status
    return None


async def clippy_error_response(_request: Request, exc: Exception) -> JSONResponse:
    """A ``ClippyError`` family member as ``{"detail": ...}`` with its family's status."""
    assert isinstance(exc, ClippyError)
    status = status_for(exc) or 500
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": exc.detail}, status_code=status, headers=headers)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


async def validation_error_response(_request: Request, exc: Exception) -> JSONResponse:
    """422 with the validation errors (FastAPI's format), safe for any input."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error family, throttling (with ``Retry-After``) and bad requests."""
    for family in HTTP_STATUS:
        app.add_exception_handler(family, clippy_error_response)
    app.add_exception_handler(Throttled, throttled_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
