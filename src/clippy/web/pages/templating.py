"""Jinja2 environment of the dashboard and the one function pages render with."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from clippy import __version__
from clippy.web.pages.security import csrf_token, set_csrf_cookie

__all__ = ["ago", "clock", "duration", "render"]

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def duration(seconds: float | None) -> str:
    """``75.4`` → ``"1:15"``; hours shown when present (``"2:03:09"``); ``"?"`` for a value
    that is not a finite number (a row stored before the protocol bounded times)."""
    if seconds is not None and not math.isfinite(seconds):
        return "?"
    total = max(0, round(seconds or 0.0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock(seconds: float | None) -> str:
    """Clip time with tenths for editors: ``12.34`` → ``"0:12.3"``."""
    if seconds is not None and not math.isfinite(seconds):
        return "?"
    s = max(0.0, seconds or 0.0)
    minutes, secs = divmod(s, 60)
    return f"{int(minutes)}:{secs:04.1f}"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """A short relative time: ``"just now"``, ``"5 min ago"``, ``"3 h ago"``, ``"Nov 2"``."""
    if when is None:
        return "never"
    delta = ((now or datetime.now(UTC)) - when).total_seconds()
    if delta < 45:
        return "just now"
    if delta < 3600:
        return f"{round(delta / 60)} min ago"
    if delta < 86400:
        return f"{round(delta / 3600)} h ago"
    return f"{when:%b} {when.day}"


def _hours(seconds: float | None) -> str:
    # Minutes below an hour: a free plan's first recorded minutes should not read "0.0 h".
    s = seconds or 0.0
    if s < 3600:
        return f"{round(s / 60)} min"
    h = s / 3600
    return f"{h:.1f}".rstrip("0").rstrip(".") + " h" if h < 10 else f"{h:.0f} h"


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(duration=duration, clock=clock, ago=ago, hours=_hours)
_env.globals["version"] = __version__


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` with the request, CSRF token and ``context``."""
    ctx: dict[str, Any] = {
        "request": request,
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "is_htmx": request.headers.get("hx-request") == "true",
    }
    ctx.update(context or {})
    html = _env.get_template(name).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    set_csrf_cookie(request, response)
    return response
