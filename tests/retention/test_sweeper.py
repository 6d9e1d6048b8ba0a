"""Retention sweeper and hot-window archiver on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from clippy.accounts.tokens import issue_refresh_token, rotate_refresh_token
from clippy.archive.media import preview_key, stale_cache_keys
from clippy.archive.timeline import PreviewWindow
from clippy.db.models import (
    ChatMessage,
    Clip,
    ClipRange,
    ExportJob,
    Segment,
    Stream,
    TranscriptSegment,
    User,
)
from clippy.jobs.periodic import run_periodic
from clippy.retention.rules import leaves_hot_window
from clippy.retention.sweeper import (
    demote_hot_segments,
    sweep_expired,
    sweep_once,
    sweep_orphans,
)
from clippy.storage import expiry
from clippy.storage.keys import (
    archive_thumb_key,
    clip_file_key,
    clip_thumb_key,
    export_prefix,
    mezzanine_key,
)
from clippy.storage.local import LocalStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RETENTION = {"free": timedelta(hours=12), "pro": timedelta(hours=48), "business": timedelta(days=7)}
# Just past the plan's retention, and just inside it.
OLD = timedelta(minutes=5)
YOUNG = -timedelta(minutes=5)


@dataclass
class Owner:
    """One user's inserted rows, split by whether the sweep must remove them."""

    plan: str
    stream_id: int = 0
    expired: dict[str, set[int]] = field(default_factory=dict)
    kept: dict[str, set[int]] = field(default_factory=dict)
    expired_keys: list[str] = field(default_factory=list)
    kept_keys: list[str] = field(default_factory=list)


def _age(plan: str, offset: timedelta) -> datetime:
    return NOW - RETENTION[plan] - offset


def _segment(
    session: Session, store: LocalStore, stream: Stream, seq: int, at: datetime
) -> Segment:
    key = f"streams/{stream.id}/segments/{seq:08d}.webm"
    store.put_bytes(key, b"webm")
    store.put_bytes(mezzanine_key(stream.id, seq), b"mp4")
    seg = Segment(
        stream_id=stream.id,
        seq=seq,
        start_time=seq * 10.0,
        duration=10.0,
        mime="video/webm",
        size=4,
        sha256="0" * 64,
        storage_key=key,
        received_at=at,
    )
    session.add(seg)
    session.flush()
    return seg


def _clip(session: Session, store: LocalStore, stream: Stream, at: datetime) -> Clip:
    clip = Clip(user_id=stream.user_id, stream_id=stream.id, status="ready", created_at=at)
    session.add(clip)
    session.flush()
    clip.file_key = clip_file_key(stream.id, clip.id)
    clip.thumb_key = clip_thumb_key(stream.id, clip.id)
    store.put_bytes(clip.file_key, b"clip")
    store.put_bytes(clip.thumb_key, b"jpg")
    session.add(ClipRange(clip_id=clip.id, position=0, start=1.0, end=5.0))
    session.flush()
    return clip


def _populate(session: Session, store: LocalStore, plan: str) -> Owner:
    """A live stream with one expired and one young row of every kind."""
    owner = Owner(plan)
    user = User(email=f"{plan}@example.com", password_hash="x", plan=plan)
    session.add(user)
    session.flush()
    stream = Stream(user_id=user.id, client_stream_id=f"{plan}-live", status="live")
    session.add(stream)
    session.flush()
    owner.stream_id = stream.id
    for bucket, offset, keys in (
        (owner.expired, OLD, owner.expired_keys),
        (owner.kept, YOUNG, owner.kept_keys),
    ):
        at = _age(plan, offset)
        seq = 1 if offset == OLD else 2
        seg = _segment(session, store, stream, seq, at)
        keys += [seg.storage_key, mezzanine_key(stream.id, seq)]
        tr = TranscriptSegment(
            stream_id=stream.id,
            chunk_id=f"c{seq}",
            start_time=0,
            end_time=1,
            text="hi",
            created_at=at,
        )
        chat = ChatMessage(stream_id=stream.id, text="pog", time=1.0, received_at=at)
        session.add_all([tr, chat])
        clip = _clip(session, store, stream, at)
        keys += [clip.file_key or "", clip.thumb_key or ""]
        # Archive browser caches: a thumbnail inside the segment, a preview starting at it.
        window = PreviewWindow(first_seq=seq, last_seq=2, start=seq * 10.0, end=30.0)
        for key in (archive_thumb_key(stream.id, seq * 10 + 3), preview_key(stream.id, window)):
            store.put_bytes(key, b"cached")
            keys.append(key)
        session.flush()
        bucket.update(segments={seg.id}, transcripts={tr.id}, chat={chat.id}, clips={clip.id})
    session.commit()
    return owner


_MODELS = {
    "segments": Segment,
    "transcripts": TranscriptSegment,
    "chat": ChatMessage,
    "clips": Clip,
}


def _ids(session: Session, kind: str) -> set[int]:
    model = _MODELS[kind]
    return set(session.scalars(select(model.id)))  # type: ignore[attr-defined]


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "objects")


def test_sweep_removes_exactly_the_expired_rows_and_objects(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        owners = [_populate(session, store, plan) for plan in RETENTION]

    report = sweep_expired(session_factory, store, NOW)

    with session_factory() as session:
        for kind in _MODELS:
            kept = set().union(*(o.kept[kind] for o in owners))
            assert _ids(session, kind) == kept, kind
        # Ranges go with their clip (ON DELETE CASCADE), the young clips keep theirs.
        range_clips = set(session.scalars(select(ClipRange.clip_id)))
        assert range_clips == set().union(*(o.kept["clips"] for o in owners))
        # Live streams stay even when (partly) emptied.
        assert session.scalar(select(func.count()).select_from(Stream)) == 3
    for owner in owners:
        for key in owner.expired_keys:
            assert not store.exists(key), key
        for key in owner.kept_keys:
            assert store.exists(key), key
    assert (report.segments, report.transcripts, report.chat_messages, report.clips) == (3, 3, 3, 3)
    assert report.objects == 18
    assert report.streams == 0


def test_each_owner_gets_their_own_plan(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    """A 3-day-old segment is gone for free and pro, kept for business."""
    with session_factory() as session:
        seg_ids = {}
        for plan in RETENTION:
            user = User(email=f"{plan}@x.org", password_hash="x", plan=plan)
            session.add(user)
            session.flush()
            stream = Stream(user_id=user.id, client_stream_id=plan)
            session.add(stream)
            session.flush()
            seg_ids[plan] = _segment(session, store, stream, 1, NOW - timedelta(days=3)).id
        session.commit()
    sweep_expired(session_factory, store, NOW)
    with session_factory() as session:
        assert _ids(session, "segments") == {seg_ids["business"]}


def test_ended_empty_streams_are_deleted_others_kept(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    old = _age("free", OLD)
    with session_factory() as session:
        user = User(email="u@x.org", password_hash="x", plan="free")
        session.add(user)
        session.flush()
        gone = Stream(user_id=user.id, client_stream_id="a", status="ended", ended_at=old)
        has_young = Stream(user_id=user.id, client_stream_id="b", status="ended", ended_at=old)
        live = Stream(user_id=user.id, client_stream_id="c", status="live")
        just_ended = Stream(user_id=user.id, client_stream_id="d", status="ended", ended_at=NOW)
        session.add_all([gone, has_young, live, just_ended])
        session.flush()
        _segment(session, store, gone, 1, old)
        _clip(session, store, gone, old)
        _segment(session, store, has_young, 1, _age("free", YOUNG))
        _segment(session, store, live, 1, old)
        session.commit()
        gone_id = gone.id
        kept = {has_young.id, live.id, just_ended.id}

    report = sweep_expired(session_factory, store, NOW)

    assert report.streams == 1
    with session_factory() as session:
        assert set(session.scalars(select(Stream.id))) == kept
    assert list(store.list(f"streams/{gone_id}/")) == []


def test_sweep_works_in_batches(
    session_factory: sessionmaker[Session], store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(expiry, "BATCH", 3)
    with session_factory() as session:
        user = User(email="b@x.org", password_hash="x", plan="free")
        session.add(user)
        session.flush()
        stream = Stream(user_id=user.id, client_stream_id="s")
        session.add(stream)
        session.flush()
        for seq in range(10):
            _segment(session, store, stream, seq, _age("free", OLD))
        for _ in range(7):
            _clip(session, store, stream, _age("free", OLD))
        young = _segment(session, store, stream, 99, _age("free", YOUNG)).id
        session.commit()
    report = sweep_expired(session_factory, store, NOW)
    assert (report.segments, report.clips) == (10, 7)
    with session_factory() as session:
        assert _ids(session, "segments") == {young}
        assert _ids(session, "clips") == set()


class _FailingDeletes(LocalStore):
    """A store whose object deletes fail, as if the process died right after the commit."""

    def delete(self, key: str) -> None:
        raise OSError("simulated crash between row commit and object delete")


def test_objects_left_by_a_crash_are_removed_by_the_orphan_pass(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    root = tmp_path / "objects"
    broken = _FailingDeletes(root)
    old = _age("free", OLD)
    with session_factory() as session:
        user = User(email="c@x.org", password_hash="x", plan="free")
        session.add(user)
        session.flush()
        stream = Stream(user_id=user.id, client_stream_id="s", status="ended", ended_at=old)
        other = Stream(user_id=user.id, client_stream_id="t")
        session.add_all([stream, other])
        session.flush()
        _segment(session, broken, stream, 1, old)
        _segment(session, broken, other, 1, _age("free", YOUNG))
        session.commit()
        stream_id, other_id = stream.id, other.id

    with pytest.raises(OSError, match="simulated crash"):
        sweep_expired(session_factory, broken, NOW)
    store = LocalStore(root)
    with session_factory() as session:
        assert _ids(session, "segments") != set()  # the young one
    assert list(store.list(f"streams/{stream_id}/"))  # objects outlived their rows

    sweep_expired(session_factory, store, NOW)  # the emptied ended stream goes now
    assert sweep_orphans(session_factory, store) == 2
    assert list(store.list(f"streams/{stream_id}/")) == []
    assert len(list(store.list(f"streams/{other_id}/"))) == 2


def test_demote_hot_segments_follows_the_pure_rule(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        user = User(email="h@x.org", password_hash="x", plan="pro")
        session.add(user)
        session.flush()
        stream = Stream(user_id=user.id, client_stream_id="s", received_until=400.0)
        session.add(stream)
        session.flush()
        for seq in range(40):  # ends at 10, 20, ... 400 s
            _segment(session, store, stream, seq, NOW)
        session.commit()

    assert demote_hot_segments(session_factory, 300.0) == 9  # ends 10..90 are > 300 s behind
    assert demote_hot_segments(session_factory, 300.0) == 0  # idempotent
    with session_factory() as session:
        for seg in session.scalars(select(Segment)):
            rule = leaves_hot_window(seg.start_time, seg.duration, 400.0, 300.0)
            assert seg.tier == ("archive" if rule else "hot"), seg.seq


async def test_retention_loop_sweeps_and_stops(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        owner = _populate(session, store, "free")
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_periodic("retention", partial(sweep_once, session_factory, store, now=NOW), 0.05, stop)
    )
    for _ in range(200):
        await asyncio.sleep(0.05)
        with session_factory() as session:
            if _ids(session, "segments") == owner.kept["segments"]:
                break
    stop.set()
    await asyncio.wait_for(task, 5)
    with session_factory() as session:
        assert _ids(session, "clips") == owner.kept["clips"]
    assert all(not store.exists(k) for k in owner.expired_keys)


def test_expired_refresh_tokens_are_purged_and_live_ones_kept(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        user = User(email="t@x.org", password_hash="x", plan="pro")
        session.add(user)
        session.flush()
        issue_refresh_token(session, user.id, 30, now=NOW - timedelta(days=31))
        live = issue_refresh_token(session, user.id, 30, now=NOW - timedelta(days=1))
        session.commit()
    report = sweep_expired(session_factory, store, NOW)
    assert report.refresh_tokens == 1
    with session_factory() as session:
        assert rotate_refresh_token(session, live, 30, now=NOW)[0] == user.id


def _export(session: Session, store: LocalStore, user: User, status: str, at: datetime) -> int:
    job = ExportJob(user_id=user.id, preset="shorts", status=status, created_at=at)
    session.add(job)
    session.flush()
    for name in ("clip.mp4", "clip.srt"):
        store.put_bytes(export_prefix(user.id, job.id) + name, b"x")
    return job.id


def test_expired_exports_go_with_their_files_and_running_or_young_ones_stay(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        user = User(email="e@x.org", password_hash="x", plan="pro")
        session.add(user)
        session.flush()
        old_done = _export(session, store, user, "done", _age("pro", OLD))
        old_running = _export(session, store, user, "running", _age("pro", OLD))
        young = _export(session, store, user, "done", _age("pro", YOUNG))
        session.commit()
        uid = user.id
    report = sweep_expired(session_factory, store, NOW)
    assert (report.exports, report.objects) == (1, 2)
    with session_factory() as session:
        assert set(session.scalars(select(ExportJob.id))) == {old_running, young}
    assert list(store.list(export_prefix(uid, old_done))) == []
    for kept in (old_running, young):
        assert len(list(store.list(export_prefix(uid, kept)))) == 2


def test_export_files_whose_job_row_is_gone_are_orphans(
    session_factory: sessionmaker[Session], store: LocalStore
) -> None:
    with session_factory() as session:
        user = User(email="o@x.org", password_hash="x", plan="pro")
        session.add(user)
        session.flush()
        gone = _export(session, store, user, "done", NOW)
        kept = _export(session, store, user, "done", NOW)
        session.execute(delete(ExportJob).where(ExportJob.id == gone))
        session.commit()
        uid = user.id
    assert sweep_orphans(session_factory, store) == 2
    assert list(store.list(export_prefix(uid, gone))) == []
    assert len(list(store.list(export_prefix(uid, kept)))) == 2


def test_stale_archive_cache_keys_are_those_before_the_oldest_segment() -> None:
    keys = [
        "streams/7/archive/thumbs/00000095.jpg",
        "streams/7/archive/thumbs/00000100.jpg",
        "streams/7/archive/preview/00000009-00000012.mp4",
        "streams/7/archive/preview/00000010-00000015.mp4",
        "streams/7/archive/notes.txt",  # not written by Clippy's archive: never touched
    ]
    assert stale_cache_keys(keys, 10, 100.0) == [keys[0], keys[2]]
    assert stale_cache_keys(keys, None, 0.0) == keys[:4]  # no segment left at all
