"""Zip the built extension once (setup), then hand out a copy that knows this server's URL.

Setup writes ``extension/clippy-extension.zip`` from ``extension/dist``. Each download is that
zip with one more entry, ``server.json``: the extension reads it when it is installed, so its
options already name the server that served it and the user only presses Connect.
Appending to a copy of the zip costs a memory copy (the FFmpeg.wasm core makes it ~30 MB)
instead of re-compressing everything per download.

``python -m clippy.extension DIST OUT`` writes the zip (used by scripts/setup).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from functools import lru_cache
from pathlib import Path

__all__ = ["BUNDLE_FOLDER", "SERVER_FILE", "ExtensionNotBuilt", "bundle_for_server", "write_bundle"]

# The folder the zip unpacks to: what the user picks in "Load unpacked".
BUNDLE_FOLDER = "clippy-extension"
SERVER_FILE = "server.json"


class ExtensionNotBuilt(FileNotFoundError):
    """The server has no extension zip to hand out; the message says how to build it."""


def write_bundle(dist: Path, out: Path) -> int:
    """Zip every file of the built extension ``dist`` under ``BUNDLE_FOLDER/`` into ``out``
    (atomically); returns the number of files. Raises ``ExtensionNotBuilt`` without a build."""
    if not (dist / "manifest.json").is_file():
        raise ExtensionNotBuilt(f"{dist} holds no manifest.json; build the extension first")
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    tmp = out.with_name(out.name + ".tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in files:
            zf.write(path, f"{BUNDLE_FOLDER}/{path.relative_to(dist).as_posix()}")
    os.replace(tmp, out)
    return len(files)


@lru_cache(maxsize=2)
def _base_bytes(path: Path, mtime_ns: int) -> bytes:
    # Keyed by mtime: a rebuild by setup is picked up without restarting the server.
    return path.read_bytes()


def bundle_for_server(bundle: Path, server_url: str) -> bytes:
    """The zip at ``bundle`` with ``server.json`` naming ``server_url`` added."""
    try:
        mtime = bundle.stat().st_mtime_ns
    except FileNotFoundError:
        raise ExtensionNotBuilt(
            f"the extension zip {bundle} is missing; run scripts/setup.sh on the server"
            " (it builds the extension), or set CLIPPY_EXTENSION_BUNDLE to its path"
        ) from None
    buf = io.BytesIO(_base_bytes(bundle, mtime))
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{BUNDLE_FOLDER}/{SERVER_FILE}", json.dumps({"serverUrl": server_url}))
    return buf.getvalue()
