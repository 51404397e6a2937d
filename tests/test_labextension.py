"""The JupyterLab extension as installed: enabled in JupyterLab and the server, its TypeScript unit tests,
and its sources free of import cycles."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "labextension" / "src"
JUPYTER = [sys.executable, "-m", "jupyter"]
RELATIVE_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"](\.{1,2}/[^'"]+)['"]"""
                             r"""|^\s*import\s*['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)


def _listing(*args: str) -> str:
    done = subprocess.run([*JUPYTER, *args], capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def test_the_server_extension_is_enabled_and_loads():
    out = _listing("server", "extension", "list")
    assert "runlab.server" in out and "enabled" in out and "runlab.server  OK" in out.replace("\x1b[32m", "").replace(
        "\x1b[0m", ""), out


def test_the_lab_extension_is_installed_and_enabled():
    out = _listing("labextension", "list").replace("\x1b[32m", "").replace("\x1b[0m", "")
    assert "runlab-labextension v0.1.0 enabled OK" in out, out


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules").exists(),
                    reason="needs node and the extension's node_modules (the package build installs them)")
def test_typescript_unit_tests():
    done = subprocess.run(["npm", "test", "--silent"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout


def _resolve(importer: Path, specifier: str) -> Path:
    """The source file a relative import names: './x' is x.ts, x.tsx, or x/index.ts(x)."""
    base = (importer.parent / specifier).resolve()
    candidates = [base.with_name(base.name + suffix) for suffix in (".ts", ".tsx")]
    candidates += [base / "index.ts", base / "index.tsx", base]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise AssertionError(f"{importer.relative_to(ROOT)} imports {specifier!r}, which is no file under it")


def import_graph(sources: Path) -> dict[Path, set[Path]]:
    """Each .ts/.tsx file under ``sources`` with the files it imports (or re-exports) by relative path."""
    files = sorted(p for p in sources.rglob("*") if p.suffix in (".ts", ".tsx") and p.is_file())
    return {file: {_resolve(file, a or b) for a, b in RELATIVE_IMPORT.findall(file.read_text(encoding="utf-8"))}
            for file in files}


def find_cycle(graph: dict[Path, set[Path]]) -> list[Path] | None:
    """One import cycle (its files, the first repeated at the end), or None when there is none."""
    done: set[Path] = set()
    path: list[Path] = []
    on_path: set[Path] = set()

    def visit(node: Path) -> list[Path] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target):], target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles_and_only_cycles():
    a, b, c, d = (Path(name) for name in "abcd")
    assert find_cycle({a: {b}, b: {c}, c: set(), d: {b, c}}) is None
    assert find_cycle({a: {b}, b: {c}, c: {a}}) == [a, b, c, a]
    assert find_cycle({a: {a}}) == [a, a]
    assert find_cycle({a: {b}, b: set(), c: {d}, d: {c}}) == [c, d, c]


def test_the_import_statements_are_recognised(tmp_path):
    (tmp_path / "parts").mkdir()
    for name in ("a.ts", "b.tsx", "c.ts", "d.ts", "e.ts", "parts/index.ts", "parts/f.tsx"):
        (tmp_path / name).write_text("")
    (tmp_path / "a.ts").write_text(
        "import { B } from './b';\n"
        "import * as C from './c';\n"
        "import type { D } from './d';\n"
        "import {\n  E,\n  F\n} from './e';\n"
        "import './parts';\n"
        "import { Widget } from '@lumino/widgets';\n"
        "// import { X } from './x' in a comment is no import\n")
    (tmp_path / "parts" / "index.ts").write_text("export { F } from './f';\nexport * from '../b';\n")
    graph = import_graph(tmp_path)
    assert graph[tmp_path / "a.ts"] == {tmp_path / n for n in ("b.tsx", "c.ts", "d.ts", "e.ts", "parts/index.ts")}
    assert graph[tmp_path / "parts" / "index.ts"] == {tmp_path / "parts" / "f.tsx", tmp_path / "b.tsx"}


def test_no_import_cycle_in_the_extension_sources():
    graph = import_graph(SOURCES)
    assert len(graph) > 5, f"no sources found under {SOURCES}"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(str(p.relative_to(SOURCES)) for p in cycle or [])
