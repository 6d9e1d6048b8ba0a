"""Branding (business logo on exports): image checks by decoding, placement and filter graph
as strings, real renders checked by pixels, jobs that keep the logo they were made with, and
a missing logo that costs nothing but the logo. The settings routes: tests/dashboard.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from clippy.accounts.plans import get_plan
from clippy.branding.logos import BrandingRefused, prune_logos, save_logo
from clippy.branding.options import (
    Branding,
    BrandingError,
    check_options,
    place_logo,
    read_branding,
)
from clippy.db.models import ExportJob, User
from clippy.export.graph import GraphSpec, filter_graph
from clippy.export.jobs import create_export
from clippy.export.plan import ExportOptions, plan_export
from clippy.export.reframe import Rect
from clippy.export.render import export_args, render_export
from clippy.export.timeline import build_timeline
from clippy.export.worker import run_job
from clippy.media.image import ImageRejected, normalise_image, sniff_format
from clippy.media.source import media_input
from clippy.retention.sweeper import sweep_orphans
from clippy.storage.keys import logo_key
from tests.export.conftest import frame_at, seed_clip
from tests.fixtures.app import register_user

T0 = 100.0
MB = 1024 * 1024
RED, BLUE = (230, 20, 20), (20, 40, 230)
BACKGROUND = 0x20  # pattern_video's flat dark background


def make_image(
    path: Path, colour: str, size: str = "120x60", codec: list[str] | None = None
) -> Path:
    """A one-frame image made by ffmpeg (the format follows the suffix or ``codec``)."""
    subprocess.run(
        [
            *(
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"color=c={colour}:s={size},format=rgba",
            ),
            *("-frames:v", "1", *(codec or []), str(path)),
        ],
        check=True,
    )
    return path


def _branding(corner: str = "bottom-left", size: int = 20, opacity: int = 100) -> Branding:
    return Branding(logo_key(1, "ab" * 32), 200, 100, corner, size, opacity)


# ---- pure: options, placement, graph -------------------------------------------------


def test_placement_per_corner_and_size() -> None:
    w, h, margin = 1080, 1920, round(1080 * 0.04)
    spots = {c: place_logo(_branding(c), w, h) for c in ("top-left", "top-right")}
    spots |= {c: place_logo(_branding(c), w, h) for c in ("bottom-left", "bottom-right")}
    assert {(p.width, p.height) for p in spots.values()} == {(216, 108)}  # 20 % wide, 2:1
    assert (spots["top-left"].x, spots["top-left"].y) == (margin, margin)
    assert (spots["top-right"].x, spots["top-right"].y) == (w - 216 - margin, margin)
    assert (spots["bottom-left"].x, spots["bottom-left"].y) == (margin, h - 108 - margin)
    assert spots["bottom-right"].x + 216 + margin == w
    assert place_logo(_branding(opacity=40), w, h).alpha == 0.4
    # A very tall logo on a wide frame is capped at half the frame height.
    tall = Branding(logo_key(1, "cd" * 32), 100, 2000, "top-left", 30, 100)
    p = place_logo(tall, 1920, 1080)
    assert p.height == 540 and p.width % 2 == 0 and p.width < 60


def test_options_are_checked() -> None:
    check_options("top-left", 5, 20)
    check_options("bottom-right", 30, 100)
    for corner, size, opacity, word in (
        ("middle", 10, 50, "position"),
        ("top-left", 4, 50, "size"),
        ("top-left", 31, 50, "size"),
        ("top-left", 10, 19, "opacity"),
        ("top-left", 10, 101, "opacity"),
    ):
        with pytest.raises(BrandingError, match=word):
            check_options(corner, size, opacity)
    # Settings JSON that is incomplete, out of range or points outside branding/ is ignored.
    good = _branding().to_json()
    assert read_branding({"branding": good}) == _branding()
    for bad in ({**good, "size": 50}, {**good, "key": "streams/1/x.png"}, {"key": good["key"]}):
        assert read_branding({"branding": bad}) is None
    assert read_branding({}) is None and read_branding(None) is None


def test_filter_graph_overlays_the_logo_under_the_captions() -> None:
    spec = GraphSpec(
        area=Rect(0, 0, 640, 360),
        out_w=1080,
        out_h=1920,
        timeline=build_timeline([(T0, T0 + 3.0)], 3.0, 0.0),
        ass_path=Path("/tmp/x/export.ass"),
        logo=place_logo(_branding("top-right", 10, 60), 1080, 1920),
    )
    graph = filter_graph(spec)
    assert (
        "[1:v]format=rgba,scale=108:54:flags=lanczos,colorchannelmixer=aa=0.60[logo];"
        "[joined][logo]overlay=x=929:y=43:eof_action=repeat:format=yuv420[branded];"
        "[branded]ass=filename=/tmp/x/export.ass,format=yuv420p[vout]"
    ) in graph
    plain = filter_graph(GraphSpec(**{**spec.__dict__, "logo": None}))
    assert "[1:v]" not in plain and "[joined]ass=filename=" in plain
    args = export_args(Path("in.mp4"), Path("g.txt"), Path("out.mp4"), Path("logo.png"))
    video, logo = media_input(Path("in.mp4")), media_input(Path("logo.png"), "png")
    assert args[:16] == [*video.input_args(), *logo.input_args()]
    assert args[4:7] == ["-f", "mp4", "-i"] and args[12:15] == ["-f", "png_pipe", "-i"]
    assert "logo.png" not in export_args(Path("in.mp4"), Path("g.txt"), Path("out.mp4"))


def test_plan_places_the_logo_only_on_business() -> None:
    opts = ExportOptions("shorts", captions=False)
    biz = plan_export(opts, get_plan("business"), [(T0, T0 + 3)], 3.0, _branding())
    assert biz.logo == place_logo(_branding(), biz.width, biz.height)
    for plan in ("free", "pro"):
        other = plan_export(opts, get_plan(plan), [(T0, T0 + 3)], 3.0, _branding())
        assert other.logo is None and other.branding is None
    assert plan_export(opts, get_plan("business"), [(T0, T0 + 3)], 3.0).logo is None


# ---- image checks (real ffmpeg) --------------------------------------------------------


def _rgba(png: bytes, tmp: Path) -> np.ndarray:
    path = tmp / "check.png"
    path.write_bytes(png)
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, np.uint8)


def test_png_jpeg_webp_are_normalised_to_png_with_alpha(tmp_path: Path) -> None:
    cases = [
        (make_image(tmp_path / "a.png", "red@0.5"), "png"),
        (make_image(tmp_path / "b.jpg", "blue"), "jpeg"),
        (
            make_image(
                tmp_path / "c.webp", "green@0.5", codec=["-c:v", "libwebp", "-pix_fmt", "yuva420p"]
            ),
            "webp",
        ),
    ]
    for path, fmt in cases:
        img = normalise_image(path.read_bytes(), max_bytes=2 * MB, max_side=2000)
        assert (img.width, img.height, img.source_format) == (120, 60, fmt)
        assert sniff_format(img.png) == "png"
        alpha = _rgba(img.png, tmp_path).reshape(60, 120, 4)[..., 3]
        if fmt == "jpeg":
            assert alpha.min() == 255
        else:  # half-transparent input stays half transparent
            assert 110 <= int(np.median(alpha)) <= 145


def test_bad_images_are_refused_with_a_reason(tmp_path: Path) -> None:
    png = make_image(tmp_path / "a.png", "red", "400x300").read_bytes()
    jpg = make_image(tmp_path / "a.jpg", "red", "400x300").read_bytes()
    webp = make_image(tmp_path / "a.webp", "red", "400x300", ["-c:v", "libwebp"]).read_bytes()
    wide = make_image(tmp_path / "wide.png", "red", "2100x40").read_bytes()
    # 25 MP of one colour: a small file that would need 100 MB to decode.
    bomb = make_image(tmp_path / "bomb.png", "red", "5000x5000").read_bytes()
    assert len(bomb) < 2 * MB
    cases = [
        (b"", "empty"),
        (b"hello, this is text\n", "not a PNG, JPEG or WebP image"),
        (b"#EXTM3U\n#EXT-X-ENDLIST\n", "not a PNG, JPEG or WebP image"),
        (png[: len(png) // 2], "damaged or incomplete"),
        (png[:-12], "damaged or incomplete"),  # no IEND chunk
        (jpg[: len(jpg) // 2], "damaged or incomplete"),
        (webp[: len(webp) // 2], "damaged or incomplete"),
        (png + b"\0" * (2 * MB), "limit is 2 MB"),
        (wide, "2100x40 px; at most 2000x2000"),
        (bomb, "too many pixels"),
    ]
    for data, message in cases:
        with pytest.raises(ImageRejected, match=message):
            normalise_image(data, max_bytes=2 * MB, max_side=2000)


# ---- real renders ------------------------------------------------------------------------


def _mean(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    return frame[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)


def _close(a: np.ndarray, rgb: tuple[int, int, int], tol: float = 40) -> bool:
    return bool(np.abs(a - np.array(rgb)).max() <= tol)


def _render(pattern_clip: Path, tmp: Path, branding: Branding, logo: Path | None) -> np.ndarray:
    opts = ExportOptions("shorts", quality=720, captions=False, reframe="fit", fill="black")
    plan = plan_export(opts, get_plan("business"), [(T0, T0 + 2.0)], 2.0, branding)
    res = render_export(pattern_clip, plan, [], None, tmp, logo_file=logo)
    assert res.branded is (logo is not None)
    return frame_at(res.video, 1.0, tmp / "frame.png")


def test_logo_is_burned_in_its_corner(pattern_clip: Path, tmp_path: Path) -> None:
    red = make_image(tmp_path / "red.png", "0xE61414", "200x100")
    branding = Branding(logo_key(1, "ab" * 32), 200, 100, "bottom-left", 20, 100)
    frame = _render(pattern_clip, tmp_path / "a", branding, red)
    h, w, _ = frame.shape
    p = place_logo(branding, w, h)
    inner = _mean(frame, p.x + 4, p.y + 4, p.x + p.width - 4, p.y + p.height - 4)
    assert _close(inner, RED), inner
    # The opposite corner (and just outside the logo) is the black fill.
    assert _close(_mean(frame, w - p.x - p.width, p.y, w - p.x, p.y + p.height), (0, 0, 0), 12)
    assert _close(_mean(frame, p.x, p.y - 12, p.x + p.width, p.y - 4), (0, 0, 0), 12)

    # 50 % opacity over black: half the colour.
    half = Branding(branding.key, 200, 100, "top-right", 20, 50)
    frame = _render(pattern_clip, tmp_path / "b", half, red)
    p = place_logo(half, w, h)
    inner = _mean(frame, p.x + 4, p.y + 4, p.x + p.width - 4, p.y + p.height - 4)
    assert _close(inner, (115, 10, 10), 25), inner
    assert _close(_mean(frame, p.x - p.x, p.y, p.width, p.y + p.height), (0, 0, 0), 12)

    # No logo file: the same plan renders unbranded.
    frame = _render(pattern_clip, tmp_path / "c", half, None)
    assert _close(_mean(frame, p.x, p.y, p.x + p.width, p.y + p.height), (0, 0, 0), 12)


# ---- jobs: the recorded logo, a changed logo, a missing logo -----------------------------


def _run(client: TestClient, job_id: int) -> ExportJob:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.session_factory() as s:
        job = s.get(ExportJob, job_id)
        job.status = "running"
        s.commit()
    done = run_job(ctx.session_factory, ctx.store, job_id, threading.Event())
    assert done is not None and done.status == "done"
    return done


def _export_corner(client: TestClient, job: ExportJob, tmp: Path) -> np.ndarray:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    assert job.result_key is not None
    with ctx.store.open_local(job.result_key) as video:
        frame = frame_at(video, 1.0, tmp / f"job{job.id}.png")
    branding = Branding.from_json(job.options["branding"])
    assert branding is not None
    p = place_logo(branding, frame.shape[1], frame.shape[0])
    return _mean(frame, p.x + 4, p.y + 4, p.x + p.width - 4, p.y + p.height - 4)


# Render-heavy: SQLite only (the job rows are plain JSON on both databases).
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_jobs_keep_their_logo_and_survive_a_missing_one(
    make_client: Callable[..., TestClient], pattern_clip: Path, tmp_path: Path
) -> None:
    client = make_client()
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    register_user(client, "brand@example.test")
    clip_id = seed_clip(client, "brand@example.test", pattern_clip, plan="business")
    red = make_image(tmp_path / "red.png", "0xE61414", "200x100").read_bytes()
    blue = make_image(tmp_path / "blue.png", "0x1428E6", "200x100").read_bytes()
    opts = ExportOptions("shorts", quality=720, captions=False, reframe="fit", fill="black")

    with ctx.session_factory() as s:
        user = s.scalars(select(User).where(User.email == "brand@example.test")).one()
        first = save_logo(ctx.store, user, red, "top-left", 25, 100)
        job_red = create_export(s, user, clip_id, opts).id
        s.commit()
        # The logo changes while the job waits: the old version stays for the job.
        save_logo(ctx.store, user, blue, "top-left", 25, 100)
        job_blue = create_export(s, user, clip_id, opts).id
        s.commit()
        assert prune_logos(s, ctx.store, user) == 0
        assert ctx.store.exists(first.key)

    red_job = _run(client, job_red)
    assert red_job.result["branding"] == "applied"
    assert _close(_export_corner(client, red_job, tmp_path), RED)
    blue_job = _run(client, job_blue)
    assert _close(_export_corner(client, blue_job, tmp_path), BLUE)
    # Both jobs are done: the next change sweeps the version nothing needs any more.
    with ctx.session_factory() as s:
        user = s.scalars(select(User).where(User.email == "brand@example.test")).one()
        assert prune_logos(s, ctx.store, user) == 1
        assert not ctx.store.exists(first.key)

        # A logo object that is gone at render time: the export still succeeds, unbranded.
        job_gone = create_export(s, user, clip_id, opts).id
        s.commit()
        current = read_branding(user.settings)
        assert current is not None
        ctx.store.delete(current.key)
    gone = _run(client, job_gone)
    assert gone.result["branding"] == "logo missing"
    assert _close(_export_corner(client, gone, tmp_path), (0, 0, 0), 12)


def test_logo_needs_the_business_plan(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = make_client()
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    register_user(client, "pro@example.test")
    png = make_image(tmp_path / "red.png", "red").read_bytes()
    with ctx.session_factory() as s:
        user = s.scalars(select(User).where(User.email == "pro@example.test")).one()
        user.plan = "pro"
        with pytest.raises(BrandingRefused, match="Business plan; you are on Pro"):
            save_logo(ctx.store, user, png, "top-left", 10, 100)
    assert list(ctx.store.list("branding/")) == []


def test_a_deleted_accounts_logos_are_swept(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = make_client()
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    for email in ("gone@example.test", "stays@example.test"):
        register_user(client, email)
    png = make_image(tmp_path / "red.png", "red").read_bytes()
    with ctx.session_factory() as s:
        users = list(s.scalars(select(User).order_by(User.id)))
        for user in users:
            user.plan = "business"
            save_logo(ctx.store, user, png, "top-left", 10, 100)
        s.commit()
        gone, stays = users
        s.delete(gone)
        s.commit()
    assert sweep_orphans(ctx.session_factory, ctx.store) == 1
    kept = read_branding(stays.settings)
    assert kept is not None and list(ctx.store.list("branding/")) == [kept.key]
