"""Settings → detection (business plan): the streamer's own key phrases and their prompt for
the LLM judge, and whether this server has a judge configured.

The section loads itself into the settings page (HTMX); without JavaScript its link opens a
stand-alone page, and the form posts as a plain form either way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts import get_plan
from clippy.db import User
from clippy.detect import (
    MAX_COMMAND_CHARS,
    MAX_PHRASE_CHARS,
    MAX_PHRASE_WORDS,
    MAX_PHRASES,
    MAX_PROMPT_CHARS,
    InvalidPreferences,
    judge_configured,
    plan_allows,
    stored_prefs,
    validate,
    with_prefs,
)
from clippy.web.deps import SessionDep, get_ctx
from clippy.web.pages.security import CsrfChecked, PageUser
from clippy.web.pages.templating import render

router = APIRouter(prefix="/app/settings/detection", include_in_schema=False)

_NOTICE = "Detection settings saved. They apply from the next segment of your streams."
# Room for 50 phrases of 60 characters with separators, and the prompt with line endings.
_PHRASES_FIELD_MAX = 8 * MAX_PHRASES * MAX_PHRASE_CHARS
_PROMPT_FIELD_MAX = 4 * MAX_PROMPT_CHARS


def _context(
    request: Request,
    user: User,
    *,
    phrases: str | None = None,
    prompt: str | None = None,
    clip_command: str | None = None,
    error: str = "",
    notice: str = "",
) -> dict[str, Any]:
    """The section's data: the stored values unless a refused form's draft is given back."""
    stored = stored_prefs(user.settings)
    settings = get_ctx(request).settings
    return {
        "user": user,
        "detection": {
            "phrases": "\n".join(stored.key_phrases) if phrases is None else phrases,
            "prompt": stored.prompt if prompt is None else prompt,
            "clip_command": clip_command
            if clip_command is not None
            else (settings.clip_command if stored.clip_command is None else stored.clip_command),
            "viewers": settings.clip_command_viewers,
            "count": len(stored.key_phrases),
            "allowed": plan_allows(user.plan),
            "plan": get_plan(user.plan).name.capitalize(),
            "judge": judge_configured(settings),
            "model": settings.llm_model,
            "limits": {
                "phrases": MAX_PHRASES,
                "words": MAX_PHRASE_WORDS,
                "chars": MAX_PHRASE_CHARS,
                "prompt": MAX_PROMPT_CHARS,
                "command": MAX_COMMAND_CHARS,
            },
            "error": error,
            "notice": notice,
        },
    }


def _answer(request: Request, ctx: dict[str, Any], status_code: int = 200) -> Response:
    """The section for HTMX, else the stand-alone page that holds it."""
    hx = request.headers.get("hx-request") == "true"
    name = "app/_detection_settings.html" if hx else "app/detection_settings.html"
    return render(request, name, ctx, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def detection_section(request: Request, user: PageUser) -> Response:
    """The detection section (or page): key phrases, prompt and the server's judge status."""
    notice = _NOTICE if request.query_params.get("saved") == "detection" else ""
    return _answer(request, _context(request, user, notice=notice))


@router.post("", response_class=HTMLResponse, dependencies=[CsrfChecked])
def save_detection(
    request: Request,
    session: SessionDep,
    user: PageUser,
    key_phrases: Annotated[str, Form(max_length=_PHRASES_FIELD_MAX)] = "",
    prompt: Annotated[str, Form(max_length=_PROMPT_FIELD_MAX)] = "",
    clip_command: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Validate and store the key phrases and prompt (business plan only)."""

    def refuse(error: str, status_code: int) -> Response:
        # The draft comes back with the reason, so nothing the user typed is lost.
        ctx = _context(
            request,
            user,
            phrases=key_phrases,
            prompt=prompt,
            clip_command=clip_command,
            error=error,
        )
        return _answer(request, ctx, status_code=status_code)

    if not plan_allows(user.plan):
        return refuse(
            f"Your own key phrases and detection prompt come with the Business plan; you are"
            f" on {get_plan(user.plan).name.capitalize()}. Nothing was saved.",
            403,
        )
    try:
        prefs = validate(key_phrases, prompt, clip_command)
    except InvalidPreferences as exc:
        return refuse(f"{exc} Nothing was saved.", 400)
    user.settings = with_prefs(user.settings, prefs)
    session.flush()
    return RedirectResponse("/app/settings?detection=saved#detection", 303)
