"""Import a video by link: download it (yt-dlp), cut it into 10 s pieces, and feed them to the
same ingest path as a recorded stream, so its clips land in the gallery like a live one's.

Pieces are cut by stream copy into Matroska (any codec fits, nothing is re-encoded), each
starting at a keyframe; their start and end times come from ffmpeg's segment list. An import
resumed after a restart skips the pieces its stream already stored.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from clippy.db import Recording, RecordingStatus, session_scope
from clippy.errors import ClippyError, NotFound
from clippy.ingest import ProtocolError
from clippy.media.ffmpeg import ffmpeg
from clippy.media.source import media_input
from clippy.record.feed import SEGMENT_SECONDS, RecordParts, StreamFeed, set_status
from clippy.record.links import LinkError, fetch_video, read_live_chat

__all__ = ["Piece", "import_video", "split_pieces"]

log = logging.getLogger(__name__)

MKV_MIME = "video/x-matroska"
# Share of the progress bar the download takes; storing the pieces takes the rest.
_DOWNLOAD_SHARE = 0.5


@dataclass(frozen=True)
class Piece:
    """One cut piece of an imported video: its file and its place in the video (s)."""

    path: Path
    start: float
    duration: float


def split_pieces(src: Path, out_dir: Path, seconds: float = SEGMENT_SECONDS) -> list[Piece]:
    """Cut ``src`` into pieces of about ``seconds`` by stream copy, each from a keyframe."""
    out_dir.mkdir(parents=True, exist_ok=True)
    listing = out_dir / "pieces.csv"
    ffmpeg(
        [
            # Forced by the suffix yt-dlp gave it: a "video" that is really a playlist or a
            # concat list must not make ffmpeg open other files or URLs.
            *media_input(src).input_args(),
            *("-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-sn", "-dn"),
            *("-f", "segment", "-segment_time", f"{seconds:g}", "-segment_format", "matroska"),
            *("-reset_timestamps", "1", "-segment_list", str(listing)),
            *("-segment_list_type", "csv"),
            str(out_dir / "piece%05d.mkv"),
        ],
        what="cutting the import into pieces",
        timeout=3600,
    )
    pieces = []
    with listing.open(newline="") as f:
        for name, start, end in csv.reader(f):
            pieces.append(Piece(out_dir / name, float(start), float(end) - float(start)))
    return [p for p in pieces if p.duration > 0]


async def import_video(parts: RecordParts, recording_id: int, stop: asyncio.Event) -> None:
    """Import video recording ``recording_id`` into its stream; ends it for final detection.

    Never raises for the link's problems: they end up in the recording's status and error."""
    url = await asyncio.to_thread(_url, parts, recording_id)
    work = parts.settings.data_dir / "tmp" / f"import-{recording_id}"
    loop = asyncio.get_running_loop()
    feed: StreamFeed | None = None
    final, error = RecordingStatus.ENDED, ""

    shown = [0.0]

    def on_download(fraction: float) -> None:
        if fraction - shown[0] < 0.02 and fraction < 1.0:
            return  # yt-dlp reports every block: the database hears of every 2 %
        shown[0] = fraction
        loop.call_soon_threadsafe(
            lambda: loop.create_task(
                set_status(parts, recording_id, RecordingStatus.RECORDING, None, fraction * 0.5)
            )
        )

    try:
        await set_status(parts, recording_id, RecordingStatus.RECORDING, "", 0.0)
        video = await asyncio.to_thread(fetch_video, url, work / "download", on_download)
        await asyncio.to_thread(_set_title, parts, recording_id, video.title)
        pieces = await asyncio.to_thread(split_pieces, video.path, work / "pieces")
        feed = await StreamFeed.open(parts, recording_id, video.extractor.lower()[:40])
        if video.chat is not None and feed.next_seq == 0:
            await _store_chat(feed, video.chat)
        for i, piece in enumerate(pieces):
            if stop.is_set():
                final = RecordingStatus.STOPPED
                break
            if i < feed.next_seq:
                continue  # stored before a restart
            feed.time = piece.start
            await feed.store(piece.path.read_bytes(), piece.duration, MKV_MIME)
            done = _DOWNLOAD_SHARE + (1 - _DOWNLOAD_SHARE) * (i + 1) / len(pieces)
            await set_status(parts, recording_id, RecordingStatus.RECORDING, None, done)
    except LinkError as exc:
        final, error = RecordingStatus.FAILED, str(exc)
    except ProtocolError as exc:
        final, error = RecordingStatus.FAILED, exc.message
    except ClippyError as exc:
        final, error = RecordingStatus.FAILED, str(exc)
    except asyncio.CancelledError:
        if feed is not None:
            feed.close()
        raise
    except Exception as exc:
        log.exception("import %s failed", recording_id)
        final, error = RecordingStatus.FAILED, f"{exc.__class__.__name__}: {exc}"
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)
    if feed is not None:
        await feed.end()
        feed.close()
    progress = 1.0 if final == RecordingStatus.ENDED else None
    await set_status(parts, recording_id, final, error, progress)


async def _store_chat(feed: StreamFeed, path: Path) -> None:
    lines = read_live_chat(path.read_text(encoding="utf-8", errors="replace"))
    if lines:
        await feed.add_chat(lines)


def _url(parts: RecordParts, recording_id: int) -> str:
    with session_scope(parts.session_factory) as session:
        rec = session.get(Recording, recording_id)
        if rec is None:
            raise NotFound(f"recording {recording_id} not found")
        return rec.url


def _set_title(parts: RecordParts, recording_id: int, title: str) -> None:
    with session_scope(parts.session_factory) as session:
        rec = session.get(Recording, recording_id)
        if rec is not None:
            rec.title = title
