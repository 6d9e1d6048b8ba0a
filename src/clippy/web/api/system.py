"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from clippy import __version__
from clippy.db import database_status
from clippy.runtime import Runtime

router = APIRouter(tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": __version__}


@router.get(
    "/ready",
    responses={
        503: {
            "description": "starting, or the database does not answer",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def ready(request: Request) -> JSONResponse:
    """The app has started and its database answers."""
    ctx: Runtime = request.app.state.ctx
    checks = {"database": database_status(ctx.engine)}
    checks["startup"] = "ok" if ctx.ready else "starting"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503
    )


def _loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _metrics_allowed(request: Request) -> None:
    token = request.app.state.ctx.settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            raise HTTPException(
                401,
                "send the metrics token: 'Authorization: Bearer <CLIPPY_METRICS_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not _loopback(request):
        raise HTTPException(
            403, "metrics are served to this machine only; set CLIPPY_METRICS_TOKEN to scrape"
        )


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        },
        401: {"description": "a metrics token is configured and was not sent"},
        403: {"description": "no token is configured and the client is not on this machine"},
    },
)
def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format (token or loopback only)."""
    _metrics_allowed(request)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
