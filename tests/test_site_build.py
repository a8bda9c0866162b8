"""Full builds with mkdocs-material: --strict is clean, output is reproducible, failures are atomic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import main
from generator.settings import ProjectPaths
from site_support import REPO, make_project, tree_bytes

EPOCH = "1700000000"


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def build(paths: ProjectPaths, out: Path, strict: bool = True):
    return build_site(paths, out, strict=strict)


def test_sample_site_builds_clean_in_strict_mode(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    result = build(paths, tmp_path / "site")
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    assert result.messages == []
    site = tmp_path / "site"
    for page in ("index.html", "theses/memory-bound-inference/index.html",
                 "theses/memory-bound-inference/evidence/index.html", "sources/memory-wall-talk/index.html",
                 "assets/MU/index.html", "people/ada-lane/index.html", "tags/memory/index.html",
                 "assets/index.html", "claims/index.html"):
        assert (site / page).is_file(), page
    evidence = (site / "theses/memory-bound-inference/evidence/index.html").read_text()
    assert 'id="kv-cache-dominates-memory"' in evidence
    assert "https://www.youtube.com/watch?v=abc123&amp;t=725" in evidence
    asset = (site / "assets/MU/index.html").read_text()
    # asset -> claim (one click) lands on the evidence page at the claim, where the quote is
    assert "../../theses/memory-bound-inference/evidence/#kv-cache-dominates-memory" in asset
    source = (site / "sources/memory-wall-talk/index.html").read_text()
    for anchor in ("kv-cache-dominates", "moment-0-12-05", "table-memory-per-request", "tldr", "bottom-line", "notes"):
        assert f'id="{anchor}"' in source, anchor


def test_no_third_party_requests_in_built_pages(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    assert build(paths, tmp_path / "site").ok
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text()
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page
        for match in re.finditer(r'<(?:script|link|img)\b[^>]*(?:src|href)="(https?:)?//', html):
            if 'rel="canonical"' in match.group(0):
                continue  # names the page's published address; browsers never fetch it
            raise AssertionError(f"{page}: external resource {match.group(0)}")


def test_two_builds_are_byte_identical(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    assert build(paths, tmp_path / "one").ok
    shutil.rmtree(paths.docs_tree)
    assert build(paths, tmp_path / "two").ok
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_build_date_comes_from_source_date_epoch(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    assert build(paths, tmp_path / "site").ok
    assert "Built on 2023-11-14" in (tmp_path / "site" / "index.html").read_text()


def test_content_error_leaves_previous_site_untouched(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build(paths, out).ok
    before = tree_bytes(out)
    thesis = paths.content / "theses" / "leading-edge-scarcity.yaml"
    thesis.write_text(thesis.read_text().replace("asset: TSM", "asset: TSMX"))
    result = build(paths, out)
    assert not result.ok
    assert any(d.code == "ref.unknown-asset" for d in result.diagnostics)
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


def test_mkdocs_failure_leaves_previous_site_untouched(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build(paths, out).ok
    before = tree_bytes(out)
    # A template that links to a page that does not exist: mkdocs warns, --strict aborts.
    template = paths.templates / "pages" / "home.md.j2"
    template.write_text(template.read_text() + "\n[broken](no/such/page.md)\n")
    result = build(paths, out)
    assert not result.ok
    assert any(d.code == "build.mkdocs" for d in result.diagnostics)
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


def test_broken_mkdocs_config_leaves_previous_site_untouched(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build(paths, out).ok
    before = tree_bytes(out)
    paths.mkdocs_config.write_text(paths.mkdocs_config.read_text().replace("name: material", "name: no-such-theme"))
    result = build(paths, out)
    assert not result.ok
    assert tree_bytes(out) == before


def test_cli_build_exit_codes(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    runner = CliRunner()
    ok = runner.invoke(main, ["build", "--strict", "--root", str(paths.root), "--out", str(tmp_path / "site")])
    assert ok.exit_code == 0, ok.output
    thesis = paths.content / "theses" / "leading-edge-scarcity.yaml"
    thesis.write_text(thesis.read_text().replace("asset: TSM", "asset: TSMX"))
    failed = runner.invoke(main, ["build", "--root", str(paths.root), "--out", str(tmp_path / "site")])
    assert failed.exit_code == 1
    assert "ref.unknown-asset" in failed.output


def test_shipped_content_builds_clean_in_strict_mode(tmp_path, epoch):
    paths = make_project(tmp_path / "project", REPO / "content")
    result = build(paths, tmp_path / "site")
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    assert result.messages == []


def test_long_listings_are_paged_and_links_resolve(tmp_path, epoch, monkeypatch):
    from generator.pages import paging

    monkeypatch.setattr(paging, "PAGE_ROWS", 1)
    paths = make_project(tmp_path / "project")
    result = build(paths, tmp_path / "site")  # --strict: every page and anchor link must resolve
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    site = tmp_path / "site"
    assert (site / "theses" / "page_2" / "index.html").is_file()
    assert (site / "claims" / "page_5" / "index.html").is_file()
    second = (site / "theses" / "page_2" / "index.html").read_text()
    assert "Theses (page 2 of 2)" in second and 'rel="prev"' in second
