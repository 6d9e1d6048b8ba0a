"""How every media input is opened: the demuxer forced from the declared type, local files only.

Left to itself ffmpeg guesses a file's format from its content, and several demuxers (DASH,
HLS, concat, image sequences, ...) then open further files or URLs named inside the file: a
"segment" made of ``<!--ftypjp2 -->`` and a DASH manifest was probed as DASH and its
``BaseURL`` read another user's segment. So nothing is opened with a guessed format. Each input
is a ``MediaSource`` of a known container, opened with ``-f`` of that container, a format
whitelist of that demuxer alone (nested opens included) and a protocol whitelist of ``file``;
PyAV gets the same through ``open_av``. ``media.ffmpeg`` refuses to run a command with an
input that did not come from here, so no call site can forget.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clippy.errors import MediaError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from av.container import InputContainer, OutputContainer

__all__ = [
    "CONTAINERS",
    "Container",
    "InvalidMedia",
    "MediaSource",
    "container_for_mime",
    "generated",
    "media_input",
    "operator_input",
]

LOCAL_PROTOCOLS = "file"
# What ``clippy process`` may read when the operator names a URL on the command line.
_OPERATOR_PROTOCOLS = "file,http,https,tcp,tls,crypto"


class InvalidMedia(MediaError, ValueError):
    """The file is empty, truncated, not media of its declared type, or has no stream."""


@dataclass(frozen=True)
class Container:
    """A container the app reads: its name, ffmpeg's demuxer and what that demuxer may open."""

    name: str
    demuxer: str  # the ``-f`` value
    formats: str  # the ``format_whitelist``: the demuxer, plus the one it opens nested (concat)
    suffix: str  # the file suffix the app gives files of this container


CONTAINERS: dict[str, Container] = {
    c.name: c
    for c in (
        Container("webm", "matroska", "matroska", ".webm"),
        Container("matroska", "matroska", "matroska", ".mkv"),
        Container("mp4", "mp4", "mp4", ".mp4"),
        Container("mpegts", "mpegts", "mpegts", ".ts"),
        Container("m4a", "mp4", "mp4", ".m4a"),
        Container("wav", "wav", "wav", ".wav"),
        # Concat listings are written by the cutter and name only its own MPEG-TS pieces.
        Container("concat", "concat", "concat,mpegts", ".txt"),
        Container("png", "png_pipe", "png_pipe", ".png"),
        Container("jpeg", "jpeg_pipe", "jpeg_pipe", ".jpg"),
        Container("webp", "webp_pipe", "webp_pipe", ".webp"),
        Container("lavfi", "lavfi", "lavfi", ""),
    )
}
_BY_SUFFIX = {c.suffix: c for c in reversed(CONTAINERS.values()) if c.suffix}
_MIME_CONTAINERS = {
    "video/webm": "webm",
    "audio/webm": "webm",
    "video/x-matroska": "matroska",
    "video/mp4": "mp4",
    "video/mp2t": "mpegts",
}


def container_for_mime(mime: str) -> Container:
    """The container a segment's declared MIME type names; ``InvalidMedia`` for others."""
    base = mime.split(";")[0].strip().lower()
    name = _MIME_CONTAINERS.get(base)
    if name is None:
        known = ", ".join(sorted(_MIME_CONTAINERS))
        raise InvalidMedia(f"type {mime!r} is not accepted; send one of {known}")
    return CONTAINERS[name]


@dataclass(frozen=True)
class MediaSource:
    """One media input: where it is, how it must be demuxed and which protocols it may use."""

    location: str
    container: Container | None  # None only for an operator's own input (format guessed)
    protocols: str = LOCAL_PROTOCOLS

    def input_args(self) -> list[str]:
        """ffmpeg/ffprobe arguments that open this input (``... -i location``)."""
        args = ["-protocol_whitelist", self.protocols]
        if self.container is not None:
            c = self.container
            args += ["-format_whitelist", c.formats, "-f", c.demuxer]
        return [*args, "-i", self.location]

    def range_args(self, start: float, end: float) -> list[str]:
        """ffmpeg arguments that read ``[start, end)`` of this input's first video and audio
        streams (either may be missing); output options follow."""
        return [
            "-ss",
            f"{start:.6f}",
            *self.input_args(),
            "-t",
            f"{end - start:.6f}",
            "-map",
            "0:v:0?",
            "-map",
            "0:a:0?",
        ]

    def av_options(self) -> dict[str, str]:
        """The same restrictions as PyAV ``options``."""
        opts = {"protocol_whitelist": self.protocols}
        if self.container is not None:
            opts["format_whitelist"] = self.container.formats
        return opts

    def open_av(self, options: Mapping[str, str] | None = None) -> InputContainer:
        """Open this input with PyAV under the same restrictions as ``input_args``;
        ``options`` adds demuxer options (never over those restrictions)."""
        import av

        fmt = self.container.demuxer if self.container is not None else None
        return av.open(
            self.location, mode="r", format=fmt, options={**(options or {}), **self.av_options()}
        )


def media_input(path: Path | str | MediaSource, container: str | None = None) -> MediaSource:
    """A local file of the app's own storage as a ``MediaSource``.

    ``container`` names its type; without it the type follows the suffix the app gave the
    file (stored segments carry the suffix of their declared MIME type). Anything else is
    refused with ``InvalidMedia``: there is no guessing.
    """
    if isinstance(path, MediaSource):
        return path
    text = str(path)
    if "://" in text or text.startswith("-"):
        raise InvalidMedia(f"{text!r} is not a local media file")
    if container is not None:
        return MediaSource(text, CONTAINERS[container])
    found = _BY_SUFFIX.get(Path(text).suffix.lower())
    if found is None:
        raise InvalidMedia(f"{Path(text).name} has no known media type (suffix)")
    return MediaSource(text, found)


def open_output(path: Path, fmt: str, options: dict[str, str] | None = None) -> OutputContainer:
    """Open ``path`` for writing with PyAV as container ``fmt`` (the app's own output file).

    Writing is kept here beside reading so every ``av.open`` of the app is in this module."""
    import av

    return av.open(str(path), mode="w", format=fmt, options=options or {})


def generated(graph: str) -> MediaSource:
    """An input generated by an ffmpeg lavfi ``graph`` (black frames, silence)."""
    return MediaSource(graph, CONTAINERS["lavfi"])


def operator_input(location: str) -> MediaSource:
    """An input named by the operator on ``clippy process``'s command line: a file or URL.

    Only here is the format guessed and network protocols allowed; no user of the service
    can name such an input.
    """
    return MediaSource(location, None, _OPERATOR_PROTOCOLS)
