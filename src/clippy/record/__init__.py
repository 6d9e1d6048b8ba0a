"""Recording without a browser tab: a live channel by URL (HLS, streamlink), its chat over IRC,
and a finished video imported by link (yt-dlp), all fed into the ingest path.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.record.feed import SEGMENT_SECONDS, Grouper, RecordParts, SegmentJobs, StreamFeed
from clippy.record.hls import HlsError, MediaPlaylist, MediaSegment, Variant, parse_playlist
from clippy.record.importer import import_video, split_pieces
from clippy.record.irc import ChatMessage, IrcUrlError, parse_irc_url, read_chat
from clippy.record.links import FetchedVideo, LinkError, fetch_video, read_live_chat
from clippy.record.puller import Chunk, HlsPuller, SourceOffline
from clippy.record.recorder import record_channel
from clippy.record.recordings import (
    RecordingKind,
    active_recordings,
    create_recording,
    list_recordings,
    mark_stopped,
    visible_recording,
)
from clippy.record.registry import Recorders
from clippy.record.sources import (
    ChannelOffline,
    UnsupportedSource,
    chat_url_for,
    check_record_url,
    is_hls_url,
    twitch_channel,
)

__all__ = [
    "SEGMENT_SECONDS",
    "ChannelOffline",
    "ChatMessage",
    "Chunk",
    "FetchedVideo",
    "Grouper",
    "HlsError",
    "HlsPuller",
    "IrcUrlError",
    "LinkError",
    "MediaPlaylist",
    "MediaSegment",
    "RecordParts",
    "Recorders",
    "RecordingKind",
    "SegmentJobs",
    "SourceOffline",
    "StreamFeed",
    "UnsupportedSource",
    "Variant",
    "active_recordings",
    "chat_url_for",
    "check_record_url",
    "create_recording",
    "fetch_video",
    "import_video",
    "is_hls_url",
    "list_recordings",
    "mark_stopped",
    "parse_irc_url",
    "parse_playlist",
    "read_chat",
    "read_live_chat",
    "record_channel",
    "split_pieces",
    "twitch_channel",
    "visible_recording",
]
