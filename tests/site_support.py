"""Helpers for the site tests: a throw-away project holding some content plus the repository's
own mkdocs.yml and site templates, so tests build exactly what the shipped site builds."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Callable

from generator.build import generate_docs
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from generator.siteconfig import DEFAULT_SITE_URL, read_site_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "samples" / "basic"
SAMPLE_CONTENT = SAMPLE / "content"
EXPECTED_DOCS = SAMPLE / "expected_docs"
TEST_SITE_URL = "https://theses.example.net/"
"""What the tests set SITE_URL to (conftest.py), so the shipped mkdocs.yml has a real site_url."""


def make_project(root: Path, content: Path = SAMPLE_CONTENT) -> ProjectPaths:
    """A project at `root`: a copy of `content`, the repository's mkdocs.yml and templates."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(content, root / "content")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return ProjectPaths(root)


def render_docs(paths: ProjectPaths, site_url: str = DEFAULT_SITE_URL) -> dict[str, bytes]:
    """The docs tree the generator makes for a project, in memory (no mkdocs run), with the
    project's settings; absolute links start at `site_url` (default: the placeholder, as in the golden tree)."""
    result = check_project(paths, jobs=1)
    assert not result.errors, [d.format_text() for d in result.errors]
    assert result.publication is not None
    settings = dataclasses.replace(read_site_settings(paths), site_url=site_url)
    return generate_docs(paths, result.publication, settings)


NOT_GOLDEN = ("cards/",)
"""Docs-tree folders the golden tree leaves out: share cards are PNGs whose bytes follow the
installed Pillow (its zlib and FreeType), not the generator; tests/test_cards.py checks them."""


def golden_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The part of a docs tree the golden tree holds."""
    return {path: data for path, data in files.items() if not path.startswith(NOT_GOLDEN)}


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` as relative path → bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def raising(message: str) -> Callable[[], None]:
    def fail() -> None:
        raise RuntimeError(message)
    return fail
