"""Full builds with mkdocs-material: --strict is clean, output is reproducible, failures are atomic."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import build_site
from generator.cli import main
from generator.settings import ProjectPaths
from generator.siteconfig import read_site_settings
from site_support import EPOCH, REPO, make_project, raising, render_docs, sample_thesis, search_shards, tree_bytes



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


def test_the_export_and_feeds_are_written_into_the_docs_tree_and_copied_into_the_site(tmp_path, epoch):
    """The generator writes `api/` and `feeds/` into the docs tree before mkdocs runs, and mkdocs
    copies them: the site, the docs tree and the in-memory tree hold the same bytes."""
    paths = make_project(tmp_path / "project")
    result = build(paths, tmp_path / "site")
    assert result.ok
    assert result.pages == sum(1 for p in paths.docs_tree.rglob("*.md"))
    site, docs = tree_bytes(tmp_path / "site"), tree_bytes(paths.docs_tree)
    site_url = read_site_settings(paths).site_url  # where the build's absolute links start
    machine_readable = {path: data for path, data in render_docs(paths, site_url).items() if path.startswith(("api/", "feeds/"))}
    assert len(machine_readable) > 20
    assert {path: docs.get(path) for path in machine_readable} == machine_readable
    assert {path: site.get(path) for path in machine_readable} == machine_readable
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


@pytest.mark.parametrize("broken, message", [("render_page", "this page cannot be rendered"),
                                             ("feed_tree", "feeds cannot be made")])
def test_a_failure_while_rendering_leaves_the_previous_site_as_it_was(tmp_path, epoch, monkeypatch, broken, message):
    import generator.build as build_module

    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build(paths, out).ok
    before = tree_bytes(out)

    def fail(*args, **kwargs):
        raising(message)()

    thesis = sample_thesis(paths)  # an edit: a build from unchanged inputs would have nothing to render
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary:", "summary: Edited.", 1), encoding="utf-8")
    monkeypatch.setattr(build_module, broken, fail)
    with pytest.raises(RuntimeError, match=message):
        build(paths, out)
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


def test_the_build_runs_in_one_process_and_leaves_the_garbage_collector_alone(tmp_path, epoch, monkeypatch):
    """No worker is forked and the collector is neither paused nor frozen: `serve` regenerates
    from a timer thread, where forking is unsafe and a frozen heap would outlive the call."""
    import gc

    def refused(*args, **kwargs):
        raise AssertionError("the build must not call this")

    for name in ("fork", "forkpty"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refused)
    for name in ("disable", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, refused)
    paths = make_project(tmp_path / "project")
    result = build(paths, tmp_path / "site")
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]


def test_a_failing_mkdocs_leaves_the_docs_tree_whole(tmp_path, epoch):
    paths = _project_whose_mkdocs_fails(tmp_path)
    result = build(paths, tmp_path / "site")
    assert not result.ok
    assert any(d.code == "build.mkdocs" for d in result.diagnostics)
    assert (paths.docs_tree / "api" / "graph.json").is_file() and (paths.docs_tree / "index.md").is_file()


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


def _project_whose_mkdocs_fails(tmp_path: Path) -> ProjectPaths:
    paths = make_project(tmp_path / "project")
    paths.mkdocs_config.write_text(paths.mkdocs_config.read_text().replace("name: material", "name: no-such-theme"))
    return paths


def test_a_rebuild_leaves_unchanged_export_files_untouched_in_the_docs_tree(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    assert build(paths, tmp_path / "site").ok
    stamp = 1_000_000_000
    exported = sorted((paths.docs_tree / "api").rglob("*.json")) + sorted((paths.docs_tree / "feeds").rglob("*.xml"))
    for path in exported:
        os.utime(path, (stamp, stamp))
    assert build(paths, tmp_path / "site").ok
    assert [p for p in exported if p.stat().st_mtime != stamp] == []


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


LISTINGS = ("theses", "claims", "assets", "sources", "people", "tags")


def test_long_listings_are_paged_by_size_and_links_resolve(tmp_path, epoch, monkeypatch):
    """With a small page budget the sample's listings need several pages each: every listing page's
    HTML stays within the budget, and its table rows within the rows' share of it."""
    from generator.pages import paging

    monkeypatch.setattr(paging, "PAGE_BYTES", paging.FRAME_BYTES + 700)
    paths = make_project(tmp_path / "project")
    result = build(paths, tmp_path / "site")  # --strict: every page and anchor link must resolve
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    site = tmp_path / "site"
    assert (site / "theses" / "page_2" / "index.html").is_file()
    assert (site / "claims" / "page_5" / "index.html").is_file()
    second = (site / "theses" / "page_2" / "index.html").read_text()
    assert re.search(r"Theses \(page 2 of \d+\)", second) and 'rel="prev"' in second
    listing_pages = [page for name in LISTINGS for page in ((site / name / "index.html"),
                                                             *(site / name).glob("page_*/index.html"))]
    tag_pages = [page for page in (site / "tags").glob("*/**/index.html") if not page.parent.name.startswith("page_")
                 or page.parent.parent != site / "tags"]  # every tag page and its later pages
    assert tag_pages and len([p for p in listing_pages + tag_pages if p.parent.name.startswith("page_")]) >= 8
    for page in listing_pages + tag_pages:
        html = page.read_bytes()
        assert len(html) <= paging.PAGE_BYTES, (page, len(html))
        rows = sum(len(body) for body in re.findall(rb"<tbody>(.*?)</tbody>", html, re.DOTALL))
        assert 0 < rows <= paging.row_budget(), (page, rows)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> tuple[Path, Path]:
    """The valid fixture built once: (its docs tree, its site), to be copied under each broken project."""
    from test_diagnostic_codes import VALID

    root = tmp_path_factory.mktemp("good")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        paths = make_project(root / "project", VALID / "content")
        result = build_site(paths, root / "site", strict=True)
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    return paths.docs_tree, root / "site"


def _broken_codes() -> list[str]:
    from test_diagnostic_codes import _fixture_codes

    return _fixture_codes()


@pytest.mark.parametrize("code", _broken_codes())
def test_every_broken_fixture_fails_the_build_and_leaves_site_and_docs_tree(code, good_build, tmp_path, epoch, monkeypatch):
    """Each kind of broken content (`tests/fixtures/broken/<code>`, warnings included under
    --strict) stops the build with its diagnostic, before anything is written: the previous
    site and the previous docs tree stay byte for byte, and no staging folder is left."""
    from test_diagnostic_codes import FIXED_CLOCK, _project_for

    if code in FIXED_CLOCK:  # staleness is measured against the fixture's publication date
        monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_CLOCK[code])

    good_docs, good_site = good_build
    root = _project_for(code, tmp_path)
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    if not (root / "mkdocs.yml").exists():  # the config.site-url fixture brings its own
        shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    paths = ProjectPaths(root)
    shutil.copytree(good_docs, paths.docs_tree)
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    docs_before, site_before = tree_bytes(paths.docs_tree), tree_bytes(out)

    result = build_site(paths, out, strict=True)

    assert not result.ok
    assert code in {d.code for d in result.diagnostics}
    assert tree_bytes(out) == site_before
    assert tree_bytes(paths.docs_tree) == docs_before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


def test_builds_under_different_hash_seeds_are_byte_identical(tmp_path):
    """Two `thesis-site build` processes with different PYTHONHASHSEED (so every set and str-keyed
    hash order differs) write the same bytes: nothing in the output depends on hash order."""
    paths = make_project(tmp_path / "project")
    sites = []
    for seed in ("1", "4242"):
        environment = dict(os.environ, PYTHONHASHSEED=seed, SOURCE_DATE_EPOCH=EPOCH,
                           GIT_CEILING_DIRECTORIES=str(tmp_path), NO_MKDOCS_2_WARNING="1")
        site = tmp_path / f"site-{seed}"
        completed = subprocess.run([sys.executable, "-m", "generator", "build", "--strict", "--root", str(paths.root),
                                    "--out", str(site)], env=environment, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        shutil.rmtree(paths.docs_tree)
        sites.append(tree_bytes(site))
    assert sites[0] == sites[1]


def test_build_dates_default_to_the_last_commit(tmp_path, monkeypatch):
    """Without SOURCE_DATE_EPOCH the build takes the last commit's time, so building one commit
    twice, on any day, gives the same dates; the variable is not left set afterwards."""
    from review_support import Repo, isolate_git

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    isolate_git(monkeypatch, tmp_path)
    repo = Repo.create(tmp_path / "project", from_fixture=False)
    paths = make_project(repo.root)
    repo.git("add", "-A")
    repo.commit("content", date="2024-02-29", time="23:30:00")
    result = build(paths, tmp_path / "site")
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    assert "Built on 2024-02-29" in (tmp_path / "site" / "index.html").read_text()
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_the_served_site_searches_with_pagefind_and_the_offline_one_with_material(tmp_path, epoch):
    """A served build carries Pagefind's index and box, and no `<form name="search">` (whose
    presence makes material's bundle download its own index); evidence pages are indexed, listings
    are not. An offline build keeps material's search, whose index is inlined."""
    paths = make_project(tmp_path / "project")
    assert build(paths, tmp_path / "served").ok
    served = tmp_path / "served"
    assert search_shards(served) and (served / "pagefind" / "pagefind-modular-ui.js").is_file()
    home = (served / "index.html").read_text(encoding="utf-8")
    assert "pagefind/pagefind-modular-ui.js" in home and 'name="search"' not in home
    evidence = next(served.glob("theses/*/evidence/index.html")).read_text(encoding="utf-8")
    assert "data-pagefind-body" in evidence
    thesis_page = next(p for p in served.glob("theses/*/index.html") if p.parent.name != "evidence"
                       and not p.parent.name.startswith("page_") and p.parent != served / "theses")
    assert 'data-pagefind-weight="10"' in thesis_page.read_text(encoding="utf-8")
    for listing in ("theses", "claims", "assets", "sources", "people", "tags"):
        assert "data-pagefind-body" not in (served / listing / "index.html").read_text(encoding="utf-8")
    # material's index, which no served page reads, is not built (search_hook.leave_search_to_pagefind)
    assert not (served / "search").exists()
    assert 'id="ts-search-input"' in home and 'for="__search"' in home  # the header still shows the box

    result = build_site(paths, tmp_path / "offline", strict=True, offline=True)
    assert result.ok, result.messages
    offline = tmp_path / "offline"
    assert not (offline / "pagefind").exists()
    page = (offline / "index.html").read_text(encoding="utf-8")
    assert 'name="search"' in page and "pagefind" not in page
    assert (offline / "search" / "search_index.js").is_file()
    index = json.loads((offline / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(doc["location"].startswith("theses/memory-bound-inference/") for doc in index["docs"])


def _search_plugins(paths: ProjectPaths, offline: bool = False) -> tuple[object, bool]:
    from generator.renderers.mkdocs import load_site_config

    config = load_site_config(paths, offline=offline)
    plugin = config.plugins["material/search"]
    handlers = [h for handlers in config.plugins.events.values() for h in handlers
                if getattr(h, "__self__", None) is plugin]
    return plugin, bool(handlers)


def test_only_a_site_for_file_urls_keeps_materials_search_plugin_at_work(tmp_path):
    """Served: material's plugin is swapped for the box alone (listed, enabled, no handler), and
    the one it replaced is off. Offline (asked for, or listed in mkdocs.yml): material's plugin
    as loaded. Switched off in mkdocs.yml: left off, so the header shows no box."""
    from material.plugins.search.plugin import SearchPlugin

    from generator.search_hook import PagefindSearchBox

    paths = make_project(tmp_path / "project")
    served, listening = _search_plugins(paths)
    assert isinstance(served, PagefindSearchBox) and served.config.enabled and not listening
    offline, listening = _search_plugins(paths, offline=True)
    assert isinstance(offline, SearchPlugin) and offline.config.enabled and listening
    config = paths.mkdocs_config.read_text(encoding="utf-8")
    paths.mkdocs_config.write_text(config.replace("  - search\n", "  - search\n  - offline\n"), encoding="utf-8")
    listed, listening = _search_plugins(paths)
    assert isinstance(listed, SearchPlugin) and listed.config.enabled and listening
    paths.mkdocs_config.write_text(config.replace("  - search\n", "  - search:\n      enabled: false\n"), encoding="utf-8")
    disabled, _ = _search_plugins(paths)
    assert isinstance(disabled, SearchPlugin) and not disabled.config.enabled


def test_the_search_hook_leaves_materials_index_out_of_a_build_mkdocs_runs_itself(tmp_path, epoch):
    """Editions and the preview: mkdocs loads the hook, whose on_config swaps the plugin while
    mkdocs runs the on_config handlers; the build writes Pagefind's index and not material's."""
    from generator.search import hooks_with_search

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    from generator.build import write_docs_tree

    write_docs_tree(paths)
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(paths.mkdocs_config),
                                "-d", str(site)], cwd=paths.root, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert (site / "search" / "search_index.json").is_file()  # mkdocs.yml as written: material's plugin at work
    shutil.rmtree(site)
    config = paths.root / "edition.yml"
    config.write_text(f"INHERIT: mkdocs.yml\nhooks: {json.dumps(hooks_with_search(paths))}\n", encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                               cwd=paths.root, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert search_shards(site) and not (site / "search").exists()
    assert 'id="ts-search-input"' in (site / "index.html").read_text(encoding="utf-8")


def test_the_search_hook_keeps_the_projects_own_hooks(tmp_path):
    """mkdocs replaces a `hooks` list handed to it: editions and the preview must carry the project's."""
    from generator.search import HOOK, hooks_with_search

    paths = make_project(tmp_path / "project")
    assert hooks_with_search(paths) == [str(HOOK)]
    config = paths.mkdocs_config.read_text(encoding="utf-8")
    paths.mkdocs_config.write_text(config + "hooks:\n  - my_hook.py\n", encoding="utf-8")
    assert hooks_with_search(paths) == ["my_hook.py", str(HOOK)]
