"""API keys of the caller: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from clippy.accounts import create_api_key, list_api_keys, revoke_api_key
from clippy.web.deps import CurrentUser, SessionDep
from clippy.web.params import IdPath, StrictBody

router = APIRouter(prefix="/api/v1/api-keys", tags=["api-keys"])


class KeyIn(StrictBody):
    """A new key's label."""

    name: str = Field(default="", max_length=120, examples=["OBS machine"])


class KeyOut(BaseModel):
    """A key without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str = Field(description="the clp_<prefix>_ part, to tell keys apart")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewKeyOut(KeyOut):
    """A key just created, with its secret (shown this once)."""

    key: str = Field(
        description="the full key; shown only in this response, store it now",
        examples=["clp_1a2b3c4d_3q2-7wEXAMPLEEXAMPLEEXAMPLEEXAMPLEc4kL0"],
    )


@router.post("", status_code=201)
def create_key(body: KeyIn, user: CurrentUser, session: SessionDep) -> NewKeyOut:
    """Create a key for the caller. Store it now: it cannot be shown again."""
    row, key = create_api_key(session, user.id, body.name)
    return NewKeyOut(**KeyOut.model_validate(row).model_dump(), key=key)


@router.get("")
def list_keys(user: CurrentUser, session: SessionDep) -> list[KeyOut]:
    """The caller's keys, newest first, without their secrets."""
    return [KeyOut.model_validate(k) for k in list_api_keys(session, user.id)]


@router.delete("/{key_id}", status_code=204, responses={404: {"description": "not your key"}})
def delete_key(key_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Revoke one of the caller's keys; an id that is not theirs answers 404."""
    revoke_api_key(session, user.id, key_id)  # ApiKeyNotFound is a NotFound: 404
    return Response(status_code=204)
