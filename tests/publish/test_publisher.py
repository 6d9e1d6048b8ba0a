"""``publish_one`` against the local fake of YouTube's and TikTok's documented APIs, on
SQLite and PostgreSQL: uploads with metadata, resumption after a dropped connection and
after a failed attempt, one token refresh on 401, and quota errors that fail at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from clippy.db import PlatformConnection, Publication, utcnow
from clippy.publish import due_publications
from tests.publish.conftest import CHUNK, World, connect, queue_publication
from tests.publish.fake_platforms import QUOTA_MESSAGE, TIKTOK_CAP_MESSAGE, FakePlatforms


def _pub(world: World, pid: int) -> Publication:
    with world.session_factory() as session:
        pub = session.get(Publication, pid)
        assert pub is not None
        session.expunge(pub)
        return pub


def test_youtube_upload_sends_the_file_and_metadata(
    world: World, fake: FakePlatforms, short_mp4: Path
) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    assert world.publisher.publish_one(pid) == "published"
    pub = _pub(world, pid)
    (upload,) = fake.uploads.values()
    assert bytes(upload.data) == short_mp4.read_bytes()
    assert upload.meta["snippet"]["title"] == "Big play"
    assert upload.meta["snippet"]["tags"] == ["gaming", "clutch"]
    assert upload.meta["snippet"]["description"].endswith("#Shorts")
    assert upload.meta["status"]["privacyStatus"] == "unlisted"
    assert pub.video_url == f"https://www.youtube.com/shorts/{upload.video_id}"
    assert pub.uploaded_bytes == pub.total_bytes == short_mp4.stat().st_size
    # Several chunks, each starting where the last one ended.
    ranges = fake.ranges("/upload/youtube")
    assert len(ranges) == -(-short_mp4.stat().st_size // CHUNK) > 2
    assert ranges[1].startswith(f"bytes {CHUNK}-")
    # Published is final: a second call does nothing.
    assert world.publisher.publish_one(pid) is None
    assert len(fake.uploads) == 1


def test_youtube_dropped_connection_resumes_from_the_reported_range(
    world: World, fake: FakePlatforms, short_mp4: Path
) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    fake.drop_mid_chunk = 1  # the first chunk: half arrives, then the connection drops
    assert world.publisher.publish_one(pid) == "published"
    (upload,) = fake.uploads.values()
    assert bytes(upload.data) == short_mp4.read_bytes()
    ranges = fake.ranges("/upload/youtube")
    total = short_mp4.stat().st_size
    # The client asked what the server holds, then went on from exactly there.
    assert ranges[:3] == [f"bytes 0-{CHUNK - 1}/{total}", f"bytes */{total}", ranges[2]]
    assert ranges[2].startswith(f"bytes {CHUNK // 2}-")
    assert fake.count("POST", "/upload/youtube") == 1  # one session, never restarted


def test_youtube_failed_attempt_resumes_in_the_next_one(
    world: World, fake: FakePlatforms, short_mp4: Path
) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    fake.fail_chunks = world.config.chunk_retries + 2  # more 503s than one attempt retries
    assert world.publisher.publish_one(pid) == "uploading"
    pub = _pub(world, pid)
    assert pub.attempts == 1 and pub.upload_url and "Backend Error" in (pub.error or "")
    assert world.publisher.publish_one(pid) == "published"
    upload = fake.uploads[pub.upload_url.rsplit("upload_id=", 1)[1]]
    assert bytes(upload.data) == short_mp4.read_bytes()
    assert _pub(world, pid).error is None
    # The second attempt queried the session and continued from what it held.
    assert f"bytes */{short_mp4.stat().st_size}" in fake.ranges("/upload/youtube")


def test_youtube_401_refreshes_the_token_once(world: World, fake: FakePlatforms) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    fake.expire_tokens()
    assert world.publisher.publish_one(pid) == "published"
    assert fake.grants == ["authorization_code", "refresh_token"]
    with world.session_factory() as session:
        conn = session.query(PlatformConnection).one()
        # Stored encrypted: neither token appears in the column.
        assert "access-" not in conn.tokens and "refresh-" not in conn.tokens
        assert world.publisher.box.open(conn.tokens)["access_token"] in fake.tokens


def test_youtube_401_twice_fails_without_a_loop(world: World, fake: FakePlatforms) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    fake.refresh_tokens.clear()  # the user revoked access: refresh is refused
    fake.expire_tokens()
    assert world.publisher.publish_one(pid) == "failed"
    pub = _pub(world, pid)
    assert pub.error == "YouTube: Token has been expired or revoked. (invalid_grant)"
    assert fake.grants == ["authorization_code", "refresh_token"]


def test_youtube_quota_exceeded_fails_with_the_platform_message(
    world: World, fake: FakePlatforms
) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube")
    fake.quota = True
    assert world.publisher.publish_one(pid) == "failed"
    pub = _pub(world, pid)
    assert pub.error == f"YouTube: {QUOTA_MESSAGE} (quotaExceeded)"
    assert pub.attempts == 1
    assert fake.count("POST", "/upload/youtube") == 1  # asked once, not retried
    with world.session_factory() as session:
        assert due_publications(session, utcnow() + timedelta(days=1)) == []


def test_scheduled_publication_waits_for_its_time(world: World, fake: FakePlatforms) -> None:
    connect(world, "youtube")
    pid = queue_publication(world, "youtube", when=utcnow() + timedelta(hours=1))
    with world.session_factory() as session:
        assert due_publications(session) == []
        assert due_publications(session, utcnow() + timedelta(hours=2)) == [pid]
    assert world.publisher.publish_one(pid) is None
    assert fake.uploads == {}


def test_tiktok_post_chunks_polls_and_links_the_video(
    world: World, fake: FakePlatforms, short_mp4: Path
) -> None:
    connect(world, "tiktok")
    pid = queue_publication(world, "tiktok")
    fake.processing_polls = 1
    assert world.publisher.publish_one(pid) == "processing"  # TikTok is still downloading
    assert world.publisher.publish_one(pid) is None  # not due again before the interval
    with world.session_factory() as session:
        session.get(Publication, pid).next_attempt_at = utcnow()  # type: ignore[union-attr]
        session.commit()
    assert world.publisher.publish_one(pid) == "published"
    (upload,) = fake.uploads.values()
    assert bytes(upload.data) == short_mp4.read_bytes()
    info = upload.meta["post_info"]
    assert info["privacy_level"] == "MUTUAL_FOLLOW_FRIENDS"
    assert info["title"] == "Big play\nWhat a shot\n#gaming #clutch"
    size = short_mp4.stat().st_size
    assert upload.meta["source_info"]["total_chunk_count"] == size // CHUNK
    assert _pub(world, pid).video_url == (
        f"https://www.tiktok.com/@clippytester/video/{upload.video_id}"
    )


def test_tiktok_dropped_chunk_resumes_from_uploaded_bytes(
    world: World, fake: FakePlatforms, short_mp4: Path
) -> None:
    connect(world, "tiktok")
    pid = queue_publication(world, "tiktok")
    fake.drop_mid_chunk = 1
    assert world.publisher.publish_one(pid) == "published"
    (upload,) = fake.uploads.values()
    assert bytes(upload.data) == short_mp4.read_bytes()
    ranges = fake.ranges("/upload/tiktok")
    assert ranges[0] == ranges[1]  # the broken chunk was sent again, from its start
    assert fake.count("POST", "/v2/post/publish/video/init/") == 1


def test_tiktok_401_refreshes_once(world: World, fake: FakePlatforms) -> None:
    connect(world, "tiktok")
    pid = queue_publication(world, "tiktok")
    fake.expire_tokens()
    assert world.publisher.publish_one(pid) == "published"
    assert fake.grants == ["authorization_code", "refresh_token"]


def test_tiktok_post_cap_fails_with_the_platform_message(world: World, fake: FakePlatforms) -> None:
    connect(world, "tiktok")
    pid = queue_publication(world, "tiktok")
    fake.quota = True
    assert world.publisher.publish_one(pid) == "failed"
    assert _pub(world, pid).error == f"TikTok: {TIKTOK_CAP_MESSAGE} (spam_risk_too_many_posts)"
    assert fake.count("POST", "/v2/post/publish/video/init/") == 1


def test_without_a_connection_the_publication_fails_clearly(world: World) -> None:
    pid = queue_publication(world, "youtube")
    assert world.publisher.publish_one(pid) == "failed"
    assert "no YouTube account is connected" in (_pub(world, pid).error or "")
