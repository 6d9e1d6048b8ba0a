"""Container structure checks on a segment's bytes (pure, no I/O).

ffmpeg reads a file as far as it makes sense and ignores the rest, so a WebM followed by a
megabyte of anything is "valid" to ffprobe. Each declared type is checked here before ffmpeg
sees it: its signature at the start (the magic check) and its top-level structure, which must
account for every byte up to the end of the file.
"""

from __future__ import annotations

from clippy.media.source import Container, InvalidMedia

__all__ = ["check_structure"]

_EBML = 0x1A45DFA3
_SEGMENT = 0x18538067
_CLUSTER = 0x1F43B675
_VOID, _CRC32 = 0xEC, 0xBF
# Children of a Segment (Matroska level 1) and of a Cluster (level 2), from the specification.
_LEVEL1 = {
    0x114D9B74,  # SeekHead
    0x1549A966,  # Info
    0x1654AE6B,  # Tracks
    _CLUSTER,
    0x1C53BB6B,  # Cues
    0x1043A770,  # Chapters
    0x1254C367,  # Tags
    0x1941A469,  # Attachments
    _VOID,
    _CRC32,
}
_CLUSTER_CHILDREN = {0xE7, 0xA3, 0xA0, 0xA7, 0xAB, 0x5854, 0xAF, _VOID, _CRC32}
_TS_PACKET = 188
_LABELS = {"webm": "WebM", "matroska": "Matroska", "mp4": "MP4", "mpegts": "MPEG-TS"}


def check_structure(data: bytes | memoryview, container: Container) -> None:
    """Check ``data`` starts with ``container``'s signature and holds nothing after its end.

    Raises ``InvalidMedia`` saying what is wrong and where.
    """
    view = memoryview(data).cast("B") if isinstance(data, memoryview) else memoryview(data)
    if len(view) == 0:
        raise InvalidMedia("empty (0 bytes)")
    if container.demuxer == "matroska":
        _check_matroska(view, _LABELS[container.name])
    elif container.demuxer == "mp4":
        _check_mp4(view)
    elif container.demuxer == "mpegts":
        _check_mpegts(view)
    else:
        raise InvalidMedia(f"{container.name} is not a segment container")


def _head(view: memoryview) -> str:
    return "0x" + bytes(view[:4]).hex().upper()


def _vint(view: memoryview, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at ``pos``: (value, length, all ones = unknown size)."""
    if pos >= len(view):
        raise InvalidMedia(f"truncated at byte {pos}")
    first = view[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(view):
        raise InvalidMedia(f"not a Matroska element at byte {pos}")
    value = first if keep_marker else first & (0xFF >> length)
    for b in view[pos + 1 : pos + length]:
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, unknown


def _element(view: memoryview, pos: int) -> tuple[int, int, int | None]:
    """(id, data start, data end or None for an unknown size) of the element at ``pos``."""
    ident, n_id, _ = _vint(view, pos, keep_marker=True)
    size, n_size, unknown = _vint(view, pos + n_id, keep_marker=False)
    start = pos + n_id + n_size
    if unknown:
        return ident, start, None
    if start + size > len(view):
        raise InvalidMedia(
            f"truncated: element at byte {pos} ends {start + size - len(view)} bytes past the end"
        )
    return ident, start, start + size


def _check_matroska(view: memoryview, label: str) -> None:
    ident, _, end = _element(view, 0) if view[:4] == b"\x1a\x45\xdf\xa3" else (0, 0, None)
    if ident != _EBML or end is None:
        raise InvalidMedia(
            f"not a media file: a {label} file starts with 0x1A45DFA3, this one with {_head(view)}"
        )
    ident, start, seg_end = _element(view, end)
    if ident != _SEGMENT:
        raise InvalidMedia(f"no Matroska segment after the header (byte {end})")
    if seg_end is not None:
        if seg_end != len(view):
            raise InvalidMedia(f"{len(view) - seg_end} bytes of something else after the media")
        return
    # A live recorder writes the segment (and its clusters) with an unknown size: walk it.
    pos = start
    while pos < len(view):
        ident, data, end = _element(view, pos)
        if ident not in _LEVEL1:
            raise InvalidMedia(f"unexpected bytes at {pos} ({len(view) - pos} bytes to the end)")
        if end is None:
            if ident != _CLUSTER:
                raise InvalidMedia(f"an element of unknown size at byte {pos}")
            end = _walk_cluster(view, data)
        pos = end


def _walk_cluster(view: memoryview, pos: int) -> int:
    """The end of a cluster of unknown size starting its children at ``pos``."""
    while pos < len(view):
        ident, _, end = _element(view, pos)
        if ident in _LEVEL1 and ident not in (_VOID, _CRC32):
            return pos  # the next level-1 element ends this cluster
        if ident not in _CLUSTER_CHILDREN or end is None:
            raise InvalidMedia(f"unexpected bytes at {pos} ({len(view) - pos} bytes to the end)")
        pos = end
    return pos


def _check_mp4(view: memoryview) -> None:
    if bytes(view[4:8]) != b"ftyp":
        raise InvalidMedia(
            f"not a media file: no MP4 'ftyp' box at byte 4 (starts with {_head(view)})"
        )
    pos = 0
    while pos < len(view):
        if pos + 8 > len(view):
            raise InvalidMedia(f"{len(view) - pos} bytes of something else after the media")
        size = int.from_bytes(view[pos : pos + 4], "big")
        kind = bytes(view[pos + 4 : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= len(view):
            size, header = int.from_bytes(view[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = len(view) - pos  # "to the end of the file"
        if not all(0x20 <= c < 0x7F for c in kind) or size < header:
            raise InvalidMedia(f"unexpected bytes at {pos} ({len(view) - pos} bytes to the end)")
        if pos + size > len(view):
            raise InvalidMedia(f"truncated: box {kind.decode()!r} at byte {pos} runs past the end")
        pos += size


def _check_mpegts(view: memoryview) -> None:
    if view[0] != 0x47:
        raise InvalidMedia(
            f"not a media file: no MPEG-TS sync byte 0x47 (starts with {_head(view)})"
        )
    if len(view) % _TS_PACKET:
        raise InvalidMedia(
            f"{len(view)} bytes is not a whole number of {_TS_PACKET}-byte MPEG-TS packets"
        )
    bad = next((p for p in range(0, len(view), _TS_PACKET) if view[p] != 0x47), None)
    if bad is not None:
        raise InvalidMedia(f"MPEG-TS packet at byte {bad} has no sync byte")
