"""The relational schema. One module so Alembic and readers see the whole model at once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from clippy.db.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    """Declarative base for every table."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    plan: Mapped[str] = mapped_column(String(20), default="free")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")  # owner | member
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")


class TeamInvite(Base):
    """An invitation link sent to one address; it stays ``pending`` until accepted, revoked by
    the owner, or replaced by a newer invitation for the same address."""

    __tablename__ = "team_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # accepted | revoked
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    accepted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ConnectedBrowser(Base):
    """A browser extension paired with an account (or waiting to be): its own revocable key.

    A row starts as a pairing request (``user_id`` empty) that the extension polls with its
    claim secret; a signed-in user approves it on the dashboard; the extension's next poll
    receives the credential once (only its hash is kept in ``key_hash``).
    """

    __tablename__ = "browsers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None
    )
    name: Mapped[str] = mapped_column(String(120), default="")
    pair_code: Mapped[str] = mapped_column(String(16), index=True)
    claim_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    key_hash: Mapped[str | None] = mapped_column(String(128), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Stream(Base):
    __tablename__ = "streams"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    client_stream_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    page_url: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
    video_region: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    segment_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    status: Mapped[str] = mapped_column(String(20), default="live")  # live | ended
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    last_segment_at: Mapped[datetime | None] = mapped_column(default=None)
    # Refreshed by every node's idle check while it holds a connection of the stream: a node
    # sees only its own sockets, and this tells the others the client is still there.
    client_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    # Stream-time seconds received so far (end of the latest segment).
    received_until: Mapped[float] = mapped_column(Float, default=0.0)
    # Choices made for this stream: the export layout ("layout") and clip length ("clip_length").
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")

    __table_args__ = (UniqueConstraint("user_id", "client_stream_id"),)


class Recording(Base):
    """A channel the server records by URL, or a video it imports by link.

    Its segments go into ``stream_id`` (a stream like the extension's), so everything after
    ingest is the same. ``status`` is a ``RecordingStatus``; ``progress`` (0..1) is how much of
    an import is stored; ``error`` is the last problem in one line (a drop, a refusal).
    """

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # channel | import
    url: Mapped[str] = mapped_column(Text)
    chat: Mapped[str] = mapped_column(String(500), default="")  # irc://host:port/#channel
    status: Mapped[str] = mapped_column(String(20), default="starting")
    stream_id: Mapped[int | None] = mapped_column(
        ForeignKey("streams.id", ondelete="SET NULL"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("stream_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float] = mapped_column(Float)  # stream-time seconds
    duration: Mapped[float] = mapped_column(Float)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(500))
    tier: Mapped[str] = mapped_column(String(10), default="hot")  # hot | archive
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Pipeline state: pending | processing | done | failed
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # Per-second audio features (loudness dB, pitch variance, ...) kept for detection and the
    # archive browser's loudness curve.
    features: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class TranscriptSegment(Base):
    __tablename__ = "transcript_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True, default=None
    )
    chunk_id: Mapped[str] = mapped_column(String(64))
    start_time: Mapped[float] = mapped_column(Float)
    end_time: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(40), default="server")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (
        Index("ix_transcript_stream_time", "stream_id", "start_time"),
        UniqueConstraint("stream_id", "chunk_id", "source"),
    )


class ChatMessage(Base):
    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    time: Mapped[float] = mapped_column(Float)  # stream-time seconds
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The sender's badges the page showed, comma-separated ("moderator", "broadcaster").
    badges: Mapped[str] = mapped_column(String(200), default="", server_default="")

    __table_args__ = (Index("ix_chat_stream_time", "stream_id", "time"),)


class Clip(Base):
    __tablename__ = "clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    peak_time: Mapped[float | None] = mapped_column(Float, default=None)
    source: Mapped[str] = mapped_column(String(20), default="auto")  # auto | manual | trim
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | ready | failed
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    file_key: Mapped[str | None] = mapped_column(String(500), default=None)
    thumb_key: Mapped[str | None] = mapped_column(String(500), default=None)
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The words spoken inside the clip's ranges, set when it is rendered: the gallery's
    # full-text index (migration 0004) searches this instead of the whole transcript.
    transcript_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    ranges: Mapped[list[ClipRange]] = relationship(
        back_populates="clip", cascade="all, delete-orphan", order_by="ClipRange.position"
    )


class ClipTag(Base):
    """One of a clip's user-given tags (``clips.tags``), kept in the order typed."""

    __tablename__ = "clip_tags"
    __table_args__ = (Index("ix_clip_tags_tag", "tag", "clip_id"),)

    clip_id: Mapped[int] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ClipRange(Base):
    __tablename__ = "clip_ranges"

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    start: Mapped[float] = mapped_column(Float)  # stream-time seconds
    end: Mapped[float] = mapped_column(Float)
    # A range from another stream of the same owner (an earlier broadcast a callback refers
    # to, see clippy.memory); ``None``: the clip's own stream.
    stream_id: Mapped[int | None] = mapped_column(
        ForeignKey("streams.id", ondelete="CASCADE"), default=None, index=True
    )

    clip: Mapped[Clip] = relationship(back_populates="ranges")


class UsageCounter(Base):
    __tablename__ = "usage_counters"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    recording_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    clips: Mapped[int] = mapped_column(Integer, default=0)
    exports: Mapped[int] = mapped_column(Integer, default=0)


class ClipStats(Base):
    """How often a clip was watched and downloaded from the dashboard (analytics)."""

    __tablename__ = "clip_stats"

    clip_id: Mapped[int] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(Integer, default=0)
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class ClipCaption(Base):
    """The user's edited caption lines of a clip (clip-relative seconds) and caption style."""

    __tablename__ = "clip_captions"

    clip_id: Mapped[int] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True
    )
    # [{"start": s, "end": s, "text": "..."}, ...] in clip time, in order.
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    style: Mapped[str] = mapped_column(String(40), default="clean")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# The gallery lists a user's clips newest first; this index serves that order directly.
Index("ix_clips_user_created", Clip.user_id, Clip.created_at)


class ExportJob(Base):
    """One export (a clip to a preset) or one batch (many clips x presets into a zip)."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clip_id: Mapped[int | None] = mapped_column(
        ForeignKey("clips.id", ondelete="CASCADE"), index=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(10), default="single")  # single | batch
    preset: Mapped[str] = mapped_column(String(40), default="")
    # single: ExportOptions; batch: {"clip_ids": [...], "presets": [...], "options": {...}}
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # queued | running | done | failed | canceled
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result_key: Mapped[str | None] = mapped_column(String(500), default=None)
    result_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Sidecars and details: {"srt": key, "vtt": key, "width": .., "height": .., "duration": ..}
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class Webhook(Base):
    """A business account's endpoint for event notifications, signed with ``secret``."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event sent to one webhook: a row per delivery, updated after every attempt."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[str] = mapped_column(String(64))  # the body's "id" (receivers dedupe on it)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)  # last HTTP answer
    error: Mapped[str | None] = mapped_column(Text, default=None)  # last failure, if any
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)  # last attempt
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


# Settings and the API list a webhook's deliveries newest first; retention trims the same way.
Index("ix_webhook_deliveries_recent", WebhookDelivery.webhook_id, WebhookDelivery.created_at)


class PlatformConnection(Base):
    """A user's connected YouTube channel or TikTok account: its OAuth tokens, encrypted
    with a key derived from the server secret (``clippy.publish.crypto``)."""

    __tablename__ = "platform_connections"
    __table_args__ = (UniqueConstraint("user_id", "platform", name="uq_connection_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))  # youtube | tiktok
    account_id: Mapped[str] = mapped_column(String(200), default="")  # channel id / open_id
    account_name: Mapped[str] = mapped_column(String(200), default="")
    handle: Mapped[str] = mapped_column(String(200), default="")  # TikTok @username (URLs)
    tokens: Mapped[str] = mapped_column(Text)  # Fernet token of {"access_token", "refresh_token"}
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # of the access token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(Base):
    """One export posted (or to be posted, at ``scheduled_at``) to one platform.

    The row is the upload's whole state: a resumed attempt reads the session URI and the
    byte count the platform acknowledged from here, so a restart never starts over."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    export_id: Mapped[int | None] = mapped_column(
        ForeignKey("export_jobs.id", ondelete="SET NULL"), default=None
    )
    platform: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    privacy: Mapped[str] = mapped_column(String(20), default="private")
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # queued | uploading | processing | published | failed | canceled (db.status)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)  # the platform's message
    upload_url: Mapped[str | None] = mapped_column(Text, default=None)  # resumable session
    remote_id: Mapped[str | None] = mapped_column(String(200), default=None)  # video/publish id
    uploaded_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    total_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    video_url: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)  # a worker's lease
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


# The scheduler asks for due rows by status and time.
Index("ix_publications_due", Publication.status, Publication.scheduled_at)
