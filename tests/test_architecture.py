"""The package's import graph has no cycle.

Every `import` and `from … import` in a module counts: at module level, inside functions (lazy
imports) and under `if TYPE_CHECKING:`. A cycle that only a lazy or type-only import breaks at run
time is still a cycle in the design. Importing `generator.a.b` from outside the package
`generator.a` also runs `generator/a/__init__.py`, so it counts as an import of `generator.a` too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "generator"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_files(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package (packages by their __init__)."""
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join([package, *parts])] = path
    return modules


def _is_package(module: str, modules: dict[str, Path]) -> bool:
    return modules[module].name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom, modules: dict[str, Path]) -> str:
    """The module an `ImportFrom` names, made absolute from its level of dots."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if _is_package(module, modules) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _within(name: str, modules: dict[str, Path]) -> str | None:
    """The longest package module that `name` is or lies in, or None outside the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, modules: dict[str, Path]) -> set[str]:
    """The package's modules that importing `module` imports, by any statement anywhere in it."""
    tree = ast.parse(modules[module].read_text(encoding="utf-8"), filename=str(modules[module]))
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(filter(None, (_within(alias.name, modules) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, modules)
            for alias in node.names:
                target = _within(f"{base}.{alias.name}", modules) or _within(base, modules)
                if target is not None:
                    targets.add(target)
    edges: set[str] = set()
    for target in targets:
        edges.add(target)
        parts = target.split(".")
        for end in range(2, len(parts)):  # the parent packages it runs, unless `module` is inside them
            parent = ".".join(parts[:end])
            if not (module == parent or module.startswith(parent + ".")):
                edges.add(parent)
    edges.discard(module)
    return edges


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    modules = module_files(root, package)
    return {module: imports_of(module, modules) for module in modules}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan), as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(component, graph) for component in sorted(components)]


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the component's first module back to itself, within the component."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & members):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a component of two or more always has one


def test_no_import_cycle_in_the_package():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles in generator/:\n" + "\n".join(" → ".join(cycle) for cycle in cycles)


@pytest.fixture
def toy_package(tmp_path: Path) -> Path:
    root = tmp_path / "toy"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("from . import leaf\n")
    (root / "sub" / "leaf.py").write_text("X = 1\n")
    (root / "low.py").write_text("def f():\n    from .top import Y\n")  # a lazy import still counts
    (root / "top.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .low import f\nY = 2\n")
    (root / "user.py").write_text("from .sub.leaf import X\n")
    return root


def test_lazy_and_type_only_imports_make_a_cycle(toy_package: Path):
    assert find_cycles(import_graph(toy_package, "toy")) == [["toy.low", "toy.top", "toy.low"]]


def test_a_submodule_import_from_outside_runs_its_package(toy_package: Path):
    graph = import_graph(toy_package, "toy")
    assert graph["toy.user"] == {"toy.sub", "toy.sub.leaf"}
    assert graph["toy.sub"] == {"toy.sub.leaf"}  # inside its own package: no edge to itself
    (toy_package / "sub" / "leaf.py").write_text("from ..user import Z\n")
    assert ["toy.sub", "toy.sub.leaf", "toy.user", "toy.sub"] in find_cycles(import_graph(toy_package, "toy"))


# ----------------------------------------------------------------------- boundaries where the data is


def _defined_names(module: str) -> set[str]:
    tree = ast.parse(module_files()[module].read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_the_publication_type_lies_below_its_consumers():
    graph = import_graph()
    assert "Publication" in _defined_names("generator.publication")
    assert "Publication" not in _defined_names("generator.pipeline")
    below = {"generator.pipeline", "generator.build", "generator.pages"}
    assert not graph["generator.publication"] & below
    for consumer in ("generator.compare", "generator.export", "generator.feeds", "generator.machine_readable",
                     "generator.pages.kinds", "generator.pages.context", "generator.pages.entities", "generator.pages.indexes", "generator.pages.changes",
                     "generator.pages.redirects"):
        assert "generator.publication" in graph[consumer], consumer
        assert "generator.pipeline" not in graph[consumer], consumer  # the data, not the machine that makes it


def test_each_decision_lives_with_its_data():
    graph = import_graph()
    assert "EditionNote" in _defined_names("generator.pages.edition")
    assert "EditionNote" not in _defined_names("generator.publish")
    assert "default_source_date_epoch" in _defined_names("generator.gitrepo")
    assert "default_source_date_epoch" not in _defined_names("generator.build")
    assert "Progress" in _defined_names("generator.progress")
    assert "generator.build" not in graph["generator.progress"]
    assert not {m for m in graph["generator.pictures"] if m.startswith("generator.pages")}  # drawn from graph values


def test_views_declare_no_protocol_copies_of_real_types():
    tree = ast.parse(module_files()["generator.pages.views"].read_text(encoding="utf-8"))
    protocols = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                 and any(getattr(base, "id", getattr(base, "attr", None)) == "Protocol" for base in node.bases)]
    assert protocols == []
