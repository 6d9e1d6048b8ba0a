"""Streams list and archive browser through the routes: thumbnails and previews made from
real mezzanine segments, loudness from stored features, transcript, search, make clip."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from clippy.db.models import Clip, Segment, Stream, User
from clippy.media.cut import SourcePart
from clippy.media.probe import probe
from clippy.storage.base import ObjectStore
from clippy.storage.keys import archive_thumb_key, mezzanine_key
from tests.dashboard.conftest import Browserish, add_stream, add_words


def _store(b: Browserish) -> ObjectStore:
    store: ObjectStore = b.client.app.state.ctx.store  # type: ignore[attr-defined]
    return store


def _recorded_stream(b: Browserish, parts: list[SourcePart], title: str = "Archive night") -> int:
    """A stream whose processed segments are ``parts`` (mezzanine in the store, features set)."""
    store = _store(b)
    with b.session_factory() as s:
        stream = add_stream(s, b.user_id, title, received_until=parts[-1].start_time + 10.0)
        for seq, part in enumerate(parts):
            key = mezzanine_key(stream.id, seq)
            store.put_file(key, part.path)
            loud = [-40.0] * int(part.duration)
            if seq == 2:
                loud[5] = -3.0  # one shout, to find on the curve
            s.add(
                Segment(
                    stream_id=stream.id,
                    seq=seq,
                    start_time=part.start_time,
                    duration=part.duration,
                    mime="video/webm",
                    size=1,
                    sha256="0" * 64,
                    storage_key=f"streams/{stream.id}/segments/{seq}.webm",
                    status="done",
                    features={"start": part.start_time, "step": 1.0, "loudness": loud},
                )
            )
        add_words(s, stream, 12.0, "remember the golden lighthouse")
        add_words(s, stream, 41.0, "that was a big jump")
        s.commit()
        return stream.id


def test_streams_list_and_archive_page(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart]
) -> None:
    b = signed_up("archive@example.com")
    sid = _recorded_stream(b, mezzanine_parts)

    page = b.get("/app/streams")
    assert page.status_code == 200 and f'href="/app/streams/{sid}"' in page.text
    assert 'href="/app/streams" class="active"' in page.text

    r = b.get(f"/app/streams/{sid}")
    assert r.status_code == 200
    # 60 s recorded: one view, a frame every 5 s, one 60 s preview window.
    thumbs = [int(t) for t in re.findall(rf"/app/streams/{sid}/thumbs/(\d+)\.jpg", r.text)]
    assert thumbs == list(range(0, 60, 5))
    assert f"/app/streams/{sid}/preview/0.mp4" in r.text
    assert r.text.count('class="transcript-line"') == 2
    assert 'data-at="12.00"' in r.text and "golden lighthouse" in r.text
    # The shout at 25 s is the curve's highest point (lowest y) of the detail chart.
    detail = r.text.split("data-detail>", 1)[1]
    points = re.search(r'class="area" points="([^"]+)"', detail)
    assert points
    xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()[1:-1]]
    peak_x = min(xy, key=lambda p: p[1])[0]
    assert abs(peak_x / 1000 * 60 - 25.5) < 0.5


def test_thumbnail_is_made_once_and_cached(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart]
) -> None:
    b = signed_up("thumbs@example.com")
    sid = _recorded_stream(b, mezzanine_parts)
    r = b.client.get(f"/app/streams/{sid}/thumbs/15.jpg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content[:2] == b"\xff\xd8"
    store = _store(b)
    assert store.get_bytes(archive_thumb_key(sid, 15)) == r.content
    # Served from the cache: replace the cached object and the route returns it.
    store.put_bytes(archive_thumb_key(sid, 15), b"\xff\xd8cached")
    assert b.client.get(f"/app/streams/{sid}/thumbs/15.jpg").content == b"\xff\xd8cached"
    # No recording there: 404, nothing cached.
    assert b.client.get(f"/app/streams/{sid}/thumbs/3600.jpg").status_code == 404
    assert not store.exists(archive_thumb_key(sid, 3600))


def test_preview_plays_as_mp4(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart], tmp_path: Path
) -> None:
    b = signed_up("preview@example.com")
    sid = _recorded_stream(b, mezzanine_parts)
    r = b.client.get(f"/app/streams/{sid}/preview/0.mp4")
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    out = tmp_path / "p.mp4"
    out.write_bytes(r.content)
    info = probe(out)
    assert abs(info.duration - 60.0) < 0.2
    # Only window starts are previews.
    assert b.client.get(f"/app/streams/{sid}/preview/3.mp4").status_code == 404


def test_search_across_streams_links_to_the_moment(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("search@example.com")
    other = signed_up("search-other@example.com")
    with b.session_factory() as s:
        one = add_stream(s, b.user_id, "Monday")
        two = add_stream(s, b.user_id, "Tuesday")
        add_words(s, one, 100.0, "the purple elephant returns")
        add_words(s, two, 30.0, "nobody saw the purple elephant coming")
        theirs = add_stream(s, other.user_id, "Not yours")
        add_words(s, theirs, 5.0, "purple elephant secrets")
        s.commit()
        ids = (one.id, two.id, theirs.id)
    r = b.get(f"/app/streams/{ids[0]}?q=purple+elephant")
    assert r.status_code == 200
    links = set(re.findall(r'href="/app/streams/(\d+)\?at=([\d.]+)" data-hit', r.text))
    assert links == {(str(ids[0]), "100.4"), (str(ids[1]), "31.2")}
    assert "Not yours" not in r.text and "secrets" not in r.text
    assert "Nothing said matches" in b.get(f"/app/streams/{ids[0]}?q=zebra").text


def test_make_clip_from_a_range(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart]
) -> None:
    b = signed_up("maker@example.com")
    sid = _recorded_stream(b, mezzanine_parts)
    r = b.post(f"/app/streams/{sid}/clips", {"start": "12", "end": "20.5", "title": "Lighthouse"})
    assert r.status_code == 303, r.text
    clip_id = int(r.headers["location"].split("/")[-1].split("?")[0])
    with b.session_factory() as s:
        clip = s.get(Clip, clip_id)
        assert clip is not None
        assert (clip.status, clip.source, clip.title) == ("ready", "manual", "Lighthouse")
        assert abs(clip.duration - 8.5) < 0.05
    assert "Clip made from the archive." in b.get(r.headers["location"]).text

    bad = b.post(f"/app/streams/{sid}/clips", {"start": "30", "end": "20"})
    assert bad.status_code == 400 and "empty or reversed" in bad.text
    late = b.post(f"/app/streams/{sid}/clips", {"start": "50", "end": "500"})
    assert late.status_code == 400 and "after the recorded stream" in late.text
    assert 'value="500.0"' in late.text  # the form keeps what was typed
    # Without the CSRF token the form is refused.
    forged = b.client.post(f"/app/streams/{sid}/clips", data={"start": "1", "end": "5"})
    assert forged.status_code == 403


def test_quota_refusal_is_shown(
    signed_up: Callable[[str], Browserish], mezzanine_parts: list[SourcePart]
) -> None:
    b = signed_up("quota@example.com")
    sid = _recorded_stream(b, mezzanine_parts)
    for i in range(3):  # the free plan makes 3 clips a day
        assert b.post(f"/app/streams/{sid}/clips", {"start": i, "end": i + 2}).status_code == 303
    r = b.post(f"/app/streams/{sid}/clips", {"start": "10", "end": "12"})
    assert r.status_code == 409 and "3 clips per day" in r.text


def test_other_users_stream_is_404_everywhere(signed_up: Callable[[str], Browserish]) -> None:
    owner = signed_up("stream-owner@example.com")
    intruder = signed_up("stream-intruder@example.com")
    with owner.session_factory() as s:
        sid = add_stream(s, owner.user_id, "Secret stream").id
        s.commit()
    intruder.get("/app")
    for path in (
        f"/app/streams/{sid}",
        f"/app/streams/{sid}/thumbs/0.jpg",
        f"/app/streams/{sid}/preview/0.mp4",
    ):
        r = intruder.client.get(path)
        assert r.status_code == 404 and "Secret stream" not in r.text, path
    assert "Secret stream" not in intruder.get("/app/streams").text
    r = intruder.post(f"/app/streams/{sid}/clips", {"start": "0", "end": "5"})
    assert r.status_code == 404
    with owner.session_factory() as s:
        assert s.query(Clip).count() == 0
        assert s.get(Stream, sid) is not None and s.query(User).count() == 2


def test_empty_states(signed_up: Callable[[str], Browserish]) -> None:
    b = signed_up("archive-empty@example.com")
    assert "No streams yet" in b.get("/app/streams").text
    with b.session_factory() as s:
        sid = add_stream(s, b.user_id, "Nothing kept").id
        s.commit()
    r = b.get(f"/app/streams/{sid}")
    assert r.status_code == 200 and "Nothing to browse yet" in r.text
    assert "12 h" in r.text
