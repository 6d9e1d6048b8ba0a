"""Retention sweeper and hot-to-cold tiering: the I/O shell around ``retention.rules``.

Rows go first, in one transaction per batch, then their objects. A crash between the two
leaves orphan objects (invisible: the API lists rows, not objects), and ``sweep_orphans``
removes the objects of streams that no longer exist; the other order could leave rows
pointing at deleted media, which is worse. Orphans inside a stream that still exists wait
until that stream ends and empties (it is then deleted and its prefix swept); the orphan
pass deliberately never guesses per object, because ingest writes an object just before
its row and a per-object check would race with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts import PLANS, purge_expired_refresh_tokens, retention_cutoff
from clippy.archive import prune_archive_cache
from clippy.clips import expire_clips
from clippy.db import (
    ChatMessage,
    Clip,
    ExportJob,
    Segment,
    SegmentTier,
    Stream,
    StreamStatus,
    TranscriptSegment,
    User,
    utcnow,
)
from clippy.export import expire_exports
from clippy.ingest import expire_segments
from clippy.storage import ObjectStore
from clippy.webhooks import prune_deliveries

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What one sweep deleted."""

    segments: int = 0
    transcripts: int = 0
    chat_messages: int = 0
    clips: int = 0
    streams: int = 0
    objects: int = 0
    refresh_tokens: int = 0
    exports: int = 0
    webhook_deliveries: int = 0

    def __str__(self) -> str:
        return (
            f"deleted {self.segments} segments, {self.transcripts} transcript chunks, "
            f"{self.chat_messages} chat lines, {self.clips} clips, {self.exports} exports, "
            f"{self.streams} streams, "
            f"{self.objects} objects, {self.refresh_tokens} expired refresh tokens, "
            f"{self.webhook_deliveries} webhook deliveries"
        )


def sweep_expired(
    session_factory: sessionmaker[Session], store: ObjectStore, now: datetime | None = None
) -> SweepReport:
    """Delete every owner's data older than their plan's retention, and nothing younger."""
    now = now or utcnow()
    report = SweepReport()
    for plan in PLANS:
        cutoff = retention_cutoff(plan, now)
        users = select(User.id).where(User.plan == plan).scalar_subquery()
        streams = select(Stream.id).where(Stream.user_id.in_(users)).scalar_subquery()
        # Each capability expires its own rows and objects.
        clips, objects = expire_clips(session_factory, store, streams, cutoff)
        report.clips += clips
        report.objects += objects
        segments, objects, touched = expire_segments(session_factory, store, streams, cutoff)
        report.segments += segments
        report.objects += objects
        # Archive thumbnails and previews cached from those segments go with them.
        with session_factory() as session:
            for stream_id in touched:
                report.objects += prune_archive_cache(session, store, stream_id)
        exports, objects = expire_exports(session_factory, store, users, cutoff)
        report.exports += exports
        report.objects += objects
        with session_factory() as session:
            report.transcripts += _count_delete(
                session,
                delete(TranscriptSegment).where(
                    TranscriptSegment.stream_id.in_(streams), TranscriptSegment.created_at < cutoff
                ),
            )
            report.chat_messages += _count_delete(
                session,
                delete(ChatMessage).where(
                    ChatMessage.stream_id.in_(streams), ChatMessage.received_at < cutoff
                ),
            )
            # An ended stream with nothing left in it is gone too.
            empty = select(Stream.id).where(
                Stream.id.in_(streams),
                Stream.status == StreamStatus.ENDED,
                or_(Stream.ended_at.is_(None), Stream.ended_at < cutoff),
                ~exists().where(Segment.stream_id == Stream.id),
                ~exists().where(Clip.stream_id == Stream.id),
            )
            ids = list(session.scalars(empty))
            if ids:
                report.streams += _count_delete(session, delete(Stream).where(Stream.id.in_(ids)))
            session.commit()
    with session_factory() as session:
        # Spent sessions are not user data under retention, but they pile up the same way.
        report.refresh_tokens = purge_expired_refresh_tokens(session, now)
        # The delivery log has its own rule (webhooks.deliveries), the same on every plan.
        report.webhook_deliveries = prune_deliveries(session, now)
        session.commit()
    return report


def _count_delete(session: Session, stmt: object) -> int:
    result = session.execute(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


def _orphan_ids(
    session_factory: sessionmaker[Session], store: ObjectStore, prefix: str, depth: int, table: Any
) -> set[tuple[str, ...]]:
    """Path parts (after ``prefix``, ``depth`` deep, last one an id) whose row is gone."""
    found = {
        tuple(key[len(prefix) :].split("/")[:depth])
        for key in store.list(prefix)
        if key[len(prefix) :].count("/") >= depth
    }
    found = {parts for parts in found if all(p.isdigit() for p in parts)}
    if not found:
        return set()
    ids = {int(parts[-1]) for parts in found}
    with session_factory() as session:
        alive = {str(i) for i in session.scalars(select(table.id).where(table.id.in_(ids)))}
    return {parts for parts in found if parts[-1] not in alive}


def sweep_orphans(session_factory: sessionmaker[Session], store: ObjectStore) -> int:
    """Delete objects whose row is gone (a stream's, an export job's, a user's logos);
    returns how many.

    Rows are deleted before their objects, so a crash in between leaves objects under
    ``streams/<id>/`` or ``exports/<user>/<job>/`` that nothing points at any more.
    """
    # Keys are matched as text (``storage.keys`` layout), so ``streams/007/`` is its own prefix.
    deleted = 0
    for (sid,) in sorted(_orphan_ids(session_factory, store, "streams/", 1, Stream)):
        deleted += store.delete_prefix(f"streams/{sid}/")
    for uid, jid in sorted(_orphan_ids(session_factory, store, "exports/", 2, ExportJob)):
        deleted += store.delete_prefix(f"exports/{uid}/{jid}/")
    # A deleted account's logos (its settings row, which pointed at them, went with it).
    for (uid,) in sorted(_orphan_ids(session_factory, store, "branding/", 1, User)):
        deleted += store.delete_prefix(f"branding/{uid}/")
    return deleted


def demote_hot_segments(session_factory: sessionmaker[Session], hot_window_seconds: float) -> int:
    """Move segments that left their stream's hot window to the cold tier; returns how many."""
    # One UPDATE instead of loading rows: the WHERE clause is ``leaves_hot_window`` in SQL
    # (tests check the two agree segment by segment).
    with session_factory() as session:
        newest = (
            select(Stream.received_until).where(Stream.id == Segment.stream_id).scalar_subquery()
        )
        result = session.execute(
            update(Segment)
            .where(
                Segment.tier == SegmentTier.HOT,
                and_(newest - (Segment.start_time + Segment.duration) > hot_window_seconds),
            )
            .values(tier=SegmentTier.COLD)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def sweep_once(
    session_factory: sessionmaker[Session],
    store: ObjectStore,
    *,
    hot_window_seconds: float = 300.0,
    now: datetime | None = None,
) -> SweepReport:
    """One retention pass (the periodic job): tier, expire, then sweep orphans."""
    demote_hot_segments(session_factory, hot_window_seconds)
    report = sweep_expired(session_factory, store, now or utcnow())
    report.objects += sweep_orphans(session_factory, store)
    if report.segments or report.clips or report.streams:
        log.info("retention: %s", report)
    return report
