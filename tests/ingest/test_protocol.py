"""The protocol codec and message parsing (pure)."""

from __future__ import annotations

import json

import pytest

from clippy.ingest.protocol import (
    Chat,
    ProtocolError,
    SegmentHeader,
    Start,
    decode_segment_frame,
    encode_segment_frame,
    parse_text_message,
    to_ranges,
)


def test_segment_frame_round_trip() -> None:
    header = SegmentHeader(seq=3, start=30.0, duration=10.0, mime="video/webm")
    frame = encode_segment_frame(header, b"\x1a\x45\xdf\xa3payload")
    got, payload = decode_segment_frame(frame)
    assert got == header
    assert bytes(payload) == b"\x1a\x45\xdf\xa3payload"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"", "bad_frame"),
        (b"\x00\x00", "bad_frame"),
        (b"\x00\x00\x00\x00abc", "bad_frame"),
        (b"\x00\x00\x10\x00{}", "bad_frame"),
        (b"\x00\x00\x00\x03abc", "bad_frame"),
        (encode_segment_frame({"seq": -1, "start": 0, "duration": 1}, b"x"), "bad_segment_header"),
        (encode_segment_frame({"seq": 1, "start": 0, "duration": 0}, b"x"), "bad_segment_header"),
    ],
)
def test_bad_frames_are_refused_with_a_code(frame: bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as err:
        decode_segment_frame(frame)
    assert err.value.code == code
    assert err.value.message


def test_bad_header_reports_its_seq() -> None:
    frame = encode_segment_frame({"seq": 7, "start": -5, "duration": 10}, b"x")
    with pytest.raises(ProtocolError) as err:
        decode_segment_frame(frame)
    assert err.value.seq == 7
    assert "start" in err.value.message


def test_parse_messages() -> None:
    start = parse_text_message(json.dumps({"type": "start", "stream_id": "abc-1", "title": "t"}))
    assert isinstance(start, Start) and start.segment_seconds == 10.0
    chat = parse_text_message(
        json.dumps({"type": "chat", "lines": [{"author": "a", "text": "hi", "time": 1.5}]})
    )
    assert isinstance(chat, Chat) and chat.lines[0].time == 1.5


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_message"),
        ('{"type": "launch"}', "unknown_type"),
        ('{"type": "start", "stream_id": "has space"}', "bad_message"),
        ('{"type": "chat", "lines": []}', "bad_message"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_text_message(text)
    assert err.value.code == code


def test_to_ranges() -> None:
    assert to_ranges([]) == []
    assert to_ranges([3, 0, 1, 2, 5, 7, 8, 8]) == [[0, 3], [5, 5], [7, 8]]
