"""Pairing a browser extension: ask for a pairing, then poll it until the user approves."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from clippy.accounts import ClaimState, PairingError, claim_pairing, start_pairing
from clippy.db import User
from clippy.web.deps import SessionDep
from clippy.web.openapi import refusals
from clippy.web.params import StrictBody
from clippy.web.throttling import take_attempt

router = APIRouter(prefix="/api/v1/browsers", tags=["browsers"])


class PairingIn(StrictBody):
    """The name the browser is listed under in Settings → Connected browsers."""

    name: str = Field(default="", max_length=120, examples=["Chrome on Linux"])


class PairingOut(BaseModel):
    """A pairing request: open ``connect_url`` in the browser; poll with ``claim_token``."""

    code: str = Field(description="shown on both sides so the user can compare them")
    claim_token: str = Field(description="secret of this browser; send it to /pairings/claim")
    connect_url: str = Field(description="the dashboard page where the user approves")
    expires_in: int = Field(description="seconds the request waits for approval")


class ClaimIn(StrictBody):
    """The claim token of a pairing request."""

    claim_token: str = Field(max_length=100)


class ClaimOut(BaseModel):
    """``pending`` until approved; then once ``connected`` with the browser's credential."""

    status: Literal["pending", "connected"]
    credential: str = Field(default="", description="clb_… key; sent once, use as a Bearer")
    email: str = Field(default="", description="the account the browser is connected to")


@router.post("/pairings", status_code=201, responses=refusals(429))
def new_pairing(body: PairingIn, request: Request, session: SessionDep) -> PairingOut:
    """Ask to connect this browser; the user approves it on the dashboard's connect page."""
    take_attempt(request, "pairing")
    started = start_pairing(session, body.name)
    base = str(request.base_url).rstrip("/")
    return PairingOut(
        code=started.code,
        claim_token=started.claim_token,
        connect_url=f"{base}/app/connect?code={started.code}",
        expires_in=started.expires_in,
    )


@router.post(
    "/pairings/claim",
    responses=refusals(**{"410": "unknown, expired, refused or already used pairing"}),
)
def claim(body: ClaimIn, session: SessionDep) -> ClaimOut:
    """Poll a pairing: ``pending`` until approved, then the credential, exactly once."""
    try:
        state, row, credential = claim_pairing(session, body.claim_token)
    except PairingError as exc:
        raise HTTPException(410, str(exc)) from None
    if state is ClaimState.PENDING:
        return ClaimOut(status="pending")
    owner = session.get(User, row.user_id)
    return ClaimOut(status="connected", credential=credential, email=owner.email if owner else "")
