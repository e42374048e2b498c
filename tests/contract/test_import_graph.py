"""The product's modules import each other without cycles, and none grows past 400 lines.

A cycle between modules means neither can be read, tested or moved without the other; the import
order then decides what works. The graph is built from the source (ast), not by importing it:
shared/src and services/*/src, every ``import`` and ``from ... import`` that names one of their
modules. Imports under ``if TYPE_CHECKING:`` are left out: they never run. Imports inside a
function run late, so they break no import order, but they still tie the two modules together:
they are checked in a graph of their own, next to the module-level one.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = [ROOT / "shared" / "src", *sorted((ROOT / "services").glob("*/src"))]
MAX_LINES = 400

# Cycles known today, each with who removes it. An import cycle is allowed only if all of its
# modules lie inside one of these groups; empty the dict as the work lands.
ALLOWED_CYCLES: dict[str, frozenset[str]] = {
    # The event registry: event_types() imports every event module so that each registers its
    # classes, and each of them imports the base class. Inside a function, on purpose, to stay.
    "event registry": frozenset(
        {
            "forlob_shared.events.base",
            "forlob_shared.events.alerts",
            "forlob_shared.events.attendance",
            "forlob_shared.events.programme",
            "forlob_shared.events.referral",
        }
    ),
    # The partner contract's registry, the same pattern: partner_event_types() imports the module
    # that defines the types, which imports the base class. Inside a function, on purpose.
    "partner registry": frozenset({"forlob_shared.partner.base", "forlob_shared.partner.events"}),
}

# Modules over MAX_LINES today, with their length then: each is being split (issue 17). A module
# here may shrink but not grow; once under the limit its entry must go.
OVERSIZED: dict[str, int] = {}


@dataclass
class Graph:
    edges: dict[str, set[str]] = field(default_factory=dict)

    def add(self, source: str, target: str) -> None:
        if source != target:
            self.edges.setdefault(source, set()).add(target)
        self.edges.setdefault(target, set())

    def cycles(self) -> list[set[str]]:
        """The strongly connected components of more than one module (Tarjan, iteratively)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[set[str]] = []
        counter = 0
        for start in sorted(self.edges):
            if start in index:
                continue
            work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(self.edges[start])))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, successors = work[-1]
                advanced = False
                for successor in successors:
                    if successor not in index:
                        index[successor] = low[successor] = counter
                        counter += 1
                        stack.append(successor)
                        on_stack.add(successor)
                        work.append((successor, iter(sorted(self.edges[successor]))))
                        advanced = True
                        break
                    if successor in on_stack:
                        low[node] = min(low[node], index[successor])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
        return found


def product_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for root in SOURCE_ROOTS:
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import with whether it runs inside a function, leaving out TYPE_CHECKING blocks."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from visit(other, in_function)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, in_function
            yield from visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    yield from visit(tree, False)


def _targets(node: ast.Import | ast.ImportFrom, module: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The product modules an import names (the module itself where it names a module's member)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _known_prefix(alias.name, known)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        if candidate in known:
            yield candidate
        else:
            yield from _known_prefix(base, known)


def _known_prefix(name: str, known: dict[str, Path]) -> Iterator[str]:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            yield candidate
            return


@functools.cache
def import_graphs() -> tuple[Graph, Graph]:
    """The module-level graph, and the graph with the imports inside functions too."""
    known = product_modules()
    module_level, everything = Graph(), Graph()
    for module, path in known.items():
        module_level.add(module, module)
        everything.add(module, module)
        for node, in_function in _imports(ast.parse(path.read_text(), str(path))):
            for target in _targets(node, module, path, known):
                everything.add(module, target)
                if not in_function:
                    module_level.add(module, target)
    return module_level, everything


def _unexplained(cycles: list[set[str]]) -> list[list[str]]:
    return [sorted(c) for c in cycles if not any(c <= allowed for allowed in ALLOWED_CYCLES.values())]


def test_the_graph_finds_a_cycle_and_what_is_not_one() -> None:
    graph = Graph()
    for source, target in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")]:
        graph.add(source, target)
    assert graph.cycles() == [{"a", "b", "c"}]


def test_the_graph_knows_the_products_modules_and_their_imports() -> None:
    module_level, everything = import_graphs()
    assert "forlob_shared.service" in module_level.edges
    assert "forlob_shared.texts.codes" in module_level.edges["forlob_shared.texts"]
    assert set(module_level.edges) == set(everything.edges)
    assert sum(map(len, everything.edges.values())) >= sum(map(len, module_level.edges.values()))


def test_no_import_cycle_between_modules_at_module_level() -> None:
    module_level, _ = import_graphs()
    assert _unexplained(module_level.cycles()) == []


def test_no_import_cycle_through_imports_inside_functions_either() -> None:
    _, everything = import_graphs()
    assert _unexplained(everything.cycles()) == []


def test_every_allowed_cycle_still_exists() -> None:
    """An allowance outlives its cycle only by mistake: remove it when the cycle is gone."""
    _, everything = import_graphs()
    cycles = everything.cycles()
    stale = [name for name, allowed in ALLOWED_CYCLES.items() if not any(c <= allowed for c in cycles)]
    assert stale == []


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_product_module_is_over_400_lines() -> None:
    over = {
        str(path.relative_to(ROOT)): _lines(path)
        for path in product_modules().values()
        if _lines(path) > MAX_LINES and str(path.relative_to(ROOT)) not in OVERSIZED
    }
    assert over == {}


def test_an_oversized_module_only_shrinks_and_leaves_the_list_once_small() -> None:
    grown_or_gone = {}
    for name, allowed in OVERSIZED.items():
        path = ROOT / name
        length = _lines(path) if path.exists() else 0
        if length > allowed or length <= MAX_LINES:
            grown_or_gone[name] = length
    assert grown_or_gone == {}, "update OVERSIZED: these grew, or are (now) under the limit or gone"
