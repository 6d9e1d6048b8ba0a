"""The job steps' knobs, read from ``Settings`` (the same for every backend)."""

from __future__ import annotations

from clippy.config import Settings
from clippy.export import ExportConfig
from clippy.webhooks import EgressPolicy, SenderConfig

__all__ = ["export_config", "sender_config"]


def sender_config(settings: Settings) -> SenderConfig:
    """Webhook delivery knobs."""
    return SenderConfig(
        attempts=settings.webhook_attempts,
        backoff=settings.webhook_backoff_seconds,
        public_url=settings.public_url,
        policy=EgressPolicy.from_setting(settings.egress_allow_hosts),
    )


def export_config(settings: Settings) -> ExportConfig:
    """Export attempt knobs."""
    return ExportConfig(
        concurrency=settings.export_concurrency,
        max_attempts=settings.export_max_attempts,
        retry_seconds=settings.export_retry_seconds,
        link_seconds=settings.export_link_seconds,
        public_url=settings.public_url,
    )
