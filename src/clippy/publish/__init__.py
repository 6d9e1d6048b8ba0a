"""Publishing exports to YouTube (Shorts) and TikTok: OAuth connections with encrypted
tokens, resumable uploads, scheduled publications and the sweep the job layer runs.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.publish.apps import PLATFORM_LABELS, PlatformApp, PublishConfig
from clippy.publish.connections import connections_of, disconnect, save_connection
from clippy.publish.crypto import TokenBox, TokensUnreadable
from clippy.publish.errors import (
    AuthExpired,
    ConnectionMissing,
    PlatformError,
    PlatformNotConfigured,
    PublicationNotFound,
    PublishInvalid,
)
from clippy.publish.oauth import Account, TokenGrant, account_of, authorization_url, exchange_code
from clippy.publish.publisher import Publisher, due_publications
from clippy.publish.requests import (
    PRIVACY_CHOICES,
    cancel_publication,
    check_meta,
    create_publication,
    publications_by_clip,
    published_per_platform,
)
from clippy.publish.scheduler import publish_due
from clippy.publish.tiktok import chunk_plan
from clippy.publish.upload import VideoMeta

__all__ = [
    "PLATFORM_LABELS",
    "PRIVACY_CHOICES",
    "Account",
    "AuthExpired",
    "ConnectionMissing",
    "PlatformApp",
    "PlatformError",
    "PlatformNotConfigured",
    "PublicationNotFound",
    "PublishConfig",
    "PublishInvalid",
    "Publisher",
    "TokenBox",
    "TokenGrant",
    "TokensUnreadable",
    "VideoMeta",
    "account_of",
    "authorization_url",
    "cancel_publication",
    "check_meta",
    "chunk_plan",
    "connections_of",
    "create_publication",
    "disconnect",
    "due_publications",
    "exchange_code",
    "publications_by_clip",
    "publish_due",
    "published_per_platform",
    "save_connection",
]
