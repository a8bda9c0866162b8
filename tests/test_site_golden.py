"""The generated docs tree of the sample content equals the committed golden tree, file by file.

After an intended change: `python -m tests.regenerate_golden`, then review the diff."""

from __future__ import annotations

import difflib

from site_support import EXPECTED_DOCS, make_project, render_docs, tree_bytes


def test_docs_tree_matches_golden(tmp_path):
    actual = render_docs(make_project(tmp_path / "project"))
    expected = tree_bytes(EXPECTED_DOCS)
    assert sorted(actual) == sorted(expected), "pages added or missing; run python -m tests.regenerate_golden"
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
