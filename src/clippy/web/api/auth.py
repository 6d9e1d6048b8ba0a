"""Account endpoints: register, log in, refresh, log out, who am I, change password."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from clippy.accounts import (
    MAX_PASSWORD_LENGTH,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    InvalidToken,
    TokenPair,
    WeakPassword,
    authenticate,
    change_password,
    get_plan,
    issue_token_pair,
    refresh_token_pair,
    register,
    revoke_refresh_token,
    usage_for,
    utc_day,
)
from clippy.db import User
from clippy.runtime import Runtime
from clippy.web.deps import CtxDep, CurrentUser, SessionDep
from clippy.web.openapi import refusals
from clippy.web.params import StrictBody
from clippy.web.throttling import take_attempt

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

_EMAIL = Field(max_length=320, examples=["streamer@example.com"])
_PASSWORD = Field(max_length=MAX_PASSWORD_LENGTH, examples=["correct horse battery staple"])


class RegisterIn(StrictBody):
    """A new account: e-mail, password (8+ characters) and an optional display name."""

    email: str = _EMAIL
    password: str = _PASSWORD
    display_name: str = Field(default="", max_length=120, examples=["Streamer"])


class LoginIn(StrictBody):
    """E-mail and password of an existing account."""

    email: str = _EMAIL
    password: str = _PASSWORD


class RefreshIn(StrictBody):
    """A refresh token from a login, register or earlier refresh."""

    refresh_token: str = Field(max_length=200, examples=["rt_3q2-7wEXAMPLEc4kL0"])


class PasswordIn(StrictBody):
    """The current password and its replacement (8+ characters)."""

    current_password: str = _PASSWORD
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH, examples=["a longer new secret"])


class UserOut(BaseModel):
    """An account as its owner sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    plan: str
    created_at: datetime


class TokensOut(BaseModel):
    """A token pair and the account it belongs to."""

    access_token: str = Field(description="JWT; send as 'Authorization: Bearer …'")
    refresh_token: str = Field(description="single use; spend it at /api/v1/auth/refresh")
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the access token expires", examples=[900])
    user: UserOut


class PlanOut(BaseModel):
    """The limits of the caller's plan."""

    name: str
    recording_hours_per_day: float | None = Field(description="null: unlimited")
    clips_per_day: int | None = Field(description="null: unlimited")
    retention_hours: float
    max_export_height: int
    watermark: bool
    team_seats: int
    api_and_webhooks: bool


class UsageOut(BaseModel):
    """What the caller used today (UTC)."""

    day: str = Field(description="UTC day the counters are for; they reset at 00:00 UTC")
    recording_seconds: float
    clips: int
    exports: int


class MeOut(BaseModel):
    """The caller, their plan and today's usage."""

    user: UserOut
    plan: PlanOut
    usage_today: UsageOut


def _tokens_out(pair: TokenPair, user: User) -> TokensOut:
    return TokensOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=UserOut.model_validate(user),
    )


def _new_pair(ctx: Runtime, session: Session, user: User) -> TokenPair:
    s = ctx.settings
    return issue_token_pair(
        session, ctx.secret_key, user.id, s.access_token_minutes, s.refresh_token_days
    )


_BAD_INPUT = {"description": "invalid e-mail address or too weak a password"}
_UNAUTHORIZED = {"description": "missing, invalid, expired or revoked credentials"}


@router.post(
    "/register",
    status_code=201,
    responses={
        400: _BAD_INPUT,
        409: {"description": "an account with this e-mail exists"},
        **refusals(429),
    },
)
def register_user(
    body: RegisterIn, request: Request, session: SessionDep, ctx: CtxDep
) -> TokensOut:
    """Create an account on the free plan and log it in."""
    take_attempt(request, "sign-up")
    try:
        user = register(session, body.email, body.password, body.display_name)
    except EmailTaken as exc:
        raise HTTPException(409, str(exc)) from None
    except (InvalidEmail, WeakPassword) as exc:
        raise HTTPException(400, str(exc)) from None
    return _tokens_out(_new_pair(ctx, session, user), user)


@router.post("/login", responses={401: _UNAUTHORIZED, **refusals(429)})
def login(body: LoginIn, request: Request, session: SessionDep, ctx: CtxDep) -> TokensOut:
    """Exchange e-mail and password for an access token and a refresh token."""
    ticket = take_attempt(request, "log-in", body.email)
    try:
        user = authenticate(session, body.email, body.password)
    except InvalidCredentials as exc:
        raise HTTPException(401, str(exc)) from None
    ticket.refund()
    return _tokens_out(_new_pair(ctx, session, user), user)


@router.post("/refresh", responses={401: _UNAUTHORIZED, **refusals(429)})
def refresh(body: RefreshIn, request: Request, session: SessionDep, ctx: CtxDep) -> TokensOut:
    """Spend a refresh token for a new pair; each refresh token works exactly once."""
    s = ctx.settings
    # A refresh token names no account until it is found valid (and a valid one cannot be
    # guessed): failures count against the client address.
    ticket = take_attempt(request, "refresh")
    try:
        user_id, pair = refresh_token_pair(
            session,
            ctx.secret_key,
            body.refresh_token,
            s.access_token_minutes,
            s.refresh_token_days,
        )
    except InvalidToken as exc:
        raise HTTPException(401, str(exc)) from None
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(401, "the account of this refresh token no longer exists")
    ticket.refund()
    return _tokens_out(pair, user)


@router.post("/logout", status_code=204)
def logout(body: RefreshIn, session: SessionDep) -> Response:
    """Revoke a refresh token. The access token stays valid until it expires (minutes)."""
    revoke_refresh_token(session, body.refresh_token)
    return Response(status_code=204)


@router.get("/me", responses={401: _UNAUTHORIZED})
def me(user: CurrentUser, session: SessionDep) -> MeOut:
    """The caller, their plan's limits and today's usage."""
    plan = get_plan(user.plan)
    day = utc_day()
    usage = usage_for(session, user.id, day)
    return MeOut(
        user=UserOut.model_validate(user),
        plan=PlanOut(
            name=plan.name,
            recording_hours_per_day=plan.recording_hours_per_day,
            clips_per_day=plan.clips_per_day,
            retention_hours=plan.retention.total_seconds() / 3600,
            max_export_height=plan.max_export_height,
            watermark=plan.watermark,
            team_seats=plan.team_seats,
            api_and_webhooks=plan.api_and_webhooks,
        ),
        usage_today=UsageOut(
            day=day.isoformat(),
            recording_seconds=usage.recording_seconds,
            clips=usage.clips,
            exports=usage.exports,
        ),
    )


@router.post("/password", responses={400: _BAD_INPUT, 401: _UNAUTHORIZED, **refusals(429)})
def password(
    body: PasswordIn, request: Request, user: CurrentUser, session: SessionDep, ctx: CtxDep
) -> TokensOut:
    """Change the caller's password; other sessions are logged out and a new pair returned."""
    ticket = take_attempt(request, "password change", user.id)
    try:
        change_password(session, user, body.current_password, body.new_password)
    except (InvalidCredentials, WeakPassword) as exc:
        raise HTTPException(400, str(exc)) from None
    ticket.refund()
    return _tokens_out(_new_pair(ctx, session, user), user)
