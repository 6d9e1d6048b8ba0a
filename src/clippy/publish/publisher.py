"""``publish_one``: move one publication as far as it can go, safe to call any number of
times and from several processes (a lease on the row keeps two workers apart).

One call is one attempt: refresh the token when it is about to expire, upload (resuming
whatever the platform already holds), and record the outcome. A 401 refreshes the token
and tries once more; a retryable failure (5xx, network) waits ``backoff * 2**n`` before
the next attempt, up to ``max_attempts``; anything else (a quota, a refused video) fails
at once with the platform's message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from clippy.db import ExportJob, PlatformConnection, Publication, PublicationStatus, utcnow
from clippy.errors import ClippyError
from clippy.publish.apps import PublishConfig
from clippy.publish.connections import fresh_token, refresh_connection
from clippy.publish.crypto import TokenBox
from clippy.publish.errors import AuthExpired, PlatformError
from clippy.publish.tiktok import fetch_status
from clippy.publish.tiktok import outcome as tiktok_outcome
from clippy.publish.tiktok import upload as tiktok_upload
from clippy.publish.upload import Outcome, UploadJob, UploadState, VideoMeta
from clippy.publish.youtube import upload as youtube_upload
from clippy.storage import ObjectNotFound, ObjectStore

__all__ = ["Publisher", "due_publications"]

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # renewed after every chunk; a dead worker's row frees itself
_OPEN = (PublicationStatus.QUEUED, PublicationStatus.UPLOADING, PublicationStatus.PROCESSING)


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Publication.status.in_(_OPEN),
        Publication.scheduled_at <= now,
        or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at <= now),
        or_(Publication.claimed_until.is_(None), Publication.claimed_until < now),
    )


def due_publications(session: Session, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Ids of publications whose time has come and that no worker holds, oldest first."""
    rows = session.scalars(
        select(Publication.id)
        .where(*_due(now or utcnow()))
        .order_by(Publication.scheduled_at, Publication.id)
        .limit(limit)
    )
    return list(rows)


@dataclass
class Publisher:
    """Everything ``publish_one`` needs; built once per process."""

    session_factory: sessionmaker[Session]
    store: ObjectStore
    box: TokenBox
    config: PublishConfig
    sleep: Callable[[float], None] = field(default=time.sleep)

    def publish_one(self, publication_id: int) -> str | None:
        """One attempt at the publication; its status afterwards (``None`` when it was not
        due or another worker holds it)."""
        now = utcnow()
        with self.session_factory() as session:
            claimed = session.execute(
                update(Publication)
                .where(Publication.id == publication_id, *_due(now))
                .values(claimed_until=now + LEASE)
            )
            session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            pub = session.get(Publication, publication_id)
            assert pub is not None
            try:
                self._attempt(session, pub)
            except PlatformError as exc:
                session.rollback()
                self._failed(session, publication_id, str(exc), retryable=exc.retryable)
            except ClippyError as exc:
                session.rollback()
                self._failed(session, publication_id, str(exc), retryable=False)
            except Exception as exc:  # a bug or a disk error: counted, retried, never lost
                log.exception("publication %s", publication_id)
                session.rollback()
                self._failed(session, publication_id, f"internal error: {exc}", retryable=True)
            pub = session.get(Publication, publication_id)
            assert pub is not None
            pub.claimed_until = None
            session.commit()
            return str(pub.status)

    def _attempt(self, session: Session, pub: Publication) -> None:
        app = self.config.app(pub.platform)
        conn = session.scalars(
            select(PlatformConnection).where(
                PlatformConnection.user_id == pub.user_id,
                PlatformConnection.platform == pub.platform,
            )
        ).first()
        if conn is None:
            raise PlatformError(
                f"no {app.label} account is connected; connect one and publish again",
                retryable=False,
            )
        export = session.get(ExportJob, pub.export_id) if pub.export_id else None
        if export is None or not export.result_key:
            raise PlatformError(
                "the export file is gone (exports expire); export the clip again and publish",
                retryable=False,
            )
        with httpx.Client(timeout=self.config.timeout_seconds) as http:
            token, refreshed = fresh_token(session, self.box, app, http, conn)
            try:
                with self.store.open_local(export.result_key) as path:
                    while True:
                        try:
                            result = self._upload(session, pub, http, token, path, conn.handle)
                            break
                        except AuthExpired:
                            if refreshed:
                                raise
                            token, refreshed = (
                                refresh_connection(session, self.box, app, http, conn),
                                True,
                            )
            except ObjectNotFound as exc:
                raise PlatformError(
                    "the export file is gone (exports expire); export the clip again",
                    retryable=False,
                ) from exc
        self._record(session, pub, result)

    def _upload(
        self,
        session: Session,
        pub: Publication,
        http: httpx.Client,
        token: str,
        path: Path,
        handle: str,
    ) -> Outcome:
        if pub.status == PublicationStatus.QUEUED:
            pub.status = PublicationStatus.UPLOADING
            pub.total_bytes = path.stat().st_size
            session.commit()

        def save(state: UploadState) -> None:
            pub.upload_url, pub.remote_id, pub.uploaded_bytes = (
                state.upload_url,
                state.remote_id,
                state.sent,
            )
            pub.claimed_until = utcnow() + LEASE
            session.commit()

        job = UploadJob(
            http=http,
            api_base=self.config.app(pub.platform).api_base,
            access_token=token,
            path=path,
            meta=VideoMeta(pub.title, pub.description, tuple(pub.tags), pub.privacy),
            state=UploadState(pub.upload_url, pub.remote_id, pub.uploaded_bytes),
            save=save,
            chunk_bytes=self.config.chunk_bytes,
            chunk_retries=self.config.chunk_retries,
            chunk_retry_pause=self.config.chunk_retry_pause,
            sleep=self.sleep,
        )
        if pub.platform == "youtube":
            return youtube_upload(job)
        if pub.status == PublicationStatus.PROCESSING and pub.remote_id:
            done = tiktok_outcome(pub.remote_id, fetch_status(job), handle)
            return done or Outcome(pub.remote_id, False)
        return tiktok_upload(job, handle)

    def _record(self, session: Session, pub: Publication, outcome: Outcome) -> None:
        pub.remote_id = outcome.remote_id
        pub.error = None
        if outcome.published:
            pub.status = PublicationStatus.PUBLISHED
            pub.video_url = outcome.video_url
            pub.published_at = utcnow()
            pub.next_attempt_at = None
        else:
            # The platform is still ingesting: look again after one check interval.
            pub.status = PublicationStatus.PROCESSING
            pub.next_attempt_at = utcnow() + timedelta(seconds=self.config.check_seconds)
        session.commit()
        log.info("publication %s: %s", pub.id, pub.status)

    def _failed(
        self, session: Session, publication_id: int, message: str, *, retryable: bool
    ) -> None:
        pub = session.get(Publication, publication_id)
        assert pub is not None
        pub.attempts += 1
        pub.error = message
        if retryable and pub.attempts < self.config.max_attempts:
            wait = self.config.backoff_seconds * 2 ** (pub.attempts - 1)
            pub.next_attempt_at = utcnow() + timedelta(seconds=wait)
            if pub.status == PublicationStatus.UPLOADING and not pub.upload_url:
                pub.status = PublicationStatus.QUEUED
        else:
            pub.status = PublicationStatus.FAILED
            pub.next_attempt_at = None
        session.commit()
        log.warning("publication %s attempt %s: %s", pub.id, pub.attempts, message)
