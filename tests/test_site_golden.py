"""The generated docs tree of the sample content equals the committed golden tree, file by file.

After an intended change: `UPDATE_EXPECTED=1 python -m pytest -m expected_files` (README, "Tests"),
then review the diff of tests/samples/basic/expected_docs."""

from __future__ import annotations

import difflib

import pytest

from site_support import EXPECTED_DOCS, NOT_GOLDEN, golden_files, make_project, render_docs, tree_bytes, write_golden


@pytest.mark.expected_files
def test_docs_tree_matches_golden(tmp_path, update_expected):
    everything = render_docs(make_project(tmp_path / "project"))
    actual = golden_files(everything)
    if update_expected:
        write_golden(actual)
    expected = tree_bytes(EXPECTED_DOCS)
    assert sorted(set(everything) - set(actual)) == sorted(f"cards/{t}.png" for t in ("leading-edge-scarcity", "memory-bound-inference"))
    assert not any(path.startswith(NOT_GOLDEN) for path in expected)
    assert sorted(actual) == sorted(expected), "pages added or missing; UPDATE_EXPECTED=1 rewrites the tree (README, \"Tests\")"
    for relpath in sorted(expected):
        if actual[relpath] != expected[relpath]:
            diff = "\n".join(difflib.unified_diff(
                expected[relpath].decode().splitlines(), actual[relpath].decode().splitlines(),
                f"expected/{relpath}", f"actual/{relpath}", lineterm="", n=2))
            raise AssertionError(f"{relpath} differs from the golden tree:\n{diff}")


def test_every_stable_url_has_a_page():
    paths = set(tree_bytes(EXPECTED_DOCS))
    for required in (
        "index.md", "theses/index.md", "sources/index.md", "assets/index.md", "claims/index.md",
        "people/index.md", "tags/index.md",
        "theses/memory-bound-inference/index.md", "theses/memory-bound-inference/evidence/index.md",
        "sources/memory-wall-talk/index.md", "assets/MU/index.md", "people/ada-lane/index.md",
        "tags/memory/index.md",
    ):
        assert required in paths, required


def test_rendering_is_deterministic(tmp_path):
    first = render_docs(make_project(tmp_path / "one"))
    second = render_docs(make_project(tmp_path / "two"))
    assert first == second


def test_traceability_graph_draws_every_position_claim_and_quote_edge(tmp_path):
    """One edge per (position, claim it rests on), per (claim, quote) and per (quote, source):
    counted from the content, so an edge dropped by a key mismatch fails here."""
    import re

    from generator.pipeline import check_project

    paths = make_project(tmp_path / "project")
    docs = render_docs(paths)
    graph = check_project(paths, jobs=1).publication.graph
    for thesis in graph.theses.values():
        page = docs[f"theses/{thesis.id}/index.md"].decode()
        svg = page[page.index('<svg class="ts-graph"'):page.index("</svg>")]
        by_direction: dict[str, int] = {}
        for position in thesis.assets:
            by_direction[position.direction] = by_direction.get(position.direction, 0) + len(position.because)
        for direction, count in by_direction.items():
            assert len(re.findall(rf'class="ts-edge ts-edge--{direction}"', svg)) == count, (thesis.id, direction)
        quotes = sum(len(graph.citations_by_claim.get((thesis.id, claim.id), ())) for claim in thesis.claims)
        assert len(re.findall(r'class="ts-edge"', svg)) == 2 * quotes, thesis.id
