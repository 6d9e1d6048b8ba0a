"""Recording rows: create one within the plan's limits, list, find, stop (database only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clippy.accounts import get_plan, recording_allowed, usage_for
from clippy.db import RECORDING_ACTIVE, Recording, RecordingStatus, User, utcnow
from clippy.errors import NotFound, QuotaExceeded
from clippy.record.irc import parse_irc_url
from clippy.record.sources import chat_url_for, check_record_url
from clippy.webhooks import EgressPolicy, EgressRefused, resolve_egress

__all__ = [
    "RecordingKind",
    "active_recordings",
    "create_recording",
    "list_recordings",
    "mark_stopped",
    "visible_recording",
]


class RecordingKind(StrEnum):
    """``Recording.kind``."""

    CHANNEL = "channel"  # a live channel recorded until it ends
    IMPORT = "import"  # a finished video imported by link


def create_recording(
    session: Session,
    user: User,
    url: str,
    kind: RecordingKind,
    *,
    chat: str = "",
    twitch_irc_url: str = "",
    egress: EgressPolicy | None = None,
    now: datetime | None = None,
) -> Recording:
    """A new recording of ``url`` for ``user``, refused when the plan's recording time is used
    up today or (for channels) its channels are all recording. ``chat`` is an IRC address;
    a Twitch channel URL gets its own chat on ``twitch_irc_url`` when none is given.

    ``egress`` (for URLs a user typed, not the operator's command line) refuses hosts that are
    not public internet addresses, as for webhooks."""
    url = check_record_url(url)
    if chat:
        parse_irc_url(chat)  # a bad chat address is refused now, not found out later
    elif kind == RecordingKind.CHANNEL and twitch_irc_url:
        chat = chat_url_for(url, twitch_irc_url)
    if egress is not None:
        for target in filter(None, (url, chat.replace("irc", "http", 1) if chat else "")):
            try:
                resolve_egress(target.replace("hls://", "https://", 1), egress)
            except EgressRefused:
                host = urlsplit(target).hostname
                raise EgressRefused(
                    f"{host} is not a public internet address: the server records only those"
                    " (an operator can allow a host with CLIPPY_EGRESS_ALLOW_HOSTS)"
                ) from None
    plan = get_plan(user.plan)
    now = now or utcnow()
    used = usage_for(session, user.id, now.date()).recording_seconds
    decision = recording_allowed(plan, used, 1.0)
    if not decision.allowed:
        raise QuotaExceeded(decision.message or "today's recording time is used up")
    if kind == RecordingKind.CHANNEL:
        running = session.scalar(
            select(func.count())
            .select_from(Recording)
            .where(
                Recording.user_id == user.id,
                Recording.kind == RecordingKind.CHANNEL,
                Recording.status.in_(list(RECORDING_ACTIVE)),
            )
        )
        if (running or 0) >= plan.recording_channels:
            n = plan.recording_channels
            raise QuotaExceeded(
                f"Your {plan.name} plan records {n} channel{'s' if n != 1 else ''} at once;"
                " stop one first."
            )
    rec = Recording(user_id=user.id, kind=kind, url=url, chat=chat, created_at=now)
    session.add(rec)
    session.flush()
    return rec


def list_recordings(session: Session, user_id: int, limit: int = 50) -> list[Recording]:
    """The user's recordings and imports, newest first."""
    q = (
        select(Recording)
        .where(Recording.user_id == user_id)
        .order_by(Recording.created_at.desc(), Recording.id.desc())
        .limit(limit)
    )
    return list(session.scalars(q))


def active_recordings(session: Session) -> list[tuple[int, str]]:
    """(id, kind) of every recording still under way: what a starting server resumes."""
    q = select(Recording.id, Recording.kind).where(Recording.status.in_(list(RECORDING_ACTIVE)))
    return [(i, k) for i, k in session.execute(q.order_by(Recording.id)).tuples()]


def is_active(session: Session, recording_id: int) -> bool:
    """Whether recording ``recording_id`` exists and is still under way."""
    rec = session.get(Recording, recording_id)
    return rec is not None and rec.status in RECORDING_ACTIVE


def visible_recording(session: Session, user_id: int, recording_id: int) -> Recording:
    """The recording if ``user_id`` owns it; ``NotFound`` otherwise."""
    rec = session.get(Recording, recording_id)
    if rec is None or rec.user_id != user_id:
        raise NotFound(f"recording {recording_id} not found")
    return rec


def mark_stopped(rec: Recording, now: datetime | None = None) -> bool:
    """Mark an active recording stopped by its owner; False if it had already finished."""
    if rec.status not in RECORDING_ACTIVE:
        return False
    rec.status = RecordingStatus.STOPPED
    rec.ended_at = now or utcnow()
    return True
