"""Chat text reaches live detection: lines stored as the ingest WebSocket stores them (with
badges) are read back by the detection window, and viewers' ``!clip`` makes a clip plan
(SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from clippy.config import Settings
from clippy.db.models import Stream, User
from clippy.db.session import make_engine, make_session_factory, session_scope
from clippy.ingest.protocol import ChatLine
from clippy.ingest.streams import add_chat
from clippy.pipeline.detection import load_window
from clippy.pipeline.windows import plan_window
from tests.fixtures.rows import segment_row


def _stream(factory: sessionmaker[Session], seconds: int) -> int:
    with session_scope(factory) as session:
        user = User(email="streamer@example.com", password_hash="x", plan="free")
        session.add(user)
        session.flush()
        stream = Stream(user_id=user.id, client_stream_id="live-1", status="live")
        session.add(stream)
        session.flush()
        for seq in range(seconds // 10):
            session.add(segment_row(stream.id, seq))
        chatter = [
            ChatLine(author=f"u{t % 5}", text="nice farm", time=float(t))
            for t in range(0, seconds, 4)
        ]
        add_chat(session, stream.id, chatter)
        return stream.id


def _plans(factory: sessionmaker[Session], stream_id: int, settings: Settings) -> list[str]:
    with session_scope(factory) as session:
        stream = session.get(Stream, stream_id)
        assert stream is not None
        window = load_window(session, stream, settings)
    assert window is not None
    return [p.reason for p in plan_window(window, settings, final=True)]


def test_a_moderators_clip_command_reaches_detection(db_url: str) -> None:
    factory = make_session_factory(make_engine(db_url))
    settings = Settings(detect_window_seconds=150.0)
    stream_id = _stream(factory, 200)
    with session_scope(factory) as session:
        add_chat(session, stream_id, [ChatLine(author="fan", text="!clip", time=150.0)])
    assert _plans(factory, stream_id, settings) == []  # one viewer is not enough
    with session_scope(factory) as session:
        line = ChatLine(author="mod", text="!clip that", time=185.0, badges=["Moderator"])
        add_chat(session, stream_id, [line])
    # The window holds the text and the badges: the moderator alone makes the clip.
    (reason,) = _plans(factory, stream_id, settings)
    assert reason.startswith("1 viewer typed !clip")


def test_the_viewer_count_is_a_setting(db_url: str) -> None:
    factory = make_session_factory(make_engine(db_url))
    stream_id = _stream(factory, 200)
    with session_scope(factory) as session:
        add_chat(session, stream_id, [ChatLine(author="fan", text="!clip", time=150.0)])
    settings = Settings(clip_command_viewers=1)
    (reason,) = _plans(factory, stream_id, settings)
    assert reason.startswith("1 viewer typed !clip")
    assert _plans(factory, stream_id, Settings(clip_command="")) == []
