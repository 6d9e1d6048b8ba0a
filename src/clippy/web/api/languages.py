"""Spoken languages: what the server's speech model recognises, and the account's and each
stream's choice (a refused choice is a 422 with the reason, and nothing is saved)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clippy import ingest
from clippy.runtime import Runtime
from clippy.transcribe import (
    detected_language,
    effective_language,
    language_support,
    stored_language,
    with_language,
)
from clippy.web.deps import CtxDep, CurrentUser, SessionDep
from clippy.web.openapi import refusals
from clippy.web.params import IdPath, StrictBody

router = APIRouter(prefix="/api/v1", tags=["languages"])


class LanguageOption(BaseModel):
    code: str = Field(examples=["de"])
    name: str = Field(examples=["German"])


class LanguagesOut(BaseModel):
    """The configured model, whether it detects the language itself, the server's default
    (``auto`` or a code), the languages it recognises, and the caller's own choice (``null``:
    the server's default applies)."""

    model: str = Field(examples=["Whisper base"])
    multilingual: bool
    auto_detect: bool
    default: str = Field(examples=["auto"])
    languages: list[LanguageOption]
    account_language: str | None = Field(examples=["de"])


class LanguageIn(StrictBody):
    """A language choice: a Whisper code (``de``), ``auto``, or ``null`` to follow the default
    (the account's for a stream, the server's for the account)."""

    language: str | None = Field(default=None, max_length=40, examples=["de"])


class StreamLanguageOut(BaseModel):
    """A stream's own choice (``null``: the account's applies), the language it is recognised
    in, and the one heard most so far ("" before any speech)."""

    stream_id: int
    language: str | None
    effective: str
    detected: str


def _languages(ctx: Runtime, settings: dict[str, Any] | None) -> LanguagesOut:
    support = language_support(ctx.settings)
    return LanguagesOut(**support.to_json(), account_language=stored_language(settings))


@router.get("/languages")
def languages(user: CurrentUser, ctx: CtxDep) -> LanguagesOut:
    """The languages the server can recognise; both settings UIs offer only these."""
    return _languages(ctx, user.settings)


@router.put("/account/language", responses=refusals(422))
def set_account_language(
    body: LanguageIn, user: CurrentUser, session: SessionDep, ctx: CtxDep
) -> LanguagesOut:
    """Set the account's default language for its streams; an English-only model refuses any
    other language (422, with what to change)."""
    user.settings = with_language(user.settings, body.language, language_support(ctx.settings))
    session.flush()
    return _languages(ctx, user.settings)


@router.put("/streams/{stream_id}/language", responses=refusals(404, 422))
def set_stream_language(
    stream_id: IdPath, body: LanguageIn, user: CurrentUser, session: SessionDep, ctx: CtxDep
) -> StreamLanguageOut:
    """Set one of the caller's streams' language; its next segments are recognised in it."""
    support = language_support(ctx.settings)
    stream = ingest.visible_stream(session, {user.id}, stream_id)
    stream.settings = with_language(stream.settings, body.language, support)
    session.flush()
    return StreamLanguageOut(
        stream_id=stream.id,
        language=stored_language(stream.settings),
        effective=effective_language(user.settings, stream.settings, support),
        detected=detected_language(stream.settings),
    )
