"""The house rules of ``src/pushdown`` (docs/architecture.md, "Layers"): imports flow one way,
no two modules import each other, directly or around a loop, and no module is over 500 lines.

The import graph is read with the standard library's ``ast``: every ``import`` and
``from ... import`` of a pushdown module, wherever it stands (at the top, inside a function,
under ``if TYPE_CHECKING:``).  Imports under ``TYPE_CHECKING`` count: a type-only import still
makes the importing module know the other one, and turning it into a real import is one edit
away.  Python runs a package's ``__init__`` before any module of the package; that implied
import is not an edge (the package's face is not a dependency the importing code chose), but
an import that names a package (``from pushdown.engines import Connector``) is an edge to its
``__init__``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "pushdown"

# The layers from the bottom up, each listed once.  A component is a top-level module or package
# of pushdown (``__init__`` is the package's own face).  A module may import its own component
# and the components of lower layers; components that share a layer are peers and must not
# import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("types", "profiles", "statistics"),
    ("recipe", "support"),
    ("plan",),
    ("optimizer", "compilers", "local"),
    ("engines", "planner"),
    ("run", "explain"),
    ("api",),
    ("__init__",),
    ("bench",),
    ("cli",),
)

MAX_LINES = 500
# Longer on purpose: the 22 TPC-H queries written as recipes read best side by side.
LONG_ON_PURPOSE = {"pushdown.bench.tpch.flows"}

Graph = Mapping[str, set[str]]


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node: ast.AST, here: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """The package's modules one ``import`` statement names."""
    known = set(known)
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:  # relative: from the module's package upwards
        base = here.split(".") if is_package else here.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        origin = ".".join([*base, node.module] if node.module else base)
    else:
        origin = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{origin}.{alias.name}"
        if submodule in known:
            found.add(submodule)  # ``from pushdown.plan import nodes``
        elif origin in known:
            found.add(origin)
    return found


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in its text)."""
    mods = modules(src)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(tree):
            targets |= _imported(node, name, is_package, mods)
        targets.discard(name)
        graph[name] = targets
    return graph


def component(module: str) -> str:
    """The component a module belongs to: its top-level module or package under pushdown."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(layers: tuple[tuple[str, ...], ...] = LAYERS) -> dict[str, int]:
    """Component -> its layer's number, from 0 at the bottom."""
    return {name: i for i, names in enumerate(layers) for name in names}


def violations(graph: Graph, layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[str]:
    """Every import that runs up a layer or across to a peer, as ``a -> b (why)``."""
    level = layer_of(layers)
    found = []
    for module, targets in sorted(graph.items()):
        mine = component(module)
        for target in sorted(targets):
            theirs = component(target)
            if theirs == mine:
                continue
            if level[theirs] > level[mine]:
                found.append(f"{module} -> {target} ({mine} is below {theirs})")
            elif level[theirs] == level[mine]:
                found.append(f"{module} -> {target} ({mine} and {theirs} are peers)")
    return found


def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles: every strongly connected group of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


# -- the package as it is ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_every_component_has_a_layer(graph: Graph) -> None:
    placed = [name for names in LAYERS for name in names]
    assert len(placed) == len(set(placed)), "a component is listed in two layers"
    missing = sorted({component(m) for m in graph} - set(placed))
    assert not missing, f"place these in LAYERS (and in docs/architecture.md): {missing}"


def test_imports_flow_one_way(graph: Graph) -> None:
    assert violations(graph) == []


def test_no_import_cycles(graph: Graph) -> None:
    assert cycles(graph) == []


def test_the_architecture_doc_shows_the_same_layers() -> None:
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+?) \|", doc, flags=re.MULTILINE)
    shown = tuple(
        tuple(name.strip("`").removesuffix(".py").removesuffix("/") for name in parts.split(", "))
        for _, parts in rows
    )
    assert shown == LAYERS


def test_no_module_is_over_500_lines() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and name not in LONG_ON_PURPOSE
    }
    assert long == {}


def test_the_graph_sees_every_kind_of_import(graph: Graph) -> None:
    """The reader finds imports at the top, in functions and under TYPE_CHECKING, names a
    package's face when the import names the package, and a submodule when it names one."""
    assert "pushdown.statistics" in graph["pushdown.engines.base"]  # at the top
    assert "pushdown.engines.duckdb" in graph["pushdown.engines"]  # inside a function
    assert "pushdown.planner.plan" in graph["pushdown.explain"]  # under TYPE_CHECKING
    assert "pushdown.engines" in graph["pushdown.run"]  # ``from pushdown.engines import``
    assert "pushdown.plan.nodes" in graph["pushdown.run"]  # ``from pushdown.plan import nodes``


# -- the checks themselves --------------------------------------------------------------------
def test_an_upward_or_sideways_import_and_a_loop_are_caught(tmp_path: Path) -> None:
    root = tmp_path / PACKAGE
    (root / "engines").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "engines" / "__init__.py").write_text("from . import base\n")
    (root / "engines" / "base.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pushdown.planner.stats import TableStats\n"
    )
    (root / "planner").mkdir()
    (root / "planner" / "__init__.py").write_text("")
    (root / "planner" / "stats.py").write_text("def f():\n    from pushdown import run\n")
    (root / "run.py").write_text("import pushdown.planner.stats\n")
    found = import_graph(tmp_path)
    assert found["pushdown.engines"] == {"pushdown.engines.base"}
    assert violations(found) == [
        "pushdown.engines.base -> pushdown.planner.stats (engines and planner are peers)",
        "pushdown.planner.stats -> pushdown.run (planner is below run)",
    ]
    assert cycles(found) == [["pushdown.planner.stats", "pushdown.run"]]
