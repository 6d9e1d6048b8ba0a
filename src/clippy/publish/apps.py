"""The operator's OAuth clients and the platforms' endpoints, from ``Settings``."""

from __future__ import annotations

from dataclasses import dataclass

from clippy.config import Settings

__all__ = ["PLATFORM_LABELS", "PlatformApp", "PublishConfig"]

PLATFORM_LABELS = {"youtube": "YouTube", "tiktok": "TikTok"}


@dataclass(frozen=True)
class PlatformApp:
    """One platform's OAuth client and base URLs."""

    platform: str
    client_id: str
    client_secret: str
    auth_url: str
    token_url: str
    api_base: str

    @property
    def configured(self) -> bool:
        """Whether the operator registered an OAuth client for this platform."""
        return bool(self.client_id and self.client_secret)

    @property
    def label(self) -> str:
        """The platform's name as people write it."""
        return PLATFORM_LABELS[self.platform]


@dataclass(frozen=True)
class PublishConfig:
    """Everything publishing needs from the settings."""

    youtube: PlatformApp
    tiktok: PlatformApp
    chunk_bytes: int = 8 * 1024 * 1024
    max_attempts: int = 5
    backoff_seconds: float = 30.0
    timeout_seconds: float = 120.0
    check_seconds: float = 15.0
    # Quick retries inside one attempt (a dropped connection mid-chunk) before the attempt
    # counts as failed and waits ``backoff_seconds``.
    chunk_retries: int = 3
    chunk_retry_pause: float = 1.0

    @classmethod
    def from_settings(cls, s: Settings) -> PublishConfig:
        """The configuration in force for ``s``."""
        return cls(
            youtube=PlatformApp(
                "youtube",
                s.youtube_client_id,
                s.youtube_client_secret,
                s.youtube_auth_url,
                s.youtube_token_url,
                s.youtube_api_base.rstrip("/"),
            ),
            tiktok=PlatformApp(
                "tiktok",
                s.tiktok_client_key,
                s.tiktok_client_secret,
                s.tiktok_auth_url,
                s.tiktok_api_base.rstrip("/") + "/v2/oauth/token/",
                s.tiktok_api_base.rstrip("/"),
            ),
            chunk_bytes=s.publish_chunk_bytes,
            max_attempts=s.publish_max_attempts,
            backoff_seconds=s.publish_backoff_seconds,
            timeout_seconds=s.publish_timeout_seconds,
            check_seconds=s.publish_check_seconds,
            chunk_retry_pause=min(1.0, s.publish_backoff_seconds),
        )

    def app(self, platform: str) -> PlatformApp:
        """The app of ``platform``; ``KeyError`` for an unknown one."""
        apps = {"youtube": self.youtube, "tiktok": self.tiktok}
        return apps[platform]
