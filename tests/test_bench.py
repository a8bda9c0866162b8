"""The benchmarks measure the generator through its public functions only, and still run.

`bench/` is not imported by the package: a renamed or re-shaped function breaks it silently,
and a benchmark that patches the generator or calls its private helpers measures something
else than a user runs. So every bench script is read here for underscore names and patching
of generator code, and the site benchmark's generator stage runs on the sample project."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_support import REPO, make_project

BENCH = REPO / "bench"
PATCHERS = {"setattr", "delattr", "patch", "patch.object"}


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _private(name: str) -> bool:
    return any(part.startswith("_") and not (part.startswith("__") and part.endswith("__")) for part in name.split("."))


def generator_misuse(source: str) -> list[str]:
    """What a script does with the generator beyond calling its public functions: names with a
    leading underscore imported or reached from `generator`, and generator objects assigned to
    or patched (`x.attr = ...`, `setattr(x, ...)`, `patch.object(x, ...)`, `patch("generator...")`)."""
    tree = ast.parse(source)
    bound: set[str] = set()
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "generator" or alias.name.startswith("generator."):
                    bound.add(alias.asname or alias.name.split(".")[0])
                    if _private(alias.name):
                        problems.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
            for alias in node.names:
                bound.add(alias.asname or alias.name)
                if _private(f"{node.module}.{alias.name}"):
                    problems.append(f"line {node.lineno}: imports {alias.name} from {node.module}")

    def reaches_generator(expression: ast.expr) -> str | None:
        name = _dotted(expression)
        return name if name is not None and name.split(".")[0] in bound else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (name := reaches_generator(node)) and _private(name):
            problems.append(f"line {node.lineno}: uses {name}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and (name := reaches_generator(target)):
                    problems.append(f"line {node.lineno}: assigns {name}")
        elif isinstance(node, ast.Call):
            called = _dotted(node.func) or ""
            if called.split(".")[-1] not in PATCHERS and called.split(".", 1)[-1] not in PATCHERS:
                continue
            first = node.args[0] if node.args else None
            if first is not None and (name := reaches_generator(first)):
                problems.append(f"line {node.lineno}: {called}({name}, ...)")
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("generator"):
                problems.append(f"line {node.lineno}: {called}({first.value!r}, ...)")
    return problems


@pytest.mark.parametrize("script", sorted(path.name for path in BENCH.glob("*.py")))
def test_bench_uses_only_the_generators_public_functions(script: str) -> None:
    assert generator_misuse((BENCH / script).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    "from generator.build import _no_progress",
    "import generator.build as build\nbuild._mkdocs_failure('x')",
    "import generator.pipeline\ngenerator.pipeline.PARALLEL_THRESHOLD = 0",
    "from generator import pages\nsetattr(pages, 'PAGE_BYTES', 1)",
    "from unittest import mock\nmock.patch('generator.build.render_docs')",
    "from generator.pages import paging\nmonkeypatch.setattr(paging, 'PAGE_BYTES', 1)",
])
def test_the_bench_reader_sees_private_use_and_patching(source: str) -> None:
    assert generator_misuse(source), source


def test_the_site_benchmarks_generator_stage_runs_on_the_sample(tmp_path: Path, epoch: str) -> None:
    """`time_generator` (stage (a) of bench/site_bench.py) goes through check, history, plan,
    render and write as `build_site` does, in a fresh process as the benchmark runs it."""
    paths = make_project(tmp_path / "project")
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import site_bench; "
            "from generator.settings import ProjectPaths; from pathlib import Path; "
            "seconds, stages = site_bench.time_generator(ProjectPaths(Path(sys.argv[2]))); "
            "print(json.dumps(stages))")
    done = subprocess.run([sys.executable, "-c", code, str(BENCH), str(paths.root)], capture_output=True, text=True,
                          env=dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path)), timeout=300)
    assert done.returncode == 0, done.stderr
    stages = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"check", "git history", "pages + render", "export", "feeds", "write"} <= set(stages)
    assert (paths.docs_tree / "theses" / "memory-bound-inference" / "index.md").is_file()
