"""The benchmarks measure the generator through its public functions only, and still run.

`bench/` is not imported by the package: a renamed or re-shaped function breaks it silently,
and a benchmark that patches the generator or calls its private helpers measures something
else than a user runs. So every bench script is read here for underscore names and patching
of generator code, and the site benchmark's generator stage runs on the sample project."""

from __future__ import annotations

import ast
import json
import os
import shutil
import statistics
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


# ----------------------------------------------------------------------- bench/cli_bench.py's pieces


def _cli_bench():
    sys.path.insert(0, str(BENCH))
    import cli_bench

    return cli_bench


def test_the_benchmarks_edit_is_valid_content_at_the_start_of_the_summary(tmp_path: Path) -> None:
    """The edit cli_bench times (and serve's 20) must change what the thesis page shows and keep the
    corpus valid, for both ways the corpus writes a summary: a block scalar and a plain one."""
    cli_bench = _cli_bench()
    from make_corpus import make_corpus

    from generator.pipeline import check_project
    from generator.settings import ProjectPaths

    make_corpus(tmp_path, sources=40, seed=1)
    theses = sorted((tmp_path / "content" / "theses").glob("*.*"))
    styles = {path: "block" if "\nsummary: >" in path.read_text(encoding="utf-8") else "plain" for path in theses}
    assert set(styles.values()) == {"block", "plain"}
    for path in theses:
        path.write_text(cli_bench.with_marker(path.read_text(encoding="utf-8"), "Revised in benchmark edit 7."),
                        encoding="utf-8")
    checked = check_project(ProjectPaths(tmp_path))
    assert checked.errors == [] and checked.publication is not None
    summaries = [thesis.summary for thesis in checked.publication.graph.theses.values()]
    assert len(summaries) == len(theses)
    assert all(summary.startswith("Revised in benchmark edit 7. ") for summary in summaries), summaries[:3]


def test_the_first_query_counts_what_pagefinds_client_fetches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a small index in shards: the search box and the list of shards, the client, and from
    every shard its entry, metadata and the chunk of the word; the fragments of the first 5 of 7
    results; no fragment for a word on no page."""
    from generator import search

    if shutil.which("node") is None:
        pytest.skip("node runs Pagefind's client")
    cli_bench = _cli_bench()
    site = tmp_path / "site"
    for number in range(9):
        words = "lantern harbour" if number < 7 else "harbour"
        page = site / f"page-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<html lang='en'><body><main data-pagefind-body><h1>Page {number}</h1>"
                        f"<p>{words} {'filler ' * number}</p></main></body></html>", encoding="utf-8")
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 2)  # 9 pages in 4 shards, as 2,560 would be
    failure, state = search.index_search(site)
    assert failure is None and len(state.shards) == 4

    found = cli_bench.first_query(site, "lantern")
    fragments = [name for name in found["files"] if name.endswith(".pf_fragment")]
    assert found["results"] == 7 and len(fragments) == 5 and len(found["first"]) == 5 and found["shards"] == 4
    shards = sorted(f"pagefind/{name}/" for name in state.shards)
    primary = shards[0]
    assert {f"{primary}pagefind-entry.json", f"{primary}wasm.en.pagefind", f"{primary}pagefind.js",
            "pagefind/pagefind-modular-ui.js", "pagefind/shards.js"} <= set(found["files"])
    for shard in shards:  # every shard: its entry and metadata, and the chunk of the word
        assert f"{shard}pagefind-entry.json" in found["files"]
        assert any(name.startswith(shard) and name.endswith(".pf_meta") for name in found["files"]), shard
        assert any(name.startswith(shard) and name.endswith(".pf_index") for name in found["files"]), shard
    assert found["bytes"] == sum(found["files"].values())
    assert all(size == (site / name).stat().st_size for name, size in found["files"].items())

    missing = cli_bench.first_query(site, "zeppelin")
    assert missing["results"] == 0 and not any(name.endswith(".pf_fragment") for name in missing["files"])


def test_the_byte_comparison_names_every_differing_path(tmp_path: Path) -> None:
    cli_bench = _cli_bench()
    one, other = tmp_path / "one", tmp_path / "other"
    for root, changed in ((one, b"a"), (other, b"b")):
        (root / "same").mkdir(parents=True)
        (root / "same" / "index.html").write_bytes(b"same bytes")
        (root / "changed.html").write_bytes(changed)
    (one / "only-here.json").write_bytes(b"{}")
    assert cli_bench.differing_paths(one, other) == ["changed.html", "only-here.json"]
    assert cli_bench.differing_paths(one / "same", other / "same") == []


@pytest.mark.parametrize("values, median, p90", [([3.0, 1.0, 2.0, 5.0, 4.0], 3.0, 5.0),
                                                 ([float(n) for n in range(1, 21)], 10.5, 18.0)])
def test_preview_latency_percentile_is_the_nearest_rank(values, median, p90) -> None:
    cli_bench = _cli_bench()
    assert statistics.median(values) == median and cli_bench.percentile(values, 0.9) == p90
