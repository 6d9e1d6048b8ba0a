"""check_batch: every clip/preset pair a batch would refuse is listed before anything is
queued, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.db.models import User
from clippy.errors import NotFound
from clippy.export.jobs import MAX_BATCH_ITEMS, check_batch, create_batch
from clippy.export.plan import ExportOptions
from clippy.export.presets import ClipTooLong, ExportRefused
from tests.dashboard.conftest import add_clip, add_stream


def test_check_batch_lists_every_problem(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        me = User(email="me@example.com", password_hash="x")
        other = User(email="other@example.com", password_hash="x")
        s.add_all([me, other])
        s.flush()
        stream = add_stream(s, me.id)
        fine = add_clip(s, stream, 0, 20)
        long = add_clip(s, stream, 100, 175)  # 75 s: over Shorts' 60, within TikTok's 180
        pending = add_clip(s, stream, 200, 210, status="pending")
        for clip in (fine, long):
            clip.file_key = f"clips/{clip.id}.mp4"
        theirs = add_clip(s, add_stream(s, other.id), 0, 10)
        theirs.file_key = "clips/theirs.mp4"
        s.flush()
        options = ExportOptions(preset="shorts")
        ids = [fine.id, long.id, pending.id]

        problems = check_batch(s, me, ids, ["shorts", "tiktok"], options)
        assert [(p.clip_id, p.preset) for p in problems] == [(long.id, "shorts"), (pending.id, "")]
        too_long, not_ready = problems
        assert isinstance(too_long.error, ClipTooLong) and too_long.trim_to == 60.0
        assert f"clip {long.id}: " in str(too_long.error) and "1:15.0" in str(too_long.error)
        assert not_ready.trim_to is None and "pending, not ready" in str(not_ready.error)
        assert check_batch(s, me, [fine.id], ["shorts", "tiktok"], options) == []
        # create_batch refuses with the first problem and queues nothing.
        with pytest.raises(ClipTooLong):
            create_batch(s, me, ids, ["shorts"], options)

        with pytest.raises(ExportRefused, match="at least one clip"):
            check_batch(s, me, [], ["shorts"], options)
        with pytest.raises(ExportRefused, match=f"at most {MAX_BATCH_ITEMS} files"):
            check_batch(s, me, list(range(1, 60)), ["shorts", "tiktok"], options)
        with pytest.raises(NotFound):
            check_batch(s, me, [fine.id, theirs.id], ["shorts"], options)
