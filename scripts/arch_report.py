"""Print the package's architecture numbers: upward imports, import circles, ``except``
clauses in ``web/``, the largest modules and the folder map.

Run: ``.venv/bin/python scripts/arch_report.py [SRC_CLIPPY_DIR]`` (default: this checkout). The
order below is the one ``docs/architecture.md`` states and ``tests/test_architecture.py``
enforces; the report counts what breaks it so a before/after comparison uses one rule.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "clippy"

# Lower numbers sit lower: a module may import its own layer (no circles) or any lower one.
LAYERS: dict[str, int] = {
    # foundations: no clippy imports beyond this layer
    "__init__": 0,
    "config": 0,
    "errors": 0,
    "metrics": 0,
    "events": 0,
    "openai_api": 0,
    # storage and media primitives
    "db": 1,
    "storage": 1,
    "media": 1,
    "extension": 1,
    # capabilities that need only the primitives
    "accounts": 2,
    "transcribe": 2,
    "transcripts": 2,
    "detect": 2,
    # capabilities built on those
    "ingest": 3,
    "billing": 3,
    "branding": 3,
    "webhooks": 3,
    "clips": 3,
    "archive": 3,
    "memory": 3,
    "export": 4,
    "publish": 4,
    "record": 4,
    # orchestration across capabilities
    "retention": 5,
    "pipeline": 5,
    "eval": 6,
    # the job layer runs every capability's steps in the background
    "jobs": 6,
    # assembly and faces
    "runtime": 7,
    "web": 8,
    "cli": 9,
}


# Folders whose ``__init__.py`` is their face: other folders import only the package itself.
# ``media`` stays a folder of primitive modules: its modules are named for their verbs
# (``media.probe.probe``, ``media.ffmpeg.ffmpeg``), so a face would shadow its own submodules.
FACES = {
    "accounts",
    "archive",
    "billing",
    "branding",
    "clips",
    "db",
    "detect",
    "eval",
    "events",
    "export",
    "extension",
    "ingest",
    "jobs",
    "memory",
    "pipeline",
    "publish",
    "record",
    "retention",
    "storage",
    "transcribe",
    "webhooks",
}


def module_name(path: Path) -> str:
    """``src/clippy/a/b.py`` -> ``clippy.a.b`` (a package's ``__init__`` is the package)."""
    parts = ["clippy", *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str) -> set[str]:
    """The ``clippy.*`` modules a file imports at run time (``TYPE_CHECKING`` blocks skipped)."""
    tree = ast.parse(path.read_text(), str(path))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("clippy"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - node.level + 1]
                    base = ".".join([*pkg, base]) if base else ".".join(pkg)
                if base.startswith("clippy"):
                    found.add(base)
                    # ``from clippy.x import mod`` imports the submodule ``clippy.x.mod``;
                    # ``graph`` trims names that are not modules back to their module.
                    found.update(f"{base}.{a.name}" for a in node.names)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(tree.body)
    return found


def folder(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph() -> dict[str, set[str]]:
    """Module -> imported modules, for every module under ``src/clippy`` (migrations aside)."""
    files = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    mods = {module_name(p): p for p in files}
    out: dict[str, set[str]] = {}
    for mod, path in mods.items():
        deps = set()
        for imp in imports_of(path, mod):
            while imp not in mods and "." in imp:
                imp = imp.rsplit(".", 1)[0]
            if imp in mods and imp != mod:
                deps.add(imp)
        out[mod] = deps
    return out


def upward_imports(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every (importer, imported) pair where the imported folder sits in a higher layer."""
    bad = []
    for mod, deps in g.items():
        for dep in deps:
            a, b = folder(mod), folder(dep)
            if LAYERS.get(b, 9) > LAYERS.get(a, 9):
                bad.append((mod, dep))
    return sorted(bad)


def past_faces(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports of a faced folder's inner module from another folder (should use the face)."""
    return sorted(
        (mod, dep)
        for mod, deps in g.items()
        for dep in deps
        if folder(dep) in FACES and folder(mod) != folder(dep) and dep.count(".") > 1
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return comps


def folder_graph(g: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for mod, deps in g.items():
        for dep in deps:
            if folder(mod) != folder(dep):
                out[folder(mod)].add(folder(dep))
    return out


def except_clauses(sub: str) -> int:
    n = 0
    for p in (ROOT / sub).rglob("*.py"):
        n += sum(isinstance(x, ast.ExceptHandler) for x in ast.walk(ast.parse(p.read_text())))
    return n


def main() -> None:
    global ROOT
    if len(sys.argv) > 1:  # another checkout's ``src/clippy`` (e.g. main, for "before")
        ROOT = Path(sys.argv[1]).resolve()
    g = graph()
    up = upward_imports(g)
    mod_cycles = cycles(g)
    fg = folder_graph(g)
    pkg_cycles = cycles(fg)
    print(f"modules: {len(g)}")
    print(f"upward imports: {len(up)}")
    for a, b in up:
        print(f"  {a} -> {b}")
    print(f"module import circles: {len(mod_cycles)}")
    for c in mod_cycles:
        print("  " + " <-> ".join(c))
    print(f"folder import circles: {len(pkg_cycles)}")
    for c in pkg_cycles:
        print("  " + " <-> ".join(c))
    past = past_faces(g)
    print(f"imports past a face ({', '.join(sorted(FACES))}): {len(past)}")
    for a, b in past:
        print(f"  {a} -> {b}")
    print(f"except clauses in web/: {except_clauses('web')}")
    sizes = sorted(
        (
            (len(p.read_text().splitlines()), str(p.relative_to(ROOT.parent)))
            for p in ROOT.rglob("*.py")
            if "migrations" not in p.parts
        ),
        reverse=True,
    )
    print("largest modules (lines):")
    for n, p in sizes[:8]:
        print(f"  {n:5d}  {p}")
    print("folder map (folder [layer]: modules, lines -> imports):")
    for f in sorted({folder(m) for m in g}, key=lambda x: (LAYERS.get(x, 9), x)):
        mods = [m for m in g if folder(m) == f]
        lines = sum(n for n, p in sizes if p.split("/")[1].removesuffix(".py") == f)
        deps = ", ".join(sorted(fg.get(f, ())))
        print(f"  {f} [{LAYERS.get(f, '?')}]: {len(mods)}, {lines} -> {deps}")


if __name__ == "__main__":
    main()
