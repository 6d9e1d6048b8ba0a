"""Live events as NOTIFY payloads: small ones whole, large ones in parts, own ones skipped."""

from __future__ import annotations

import json

from clippy.events.wire import MAX_PAYLOAD, Reassembler, encode_event

EVENT = {"type": "clip_created", "stream_id": 3, "clip": {"id": 9, "title": "Clutch"}}


def test_small_event_is_one_payload_and_round_trips() -> None:
    payloads = encode_event("node-a", {2, 1}, EVENT)
    assert len(payloads) == 1
    assert Reassembler("node-b").feed(payloads[0]) == ({1, 2}, EVENT)


def test_own_events_are_skipped() -> None:
    (payload,) = encode_event("node-a", {1}, EVENT)
    assert Reassembler("node-a").feed(payload) is None


def test_large_event_travels_in_parts_under_the_limit() -> None:
    big = {**EVENT, "clip": {"id": 9, "title": "é" * 20_000}}  # escapes: 6 bytes a char
    payloads = encode_event("node-a", {1}, big)
    assert len(payloads) > 10
    assert all(len(p.encode()) <= MAX_PAYLOAD for p in payloads)
    receiver = Reassembler("node-b")
    results = [receiver.feed(p) for p in payloads]
    assert results[:-1] == [None] * (len(payloads) - 1)
    assert results[-1] == ({1}, big)


def test_parts_of_two_messages_and_whole_ones_interleave() -> None:
    first = encode_event("a", {1}, {"type": "x", "pad": "1" * 9000}, limit=4000)
    second = encode_event("b", {2}, {"type": "y", "pad": "2" * 9000}, limit=4000)
    small = encode_event("c", {3}, EVENT)
    receiver = Reassembler("me")
    got = [receiver.feed(p) for p in [first[0], second[0], *small, *first[1:], *second[1:]]]
    done = [g for g in got if g is not None]
    assert [sorted(users) for users, _ in done] == [[3], [1], [2]]
    assert done[1][1]["pad"] == "1" * 9000


def test_unreadable_payloads_are_ignored() -> None:
    receiver = Reassembler("me")
    assert receiver.feed("not json") is None
    assert receiver.feed(json.dumps([1, 2])) is None
    assert receiver.feed(json.dumps({"o": "x", "u": "nobody", "e": {}})) is None


def test_a_message_whose_rest_never_comes_is_forgotten() -> None:
    parts = encode_event("a", {1}, {"type": "x", "pad": "z" * 9000}, limit=4000)
    receiver = Reassembler("me")
    assert receiver.feed(parts[0], now=0.0) is None
    receiver.feed(encode_event("a", {1}, EVENT)[0], now=1.0)
    other = encode_event("a", {1}, {"type": "x", "pad": "z" * 9000}, limit=4000)
    receiver.feed(other[0], now=1000.0)  # a later part clears the stale one
    assert len(receiver._partial) == 1
