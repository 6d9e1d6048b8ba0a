"""Fixtures for publishing tests: the fake platforms, a real 9:16 export file (cached per
session), and a user with a finished export and connected accounts."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from clippy.config import Settings
from clippy.db import Clip, ExportJob, Stream, User
from clippy.publish import (
    PublishConfig,
    Publisher,
    TokenBox,
    VideoMeta,
    account_of,
    create_publication,
    exchange_code,
    save_connection,
)
from clippy.storage import LocalStore
from tests.publish.fake_platforms import (
    CLIENT_ID,
    CLIENT_SECRET,
    GOOD_CODE,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    FakePlatforms,
    running_fake_platforms,
)

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
CHUNK = 256 * 1024
META = VideoMeta("Big play", "What a shot", ("gaming", "clutch"), "unlisted")


@pytest.fixture(scope="session")
def short_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s, 540x960 (9:16) H.264/AAC MP4 of about 1.5 MB: several upload chunks."""
    path = tmp_path_factory.mktemp("publish-media") / "short.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=s=540x960:r=30:d=2"),
            *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"),
            *("-vf", "noise=alls=30:allf=t", "-c:v", "libx264", "-preset", "ultrafast"),
            *("-b:v", "6M", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
            *("-movflags", "+faststart", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    """The fake YouTube/Google/TikTok servers."""
    with running_fake_platforms() as state:
        yield state


def platform_settings(fake: FakePlatforms) -> dict[str, object]:
    """Settings fields that point both platforms at ``fake``."""
    return {
        "youtube_client_id": CLIENT_ID,
        "youtube_client_secret": CLIENT_SECRET,
        "youtube_auth_url": f"{fake.base_url}/o/oauth2/v2/auth",
        "youtube_token_url": f"{fake.base_url}/token",
        "youtube_api_base": fake.base_url,
        "tiktok_client_key": TIKTOK_KEY,
        "tiktok_client_secret": TIKTOK_SECRET,
        "tiktok_auth_url": f"{fake.base_url}/v2/auth/authorize/",
        "tiktok_api_base": fake.base_url,
        "publish_chunk_bytes": CHUNK,
        "publish_backoff_seconds": 0.0,
        "publish_check_seconds": 0.2,
        "publish_max_attempts": 3,
    }


def add_finished_export(
    session: Session, store: LocalStore, file: Path, email: str
) -> tuple[int, int, int]:
    """A user, a ready clip and a finished Shorts export of it stored from ``file`` (rows as
    the export queue leaves them); returns (user id, clip id, export id)."""
    user = User(email=email, password_hash="x")
    session.add(user)
    session.flush()
    stream = Stream(user_id=user.id, client_stream_id="s1", title="stream")
    session.add(stream)
    session.flush()
    clip = Clip(
        user_id=user.id, stream_id=stream.id, title="Big play", status="ready", duration=2.0
    )
    session.add(clip)
    session.flush()
    key = f"exports/{user.id}/{file.name}"
    store.put_file(key, file, content_type="video/mp4")
    export = ExportJob(
        user_id=user.id,
        clip_id=clip.id,
        preset="shorts",
        status="done",
        result_key=key,
        result_size=file.stat().st_size,
    )
    session.add(export)
    session.commit()
    return user.id, clip.id, export.id


@dataclass
class World:
    """A user with a ready clip, a finished export of it, and the publisher."""

    publisher: Publisher
    session_factory: sessionmaker[Session]
    user_id: int
    clip_id: int
    export_id: int
    config: PublishConfig


@pytest.fixture
def world(
    fake: FakePlatforms,
    db_url: str,
    tmp_path: Path,
    short_mp4: Path,
    session_factory: sessionmaker[Session],
) -> World:
    """Everything ``publish_one`` needs, on both databases, with the export stored."""
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=SECRET,
        **platform_settings(fake),  # type: ignore[arg-type]
    )
    store = LocalStore(tmp_path / "objects")
    config = PublishConfig.from_settings(settings)
    with session_factory() as session:
        ids = add_finished_export(session, store, short_mp4, "pub@example.com")
    publisher = Publisher(session_factory, store, TokenBox(SECRET), config, sleep=lambda _s: None)
    return World(publisher, session_factory, *ids, config)


def connect(world: World, platform: str, redirect: str = "http://127.0.0.1/cb") -> None:
    """Run the OAuth code exchange against the fake and store the connection."""
    app = world.config.app(platform)
    with httpx.Client() as http, world.session_factory() as session:
        grant = exchange_code(app, http, GOOD_CODE, redirect)
        save_connection(
            session,
            world.publisher.box,
            world.user_id,
            platform,
            grant,
            account_of(app, http, grant.access_token),
        )
        session.commit()


def queue_publication(
    world: World, platform: str, meta: VideoMeta = META, when: datetime | None = None
) -> int:
    """Queue the world's export for ``platform`` (now, or at ``when``); the publication id."""
    with world.session_factory() as session:
        export = session.get(ExportJob, world.export_id)
        assert export is not None
        pub = create_publication(session, world.user_id, export, platform, meta, when)
        session.commit()
        return pub.id
