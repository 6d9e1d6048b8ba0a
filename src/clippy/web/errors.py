"""The API's error bodies, declared once: ``{"detail": ...}`` for every refusal.

FastAPI's own 422 handler echoes the offending input, which fails to encode (and so turns
into a 500) when that input is ``Infinity`` or ``NaN``; ours writes such numbers as text.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

__all__ = ["validation_error_response"]


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
