"""The user's logo in the object store and ``User.settings``: upload, options, removal, and
the record an export job keeps of it.

Reproducibility: each logo version is its own immutable object (named by its SHA-256) and a
job stores the branding it was created with. Replacing or removing the logo keeps versions
that a job which may still render (queued, running, failed or canceled: the last two can be
retried) refers to; they are pruned at a later change once no such job is left. A logo
that is gone anyway when a job renders is left out and the job's result says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clippy.accounts import get_plan
from clippy.branding.options import (
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    SETTINGS_KEY,
    Branding,
    BrandingError,
    branding_allowed,
    check_options,
    read_branding,
)
from clippy.db import ExportJob, ExportStatus, User
from clippy.errors import NotFound, Refused
from clippy.media.image import normalise_image
from clippy.storage import ObjectStore, logo_key, logo_prefix

__all__ = [
    "BrandingRefused",
    "job_branding",
    "logo_png",
    "prune_logos",
    "remove_logo",
    "save_logo",
    "set_logo_options",
]


class BrandingRefused(Refused, BrandingError):
    """The user's plan does not include branding."""


def _check_plan(user: User) -> None:
    plan = get_plan(user.plan)
    if not branding_allowed(plan):
        raise BrandingRefused(
            f"a logo on exports comes with the Business plan; you are on {plan.name.title()}"
        )


def _store_branding(user: User, branding: Branding | None) -> None:
    # A new dict: the JSON column does not notice changes made inside the old one.
    settings = {k: v for k, v in (user.settings or {}).items() if k != SETTINGS_KEY}
    if branding is not None:
        settings[SETTINGS_KEY] = branding.to_json()
    user.settings = settings


def save_logo(
    store: ObjectStore, user: User, data: bytes, corner: str, size: int, opacity: int
) -> Branding:
    """Validate the upload by decoding it, store it as a PNG and make it the user's logo.

    Raises ``BrandingRefused`` off the business plan, ``BrandingError`` for bad options and
    ``ImageRejected`` for a bad file; in every such case nothing is stored."""
    _check_plan(user)
    check_options(corner, size, opacity)
    image = normalise_image(data, max_bytes=MAX_LOGO_BYTES, max_side=MAX_LOGO_SIDE)
    key = logo_key(user.id, hashlib.sha256(image.png).hexdigest())
    if not store.exists(key):
        store.put_bytes(key, image.png, content_type="image/png")
    branding = Branding(key, image.width, image.height, corner, size, opacity)
    _store_branding(user, branding)
    return branding


def set_logo_options(user: User, corner: str, size: int, opacity: int) -> Branding:
    """Change where and how the current logo is placed (no new upload)."""
    _check_plan(user)
    check_options(corner, size, opacity)
    current = read_branding(user.settings)
    if current is None:
        raise BrandingError("upload a logo first")
    branding = replace(current, corner=corner, size=size, opacity=opacity)
    _store_branding(user, branding)
    return branding


def remove_logo(user: User) -> bool:
    """Forget the user's logo (its object goes at ``prune_logos``); whether there was one."""
    had = read_branding(user.settings) is not None
    _store_branding(user, None)
    return had


def _keys_in_use(session: Session, user: User) -> set[str]:
    keys = set()
    current = read_branding(user.settings)
    if current is not None:
        keys.add(current.key)
    jobs = session.scalars(
        select(ExportJob.options).where(
            ExportJob.user_id == user.id, ExportJob.status != ExportStatus.DONE
        )
    )
    for options in jobs:
        recorded = Branding.from_json((options or {}).get(SETTINGS_KEY))
        if recorded is not None:
            keys.add(recorded.key)
    return keys


def prune_logos(session: Session, store: ObjectStore, user: User) -> int:
    """Delete the user's logo versions that neither the settings nor a job that may still
    render refer to; call it after the settings change is committed. Returns how many."""
    keep = _keys_in_use(session, user)
    gone = [key for key in store.list(logo_prefix(user.id)) if key not in keep]
    for key in gone:
        store.delete(key)
    return len(gone)


def logo_png(store: ObjectStore, user: User, digest: str) -> bytes:
    """The PNG of the user's current logo if ``digest`` names it; ``NotFound`` otherwise
    (another user's digest, an old version, a removed logo)."""
    current = read_branding(user.settings)
    if current is None or current.digest != digest:
        raise NotFound("no such logo")
    try:
        return store.get_bytes(current.key)
    except KeyError:
        raise NotFound("the logo file is missing; upload it again") from None


def job_branding(user: User) -> dict[str, Any] | None:
    """What an export job created now records of the user's branding (``None``: none)."""
    branding = read_branding(user.settings)
    if branding is None or not branding_allowed(get_plan(user.plan)):
        return None
    return branding.to_json()
