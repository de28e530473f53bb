"""The contract that keeps the layers (DESIGN.md, "Layout"): small pieces, no import cycle, an
engine that imports nothing of pactlab, and the import-linter contracts in pyproject.

Read from the source with :mod:`ast` (nothing is imported), so a failure names the file and line.
"""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "pactlab"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 600
#: decorators that mark a numba kernel (exempt from the function-length rule)
KERNEL_DECORATORS = {"njit", "jit", "vectorize", "guvectorize", "stencil"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    """Every module of pactlab, by dotted name (a package by its ``__init__``)."""
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def _tree(name: str) -> ast.Module:
    path = _modules()[name]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_package(name: str) -> bool:
    return _modules()[name].name == "__init__.py"


def _imports(name: str) -> list[tuple[int, str]]:
    """What module `name` imports, as ``(line, dotted name)``: absolute names as written, relative
    ones resolved; ``from X import y`` gives ``X.y`` where that is a module of pactlab, else ``X``.
    Every import counts: at module level, inside functions and under ``TYPE_CHECKING``."""
    modules = _modules()
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if sub in modules else target))
    return found


def _internal(target: str) -> str | None:
    """The module of pactlab that `target` names (the nearest enclosing one), or None."""
    modules = _modules()
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def _graph() -> dict[str, set[str]]:
    """Module -> the pactlab modules it imports; a package's ``__init__`` importing its own
    submodules is left out (that is how a package re-exports, not a cycle)."""
    graph: dict[str, set[str]] = {}
    for name in _modules():
        edges = set()
        for _, target in _imports(name):
            module = _internal(target)
            if module is None or module == name:
                continue
            if _is_package(name) and module.startswith(name + "."):
                continue
            edges.add(module)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the first module of `component`, for the failure message."""
    start, members = component[0], set(component)
    path, seen = [start], {start}
    while True:
        nxt = sorted(w for w in graph[path[-1]] if w in members)
        if start in nxt and len(path) > 1:
            return [*path, start]
        fresh = [w for w in nxt if w not in seen] or nxt
        path.append(fresh[0])
        if fresh[0] in seen:
            return path[path.index(fresh[0]):]
        seen.add(fresh[0])


def _is_kernel(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in KERNEL_DECORATORS:
            return True
    return False


def test_the_source_tree_is_found() -> None:
    assert len(_modules()) > 20 and "pactlab.engine.waterfall" in _modules()


def test_no_function_is_over_60_lines_outside_numba_kernels() -> None:
    long = []
    for name, path in _modules().items():
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not _is_kernel(node):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_no_module_is_over_600_lines() -> None:
    long = [f"{path.relative_to(ROOT)}: {n} lines" for path in _modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    cycles = [" -> ".join(_a_cycle(graph, c)) + f"   (component: {', '.join(c)})"
              for c in _cycles(graph)]
    assert not cycles, "import cycles among pactlab's modules:\n" + "\n".join(cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _a_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_the_engine_imports_nothing_of_pactlab() -> None:
    """Pure array functions and small dataclasses: no other layer of pactlab, and no pydantic."""
    bad = []
    for name, path in _modules().items():
        if not (name == "pactlab.engine" or name.startswith("pactlab.engine.")):
            continue
        for line, target in _imports(name):
            top = target.split(".")[0]
            inside = target == "pactlab.engine" or target.startswith("pactlab.engine.")
            if (top == "pactlab" and not inside) or top == "pydantic":
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not bad, "the engine imports from outside it:\n" + "\n".join(bad)


def test_the_import_linter_contracts_are_kept() -> None:
    exe = (shutil.which("lint-imports", path=str(Path(sys.executable).parent))
           or shutil.which("lint-imports"))
    if exe is None:
        pytest.skip("lint-imports (import-linter) is not installed: pip install -e '.[dev]'")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)}
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
