"""Settings: every knob has an environment variable ``CLIPPY_<NAME>``.

Nothing else in the package reads ``os.environ``; code receives a ``Settings``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    """All configuration, with embedded defaults that need no keys or servers."""

    model_config = SettingsConfigDict(env_prefix="CLIPPY_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""  # empty: SQLite file under data_dir
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # base URL used in links sent to clients; empty: derived from request
    secret_key: str = ""  # empty: generated once and kept in data_dir/secret.key
    log_level: str = "info"

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        # Tokens, session cookies and signed links all hang on this key: a short one can be
        # brute-forced offline from any token, so refuse it at start-up rather than run weak.
        if value and len(value) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"CLIPPY_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "(or leave it empty to have one generated)"
            )
        return value

    # Auth
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # Throttling of log-in, sign-up, refresh and password change (per window): failed
    # attempts per account, failed attempts per client address, sign-ups per address.
    auth_throttle_window_seconds: float = Field(default=900.0, gt=0)
    auth_account_attempts: int = Field(default=10, ge=1)
    auth_address_attempts: int = Field(default=50, ge=1)
    auth_address_signups: int = Field(default=20, ge=1)
    password_hash_concurrency: int = Field(default=1, ge=1)  # argon2 takes 64 MiB per hash
    # Request bodies: JSON API calls, dashboard forms and Stripe events (bytes). The logo
    # upload has its own limit (2 MB); segments arrive over the WebSocket, not as bodies.
    max_json_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_form_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # /metrics: with a token, scrapers send "Authorization: Bearer <token>"; without one
    # only clients on this machine (loopback) may read it.
    metrics_token: str = ""

    # Object storage: local directory unless an S3 bucket is configured.
    storage_dir: Path | None = None  # default data_dir/objects
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "auto"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_prefix: str = ""

    # Ingest
    max_segment_bytes: int = 50 * 1024 * 1024
    max_seq_gap: int = 1000  # a sequence number this far past the last one is refused
    hot_window_seconds: float = 300.0
    default_segment_seconds: float = 10.0

    # Retention
    retention_interval_seconds: float = 600.0

    # Pipeline
    pipeline_enabled: bool = True
    pipeline_workers: int = Field(default=1, ge=1)
    pipeline_queue_size: int = Field(default=64, ge=1)
    pipeline_max_attempts: int = Field(default=3, ge=1)
    # A segment's mezzanine (most of its CPU) is made after its detection unless a segment has
    # waited this long; a skipped one is made when a cut or the archive first needs it.
    pipeline_mezzanine_defer_seconds: float = Field(default=5.0, ge=0.0)
    # A stream's waiting segments (a worker fell behind) are recognised together, this many
    # at most: Whisper pads each window to 30 s, so three 10 s segments in one call cost about
    # a third of three calls. More than 30 s of audio lost words (measured); 1 turns it off.
    pipeline_batch_segments: int = Field(default=3, ge=1)

    # Background jobs (pipeline, exports, webhooks, retention): "embedded" runs them in this
    # process (the default, no PostgreSQL needed); "procrastinate" stores them in PostgreSQL
    # for `clippy worker` processes on any machines.
    job_backend: Literal["embedded", "procrastinate"] = "embedded"
    # False on an ingest/API node (`clippy serve --no-worker`): jobs are deferred, never run.
    run_jobs: bool = True
    # Several nodes on PostgreSQL need one object store: S3, or a data dir they all mount
    # (e.g. NFS) declared here. A worker or --no-worker node refuses the local disk otherwise.
    shared_data_dir: bool = False
    job_heartbeat_seconds: float = Field(default=10.0, gt=0)  # a worker says it is alive
    job_stalled_seconds: float = Field(default=30.0, gt=0)  # silent this long: jobs retried

    # Speech recognition: "faster-whisper" (offline default), "pocketsphinx", "openai", "none"
    transcriber: str = "faster-whisper"
    whisper_model: str = "tiny.en"  # bundled: tiny.en (default), base (the [whisper-base] extra)
    whisper_model_dir: Path | None = None  # a CTranslate2 model of your own (overrides the above)
    whisper_compute_type: str = "int8"
    whisper_language: str = ""  # empty: English for .en models, detected per window otherwise
    whisper_beam_size: int = Field(default=1, ge=1)
    whisper_threads: int = Field(default=0, ge=0)  # 0: CTranslate2 picks (one per core)
    openai_api_key: str = ""
    openai_base_url: str = "https://api.groq.com/openai/v1"
    openai_transcribe_model: str = "whisper-large-v3-turbo"
    # Live segments are recognised with this much of the previous one's end before them (0: off)
    transcribe_overlap_seconds: float = Field(default=1.0, ge=0.0, le=5.0)

    # Detection
    detect_window_seconds: float = 150.0
    # Clip length for users and streams that have not chosen one, and for `clippy process`
    # (short 15-30 s, medium 30-60 s, long 60-90 s; see clippy.detect.clip_length).
    clip_length: Literal["short", "medium", "long"] = "medium"
    # `clippy process` copies a clip's packets from the keyframe at most this many seconds
    # before its start (a streaming setup keys every 2 s); 0: re-encode every clip exactly.
    process_keyframe_lead_seconds: float = Field(default=4.0, ge=0.0)
    detect_threshold: float = 1.0
    key_phrases: str = ""  # comma-separated extra phrases, added to the built-in list
    clip_command: str = "!clip"  # viewers' chat command that makes a clip ("" turns it off)
    clip_command_viewers: int = Field(default=2, ge=1)  # distinct senders within 20 s

    # Optional LLM judge (any OpenAI-compatible chat API)
    llm_api_key: str = ""
    llm_base_url: str = "https://api.groq.com/openai/v1"
    llm_model: str = "llama-3.3-70b-versatile"
    # The model asked whether a callback really refers to the retrieved earlier moment
    # ("" = llm_model); the "complex" cases can go to a bigger one.
    llm_context_model: str = ""
    # Memory also matches a callback to a paraphrase by sentence embeddings (all-MiniLM-L6-v2,
    # requirements/embeddings.txt); off, it matches by words (see docs/memory.md).
    memory_embeddings: bool = False
    llm_timeout_seconds: float = Field(default=20.0, gt=0)  # past this a clip keeps its score

    # Exports
    export_concurrency: int = Field(default=1, ge=1)  # renders at once (each uses all cores)
    export_max_attempts: int = Field(default=2, ge=1)
    export_retry_seconds: float = 2.0
    export_link_seconds: int = 24 * 3600  # how long a download link works
    webhook_attempts: int = Field(default=5, ge=1)
    webhook_backoff_seconds: float = 2.0  # doubles after each failed delivery
    # Hosts, IPs or CIDRs webhooks may call although they are not public (a LAN receiver);
    # comma-separated. Empty: public internet addresses only.
    egress_allow_hosts: str = ""

    # Billing: "manual" (an admin runs `clippy user set-plan`) or "stripe"
    billing_provider: Literal["manual", "stripe"] = "manual"
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""  # whsec_…, verifies the Stripe-Signature header
    stripe_api_base: str = "https://api.stripe.com"
    stripe_price_pro: str = ""  # price_… of the Pro subscription
    stripe_price_business: str = ""
    # What each paid plan costs, as shown on the landing and billing pages (any currency).
    price_pro: str = "$19 / month"
    price_business: str = "$49 / month"
    # Who to contact about plans on a manually billed server (an e-mail or a URL); optional.
    billing_contact: str = ""

    # The extension zip handed out on "Get the extension" (scripts/setup.sh writes it);
    # empty: extension/clippy-extension.zip of this checkout.
    extension_bundle: Path | None = None

    # Abandoned streams: a live stream with no connected client and no segment for this long
    # is ended, with its final detection pass, exactly as after 'stop'. Longer than the
    # extension's resend window (it holds 5 minutes of segments), so a reconnect resumes.
    stream_idle_timeout_seconds: float = Field(default=900.0, gt=0)
    stream_idle_check_seconds: float = Field(default=30.0, gt=0)
    # Recording a channel by URL (record/): a source unreachable this long counts as offline
    # and its stream ends (final detection); anonymous Twitch chat is read from this server.
    record_offline_seconds: float = Field(default=120.0, gt=0)
    twitch_irc_url: str = "irc://irc.chat.twitch.tv:6667"
    # A starting server resumes recordings left under way; `clippy record` runs only its own.
    record_resume: bool = True
    # How often a node looks for recordings stopped through another node, and (PostgreSQL)
    # for recordings under way that no node runs any more (record/claims.py).
    record_watch_seconds: float = Field(default=5.0, gt=0)

    # Publishing to YouTube and TikTok (docs/publish.md). A platform is offered once its
    # OAuth client is set. The URLs are the platforms' documented endpoints; tests and
    # proxies point them elsewhere.
    youtube_client_id: str = ""
    youtube_client_secret: str = ""
    youtube_auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    youtube_token_url: str = "https://oauth2.googleapis.com/token"
    youtube_api_base: str = "https://www.googleapis.com"  # /upload/youtube/v3, /youtube/v3
    tiktok_client_key: str = ""
    tiktok_client_secret: str = ""
    tiktok_auth_url: str = "https://www.tiktok.com/v2/auth/authorize/"
    tiktok_api_base: str = "https://open.tiktokapis.com"  # /v2/oauth/token/, /v2/post/...
    publish_check_seconds: float = Field(default=15.0, gt=0)  # scheduler wake-up interval
    publish_max_attempts: int = Field(default=5, ge=1)  # per publication, then "failed"
    publish_backoff_seconds: float = Field(default=30.0, ge=0)  # doubles after each failure
    # Bytes per upload request. YouTube wants multiples of 256 KiB; TikTok 5-64 MB chunks.
    publish_chunk_bytes: int = Field(default=8 * 1024 * 1024, ge=256 * 1024)
    publish_timeout_seconds: float = Field(default=120.0, gt=0)  # one HTTP request

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL in force: the configured one, else SQLite under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'clippy.db').resolve()}"

    @property
    def resolved_storage_dir(self) -> Path:
        """Root directory of the local object store."""
        return self.storage_dir or self.data_dir / "objects"

    @property
    def resolved_extension_bundle(self) -> Path:
        """The extension zip the dashboard hands out."""
        repo = Path(__file__).resolve().parents[2]
        return self.extension_bundle or repo / "extension" / "clippy-extension.zip"

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once and persisted in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        import secrets

        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(key)
        tmp.replace(path)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings read from the environment."""
    return Settings()
