"""What has been exported: the gallery's exported-to query and the per-platform counts, on
SQLite and PostgreSQL, and the pure counting rule."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import Clip, ExportJob, User
from clippy.export.history import count_per_preset, exported_clip_ids, exports_per_platform
from tests.dashboard.conftest import add_clip, add_stream


def test_count_per_preset_counts_batch_files_per_clip_and_labels() -> None:
    counts = count_per_preset(
        [("shorts", 2), ("x", 1)],
        [("shorts,tiktok", {"clip_ids": [1, 2, 3], "presets": ["shorts", "tiktok"]})],
    )
    assert counts == [("YouTube Shorts", 5), ("TikTok", 3), ("X / Twitter", 1)]
    assert count_per_preset([], []) == []


def _user(s: Session, email: str) -> User:
    user = User(email=email, password_hash="x")
    s.add(user)
    s.flush()
    return user


def _job(s: Session, user: User, status: str, **kw: object) -> None:
    s.add(ExportJob(user_id=user.id, status=status, result={}, **kw))


def test_exported_clip_ids_reads_singles_and_batches(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        me, other = _user(s, "me@example.com"), _user(s, "other@example.com")
        mine = add_stream(s, me.id)
        a, b, c, d, e = (add_clip(s, mine, 10 * k, 10 * k + 5) for k in range(5))
        theirs = add_clip(s, add_stream(s, other.id), 0, 5)
        _job(s, me, "done", clip_id=a.id, kind="single", preset="shorts", options={})
        _job(s, me, "failed", clip_id=b.id, kind="single", preset="shorts", options={})
        _job(s, me, "done", clip_id=c.id, kind="single", preset="tiktok", options={})
        batch = {"clip_ids": [d.id, e.id], "presets": ["tiktok", "shorts"], "options": {}}
        _job(s, me, "done", kind="batch", preset="tiktok,shorts", options=batch)
        running = {"clip_ids": [b.id], "presets": ["shorts"], "options": {}}
        _job(s, me, "running", kind="batch", preset="shorts", options=running)
        # Another user's finished export of their clip must not count for me.
        _job(s, other, "done", clip_id=theirs.id, kind="single", preset="shorts", options={})
        s.commit()
        dialect = s.get_bind().dialect.name

        def ids(preset: str, users: list[int]) -> set[int]:
            return set(s.scalars(exported_clip_ids(dialect, users, preset)))

        assert ids("shorts", [me.id]) == {a.id, d.id, e.id}
        assert ids("tiktok", [me.id]) == {c.id, d.id, e.id}
        assert ids("reels", [me.id]) == set()
        # A name is matched whole between the batch's commas, never as a substring.
        assert ids("x", [me.id]) == set()
        assert ids("shorts", [other.id]) == {theirs.id}
        # Usable as a subquery of a clip query (the gallery's filter).
        q = select(Clip.id).where(Clip.id.in_(exported_clip_ids(dialect, [me.id], "shorts")))
        assert set(s.scalars(q)) == {a.id, d.id, e.id}

        assert exports_per_platform(s, [me.id]) == [("TikTok", 3), ("YouTube Shorts", 3)]
        assert exports_per_platform(s, [other.id]) == [("YouTube Shorts", 1)]
