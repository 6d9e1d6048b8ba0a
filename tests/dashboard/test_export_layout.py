"""The clip page's export layout: routes on SQLite and PostgreSQL (refusals, the stream's
remembered default), and in chromium the facecam-over-gameplay export of a clip with a drawn
face in a corner, from the dragged facecam box and the preview down to the downloaded MP4."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clippy.db.models import Clip, ExportJob, Stream
from tests.dashboard.conftest import (
    DESKTOP,
    PHONE,
    Browserish,
    ConsoleWatch,
    shot,
    submit_credentials,
)
from tests.export.conftest import frame_at, seed_clip
from tests.export.media import facecam_video
from tests.export.test_preview import read_image, top_has_face_bottom_has_gameplay
from tests.fixtures.server import ServerProcess, client_on

WORDS = [
    {"text": "watch", "start": 100.2, "end": 100.6},
    {"text": "the", "start": 100.6, "end": 100.8},
    {"text": "corner", "start": 100.8, "end": 101.4},
]
LAYOUT = {"reframe": "split", "caption_style": "clean", "caption_position": "top"}


@pytest.fixture(scope="module")
def cam_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of gameplay (a colour pattern) with a still facecam in the bottom-right corner."""
    return facecam_video(tmp_path_factory.mktemp("layout") / "facecam.mp4", duration=3.0)


def _jobs(b: Browserish) -> list[ExportJob]:
    with b.session_factory() as s:
        return list(s.scalars(select(ExportJob).where(ExportJob.user_id == b.user_id)))


def test_export_layout_refusals_and_stream_default(
    signed_up: Callable[[str], Browserish], cam_video: Path
) -> None:
    b = signed_up("layout@example.com")
    clip_id = seed_clip(b.client, b.email, cam_video, words=WORDS)
    page = b.get(f"/app/clips/{clip_id}").text
    # Every platform button says the shape it renders; X is landscape unless chosen otherwise.
    assert re.search(r'data-export="x">X / Twitter <span[^>]*>16:9 landscape<', page)
    assert re.search(r'data-export="shorts">YouTube Shorts <span[^>]*>9:16 vertical<', page)
    assert "vertical, captioned" not in page

    # Bad fields: a clear refusal, nothing queued, nothing remembered.
    for bad, message in (
        ({"reframe": "zoom"}, "reframe &#39;zoom&#39; is not one of"),
        ({"x_aspect": "4:3"}, "aspect &#39;4:3&#39; is not one of"),
        (
            {"facecam_x": "600", "facecam_y": "0", "facecam_width": "100"}
            | {"facecam_height": "100", "frame_width": "640", "frame_height": "360"},
            "must lie inside the frame",
        ),
    ):
        r = b.post(f"/app/clips/{clip_id}/export", {"preset": "shorts", **LAYOUT, **bad})
        assert r.status_code == 409 and message in r.text, r.text[:300]
    assert _jobs(b) == []
    r = b.post(f"/app/clips/{clip_id}/layout/preview", {**LAYOUT, "caption_position": "left"})
    assert r.status_code == 422 and "caption_position 'left'" in r.json()["detail"]

    # A preview is a 1080x1920-shaped JPEG (720p on the free plan) with its timing.
    r = b.post(f"/app/clips/{clip_id}/layout/preview", LAYOUT)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.headers["x-layout"] == "split" and float(r.headers["x-render-seconds"]) > 0
    assert r.content[:2] == b"\xff\xd8"
    # The frame for drawing the facecam: the file's size and the facecam found in its corner.
    frame = b.get(f"/app/clips/{clip_id}/layout/frame").json()
    assert (frame["width"], frame["height"]) == (640, 360)
    assert frame["facecam"]["x"] > 320 and frame["facecam"]["y"] > 180
    assert frame["image"].startswith("data:image/jpeg;base64,")

    # Exporting with a layout queues it with those options and makes it the stream's default.
    r = b.post(f"/app/clips/{clip_id}/export", {"preset": "x", **LAYOUT, "x_aspect": "1:1"})
    assert r.status_code == 303
    (job,) = _jobs(b)
    assert job.options["aspect"] == "1:1" and job.options["reframe"] == "split"
    assert job.options["caption_position"] == "top" and job.options["caption_style"] == "clean"
    with b.session_factory() as s:
        stream = s.get(Stream, s.get(Clip, clip_id).stream_id)  # type: ignore[union-attr]
        assert stream is not None and stream.settings["layout"]["reframe"] == "split"
    page = b.get(f"/app/clips/{clip_id}").text
    assert re.search(r'value="split" checked', page)
    assert re.search(r'data-export="x">X / Twitter <span[^>]*>1:1 square<', page)
    # A bare preset button (no layout sent) exports with the stream's default.
    assert b.post(f"/app/clips/{clip_id}/export", {"preset": "shorts"}).status_code == 303
    latest = max(_jobs(b), key=lambda j: j.id)
    assert latest.options["reframe"] == "split" and latest.options["aspect"] is None

    # Someone else's clip: 404 for the frame and the preview, no CSRF token: 403.
    other = signed_up("other@example.com")
    assert other.get(f"/app/clips/{clip_id}/layout/frame").status_code == 404
    other.get("/app/clips")
    assert other.post(f"/app/clips/{clip_id}/layout/preview", LAYOUT).status_code == 404
    r = b.client.post(f"/app/clips/{clip_id}/layout/preview", data=LAYOUT)
    assert r.status_code == 403


def _box(page: Any) -> dict[str, float]:
    return {
        k: float(page.input_value(f'input[name="facecam_{k}"]'))
        for k in ("x", "y", "width", "height")
    }


def _drag(page: Any, selector: str, dx: float, dy: float) -> None:
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2)
    page.mouse.move(x + dx, y + dy)
    page.mouse.up()


# The preview is a blob: URL (fetching it again is not allowed by the page's CSP): read the
# decoded picture back through a canvas, losslessly as PNG.
_PREVIEW_PNG = """() => {
  const img = document.querySelector('[data-preview-image]');
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  canvas.getContext('2d').drawImage(img, 0, 0);
  return canvas.toDataURL('image/png').split(',')[1];
}"""


@pytest.mark.timeout(600)
def test_facecam_over_gameplay_in_browser(
    server: ServerProcess, browser: Any, cam_video: Path, tmp_path: Path
) -> None:
    srv = server
    srv.register("cam@example.com")
    with client_on(srv) as client:
        clip_id = seed_clip(client, "cam@example.com", cam_video, words=WORDS, title="Corner cam")
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=srv.http)
    page = watch.attach(context.new_page())
    submit_credentials(
        page, "cam@example.com", path=f"/app/clips/{clip_id}", lands_on=f"**/app/clips/{clip_id}"
    )
    x_label = page.locator('[data-export="x"] [data-aspect]')
    assert x_label.inner_text() == "16:9 landscape"
    page.select_option('select[name="x_aspect"]', "9:16")
    assert x_label.inner_text() == "9:16 vertical"

    # Facecam over gameplay: the box appears on the face found in the corner.
    page.check('input[name="reframe"][value="split"]')
    page.locator("[data-box]").wait_for()
    status = page.locator("[data-facecam-status]")
    assert "Facecam found" in status.inner_text()
    found = _box(page)
    assert found["x"] > 320 and found["y"] > 180
    # Dragging moves it (in the frame's pixels); dragging back puts it on the face again.
    scale = page.locator("[data-frame]").bounding_box()["width"] / 640
    _drag(page, "[data-box]", -100 * scale, -60 * scale)
    moved = _box(page)
    assert abs(moved["x"] - (found["x"] - 100)) <= 4 and abs(moved["y"] - (found["y"] - 60)) <= 4
    _drag(page, "[data-box]", 100 * scale, 60 * scale)
    back = _box(page)
    assert abs(back["x"] - found["x"]) <= 4 and abs(back["y"] - found["y"]) <= 4
    page.select_option('select[name="caption_position"]', "top")

    # The preview: the export's first frame, face on top and gameplay below.
    page.click("[data-preview-export]")
    page.wait_for_selector("[data-preview-status]:has-text('Rendered in')")
    seconds = float(re.findall(r"[\d.]+", page.inner_text("[data-preview-status]"))[0])
    print(f"preview rendered in {seconds:.2f} s (measured under load)")
    preview_file = tmp_path / "preview.png"
    preview_file.write_bytes(base64.b64decode(page.evaluate(_PREVIEW_PNG)))
    still = read_image(preview_file)
    top_has_face_bottom_has_gameplay(still)
    shot(page, "clip-layout-split-desktop")
    page.set_viewport_size(PHONE)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"]
    page.locator("#exports").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "unused.png"))  # lays the page out at phone width
    shot(page, "clip-layout-split-phone")
    page.set_viewport_size(DESKTOP)

    # The render: its first frame is the preview; the downloaded MP4 has the face on top.
    page.click('[data-export="shorts"]')
    page.wait_for_url(re.compile(rf"/app/clips/{clip_id}"))
    page.wait_for_selector('[data-export-status="done"]', timeout=240_000)
    href = page.get_attribute("[data-export-download]", "href")
    assert href
    video = tmp_path / "export.mp4"
    video.write_bytes(page.request.get(href).body())
    first = frame_at(video, 0.0, tmp_path / "first.png")
    assert first.shape == still.shape
    assert float(abs(first.astype(int) - still.astype(int)).mean()) < 4.0
    top_has_face_bottom_has_gameplay(first)
    top_has_face_bottom_has_gameplay(frame_at(video, 2.0))

    # Remembered: the page opens on facecam over gameplay with the box where it was left.
    page.reload()
    assert page.is_checked('input[name="reframe"][value="split"]')
    page.locator("[data-box]").wait_for()
    kept = _box(page)
    assert abs(kept["x"] - back["x"]) <= 2 and abs(kept["y"] - back["y"]) <= 2
    assert page.input_value('select[name="caption_position"]') == "top"
    shot(page, "clip-layout-remembered-desktop")
    context.close()
    assert watch.errors == []
    with client_on(srv) as client:
        factory = client.app.state.ctx.session_factory  # type: ignore[attr-defined]
        with factory() as s:
            assert s.scalar(select(func.count()).select_from(ExportJob)) == 1
