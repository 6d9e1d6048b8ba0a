"""WebSocket ingest: protocol, durable segment storage, acknowledgement, hot window.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.ingest.expiry import expire_segments
from clippy.ingest.idle import LiveConnections, run_idle_loop
from clippy.ingest.limits import CHAT_BURST_LINES, CHAT_LINES_PER_SECOND, TokenBucket, segment_limit
from clippy.ingest.protocol import (
    PROTOCOL_VERSION,
    Chat,
    ClientTranscript,
    Hello,
    ProtocolError,
    Region,
    SegmentHeader,
    Simple,
    Start,
    decode_segment_frame,
    error_event,
    event,
    parse_text_message,
    to_ranges,
)
from clippy.ingest.segments import StoredSegment, store_segment
from clippy.ingest.streams import (
    acked_seqs,
    add_chat,
    add_client_transcript,
    delete_stream,
    end_stream,
    list_segments,
    list_streams,
    segment_counts,
    start_stream,
    stream_titles,
    update_region,
    visible_stream,
)

__all__ = [
    "CHAT_BURST_LINES",
    "CHAT_LINES_PER_SECOND",
    "PROTOCOL_VERSION",
    "Chat",
    "ClientTranscript",
    "Hello",
    "LiveConnections",
    "ProtocolError",
    "Region",
    "SegmentHeader",
    "Simple",
    "Start",
    "StoredSegment",
    "TokenBucket",
    "acked_seqs",
    "add_chat",
    "add_client_transcript",
    "decode_segment_frame",
    "delete_stream",
    "end_stream",
    "error_event",
    "event",
    "expire_segments",
    "list_segments",
    "list_streams",
    "parse_text_message",
    "run_idle_loop",
    "segment_counts",
    "segment_limit",
    "start_stream",
    "store_segment",
    "stream_titles",
    "to_ranges",
    "update_region",
    "visible_stream",
]
