"""The landing page's example clip: real files made by the pipeline (scripts/
make_landing_example.py), served by the app, small, and playable in a real browser."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clippy.web.pages.public import EXAMPLE_DIR, example_clip
from tests.dashboard.conftest import DESKTOP, PHONE, ConsoleWatch, shot
from tests.fixtures.server import ServerProcess

BUDGET_BYTES = 400_000


def _stream(path: Path, kind: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            kind,
            "-show_entries",
            "stream=codec_name,width,height:format=duration",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    return {**data["streams"][0], "duration": float(data["format"]["duration"])}


def test_example_files_are_a_small_vertical_clip_with_sound() -> None:
    clip, thumb = EXAMPLE_DIR / "clip.mp4", EXAMPLE_DIR / "thumb.jpg"
    assert clip.stat().st_size + thumb.stat().st_size <= BUDGET_BYTES
    video = _stream(clip, "v:0")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 360, 640)
    assert 8.0 <= video["duration"] <= 12.5
    assert _stream(clip, "a:0")["codec_name"] == "aac"
    assert _stream(thumb, "v:0")["width"] == 360
    card = example_clip()
    assert card is not None and card["reason"] and card["captions"]
    assert card["clock"] == f"0:{round(video['duration']):02d}"


def test_landing_embeds_the_example_from_its_own_static_files(client: TestClient) -> None:
    html = client.get("/").text
    tag = re.search(r"<video [^>]*data-example-video[^>]*>", html)
    assert tag is not None
    video = tag.group(0)
    for attribute in ("muted", "controls", "playsinline", 'preload="metadata"'):
        assert attribute in video
    src = re.search(r'src="([^"]+)"', video)
    poster = re.search(r'poster="([^"]+)"', video)
    assert src and poster and src.group(1).startswith("/static/example/clip.mp4")
    assert poster.group(1).startswith("/static/example/thumb.jpg")
    assert "http://" not in html and "https://" not in html  # no external assets at all
    r = client.get(src.group(1))
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    part = client.get(src.group(1), headers={"Range": "bytes=0-1023"})
    assert part.status_code == 206 and len(part.content) == 1024  # seekable in a browser
    img = client.get(poster.group(1))
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"


# Metadata loaded and the preload finished.
_LOADED = """() => { const v = document.querySelector('[data-example-video]');
  return v.readyState >= 1 && v.duration > 0 && v.networkState !== 2; }"""


@pytest.mark.timeout(300)
def test_example_clip_plays_in_the_browser(server: ServerProcess, browser: Any) -> None:
    watch = ConsoleWatch()
    context = browser.new_context(viewport=DESKTOP, base_url=server.http)
    external: list[str] = []
    context.on(
        "request",
        lambda req: None if req.url.startswith(server.http) else external.append(req.url),
    )
    for viewport, name in ((DESKTOP, "landing-example-desktop"), (PHONE, "landing-example-phone")):
        page = watch.attach(context.new_page())
        page.set_viewport_size(viewport)
        page.goto("/")
        page.wait_for_function(_LOADED, timeout=15_000)
        video = page.evaluate(
            """() => { const v = document.querySelector('[data-example-video]');
              return {duration: v.duration, width: v.videoWidth, height: v.videoHeight,
                      muted: v.muted, shown: v.getBoundingClientRect().width}; }"""
        )
        assert 8.0 <= video["duration"] <= 12.5
        assert (video["width"], video["height"]) == (360, 640) and video["muted"]
        assert video["shown"] >= 240  # not squeezed on a phone
        # The poster frame is what a visitor sees before pressing play.
        assert (
            page.evaluate(
                "async () => { const i = new Image();"
                " i.src = document.querySelector('[data-example-video]').poster;"
                " await i.decode(); return i.naturalWidth; }"
            )
            == 360
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # Chromium's controls fade their loading spinner out after the load ends.
        page.wait_for_timeout(1500)
        shot(page, name)
        # Playing works (muted autoplay-free: the visitor presses play, the test calls it).
        page.evaluate("document.querySelector('[data-example-video]').play()")
        page.wait_for_function(
            "() => document.querySelector('[data-example-video]').currentTime > 0.5",
            timeout=15_000,
        )
        page.close()
    context.close()
    assert external == []
    assert watch.errors == []
