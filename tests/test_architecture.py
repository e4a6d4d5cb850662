"""The layout is the architecture (docs/architecture.md), and these tests keep it so.

Every import counts: at module level, inside functions and under `if TYPE_CHECKING:` — a cycle
hidden in a function-local import is still a cycle. `.ci/run` also runs import-linter's
contracts (`lint-imports`, pyproject's `[tool.importlinter]`); this test needs nothing but the
source, so it fails in the README's test command too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import ROOT

#: Top to bottom: each layer imports only its own and the layers below it.
LAYERS = (
    "progsync.sync.cli",
    "progsync.sync.views",
    "progsync.sync.app",
    "progsync.sync.services",
    "progsync.sync.reconcile",
    "progsync.sync.settings",
    "progsync.workouts",
)
#: Modules may grow past this only when their docstring says why.
MAX_LINES = 500


def modules() -> dict[str, tuple[Path, bool]]:
    out: dict[str, tuple[Path, bool]] = {}
    for prefix, base in (("progsync.workouts", ROOT / "workouts"), ("progsync.sync", ROOT / "sync")):
        for path in base.rglob("*.py"):
            rel = list(path.relative_to(base).with_suffix("").parts)
            package = rel[-1] == "__init__"
            if package:
                rel = rel[:-1]
            out[".".join([prefix, *rel])] = (path, package)
    return out


def imports(module: str, path: Path, package: bool, known: dict[str, tuple[Path, bool]]) -> Iterator[tuple[str, int]]:
    """(imported progsync module, line) for every import statement anywhere in the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".") if package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                source = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name, node.lineno


def graph() -> dict[str, dict[str, int]]:
    known = modules()
    return {m: dict(imports(m, path, package, known)) for m, (path, package) in known.items()}


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> int | None:
    return next((i for i, name in enumerate(LAYERS) if module == name or module.startswith(name + ".")), None)


def test_no_import_cycle_anywhere() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function() -> None:
    edges = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 9}, "d": {"a": 1}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_imports_only_go_down_the_layers() -> None:
    upward = [
        f"{source}:{line} imports {target}"
        for source, targets in graph().items()
        for target, line in targets.items()
        if (a := layer(source)) is not None and (b := layer(target)) is not None and b < a
    ]
    assert upward == []


def test_every_module_has_a_layer() -> None:
    homeless = [m for m in modules() if layer(m) is None and m not in ("progsync.sync", "progsync.sync.__main__")]
    assert homeless == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_a_long_module_says_why(module: str) -> None:
    path, _ = modules()[module]
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Why this module is long" in doc, f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines"


def test_tests_share_through_support_never_through_each_other() -> None:
    """Fakes, FIT helpers and shared plans live in tests/support/ (the bench imports them too);
    a test module that imported another would run that module's tests' setup on import."""
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted((ROOT / "tests").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").split(".")[-1].startswith("test_")
    ]
    assert offenders == []
