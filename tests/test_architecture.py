"""The import direction of ``docs/architecture.md``: lower layers never import higher ones,
and no two modules (or folders) import each other, directly or round a circle.

The import graph and layer table are ``scripts/arch_report.py``'s (the same rule the
before/after numbers come from); these tests fail on the first violation with its edge.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "clippy"


def _report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("arch_report", REPO / "scripts/arch_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


arch = _report()


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = arch.graph()
    return g


def test_every_folder_has_a_layer(graph: dict[str, set[str]]) -> None:
    missing = sorted({arch.folder(m) for m in graph} - set(arch.LAYERS))
    assert not missing, f"add these folders to LAYERS in scripts/arch_report.py: {missing}"


def test_no_upward_imports(graph: dict[str, set[str]]) -> None:
    assert arch.upward_imports(graph) == []


@pytest.mark.parametrize("low", ["storage", "db", "media", "detect", "transcribe"])
def test_low_layers_never_import_the_engine_or_the_web(
    graph: dict[str, set[str]], low: str
) -> None:
    bad = [
        (m, d)
        for m, deps in graph.items()
        for d in deps
        if arch.folder(m) == low and arch.folder(d) in {"web", "pipeline", "export", "runtime"}
    ]
    assert bad == []


def test_faced_folders_are_imported_through_their_face(graph: dict[str, set[str]]) -> None:
    assert arch.past_faces(graph) == []


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    assert arch.cycles(graph) == []
    assert arch.cycles(arch.folder_graph(graph)) == []


def test_the_checker_sees_a_planted_upward_import_and_circle() -> None:
    # The rule must be able to fail: storage importing web is upward, a <-> b is a circle.
    planted = {"clippy.storage.x": {"clippy.web.app"}, "clippy.web.app": {"clippy.storage.x"}}
    assert arch.upward_imports(planted) == [("clippy.storage.x", "clippy.web.app")]
    assert arch.cycles(planted) == [["clippy.storage.x", "clippy.web.app"]]
    inner = {"clippy.web.app": {"clippy.webhooks.sender"}}
    assert arch.past_faces(inner) == [("clippy.web.app", "clippy.webhooks.sender")]


def test_a_submodule_imported_through_its_package_is_seen(tmp_path: Path) -> None:
    # ``from clippy.ingest import streams`` reaches past the face as surely as
    # ``from clippy.ingest.streams import x``; a face's own name does not.
    source = tmp_path / "mod.py"
    source.write_text("from clippy.ingest import streams\nfrom clippy.clips import make_clip\n")
    found = arch.imports_of(source, "clippy.web.mod")
    assert "clippy.ingest.streams" in found
    assert "clippy.clips.make_clip" in found
    g = {"clippy.web.mod": {"clippy.ingest.streams", "clippy.clips"}}
    assert arch.past_faces(g) == [("clippy.web.mod", "clippy.ingest.streams")]


def test_api_paths_are_written_only_by_routers() -> None:
    # Core code gets media links from the routes (web.links); only router prefixes name them.
    offenders = []
    for path in SRC.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if '"/api/v1' in line and not re.search(r"APIRouter\(prefix=", line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("face", sorted(arch.FACES))
def test_a_face_never_shadows_its_own_submodules(face: str) -> None:
    # ``clippy.pipeline.transcribe_file`` must stay the module: a face name equal to a
    # submodule's would make ``import clippy.x.mod as m`` (and monkeypatching) find the function.
    init = SRC / face / "__init__.py"
    exported = set(ast.literal_eval(_all_of(init)))
    submodules = {p.stem for p in (SRC / face).iterdir() if p.suffix == ".py" or p.is_dir()}
    assert exported, f"{init} has no __all__"
    assert exported & submodules == set()


def _all_of(init: Path) -> str:
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return ast.unparse(node.value)
    return "[]"
