"""The Zensical renderer keeps the site's promises: every page at the URL mkdocs gives it, the
export and feeds byte for byte, injection inert, atomic, reproducible, no third-party request,
search present, and the live preview (axe-core on its pages: tests/test_browser.py). Editions
stay mkdocs-only.

Zensical comes with the test extra (`pip install -e ".[test]"`); missing, these tests skip
locally and fail under CI=true. The sample is built once per module (three builds: Zensical
twice, the second on a warm Zensical cache and a fresh docs tree, and mkdocs once to compare).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser_support import in_ci
from generator.build import build_site
from generator.cli import main
from generator.renderers import RendererError, configured_renderer_name, get_renderer
from generator.renderers.zensical import messages_from
from generator.settings import ProjectPaths
from site_support import EPOCH, fetch, make_project, preview, sample_thesis, search_shards, tree_bytes, wait_for

pytestmark = pytest.mark.zensical

THESIS_TITLE = "Inference is bound by memory, which favours memory makers"


def _require_zensical() -> None:
    if importlib.util.find_spec("zensical") is not None:
        return
    reason = 'Zensical is not installed (pip install -e ".[zensical]")'
    if in_ci():
        pytest.fail(f"the Zensical tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _zensical_installed():
    _require_zensical()


def _choose(paths: ProjectPaths, renderer: str) -> None:
    """Set `extra.thesis_site.renderer` in the project's mkdocs.yml."""
    text = paths.mkdocs_config.read_text(encoding="utf-8")
    paths.mkdocs_config.write_text(text.replace("extra:\n", f"extra:\n  thesis_site:\n    renderer: {renderer}\n", 1),
                                   encoding="utf-8")


def _build(paths: ProjectPaths, out: Path, renderer: str = "zensical", strict: bool = True):
    result = build_site(paths, out, strict=strict, renderer=get_renderer(renderer))
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    return result


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(project, Zensical site, second Zensical site, mkdocs site) of the sample content."""
    _require_zensical()
    root = tmp_path_factory.mktemp("zensical")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        paths = make_project(root / "project")
        first = _build(paths, root / "one")
        assert first.messages == []  # Zensical reported no issue
        shutil.rmtree(paths.docs_tree)
        _build(paths, root / "two")
        _build(paths, root / "mkdocs", renderer="mkdocs")
    return paths, root / "one", root / "two", root / "mkdocs"


def _page_urls(site: Path) -> set[str]:
    return {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")}


def test_every_page_is_at_the_url_mkdocs_gives_it(sites):
    _, zensical, _, mkdocs = sites
    urls = _page_urls(zensical)
    assert len(urls) > 20 and "theses/memory-bound-inference" in urls
    assert urls == _page_urls(mkdocs)
    evidence = (zensical / "theses/memory-bound-inference/evidence/index.html").read_text(encoding="utf-8")
    assert 'id="kv-cache-dominates-memory"' in evidence
    # The table of contents names a claim by its text; Zensical's own partial would nest the
    # claim's anchor inside the TOC link and leave the link empty (see overrides/partials/toc-item.html).
    toc_link = re.search(r'<a href="#memory-makers-capture[^"]*" class="md-nav__link">(.*?)</a>', evidence, re.DOTALL)
    assert toc_link and "<a" not in toc_link.group(1)
    assert "Memory makers capture a growing share of serving budgets." in toc_link.group(1)
    asset = (zensical / "assets/MU/index.html").read_text(encoding="utf-8")
    assert "../../theses/memory-bound-inference/evidence/#kv-cache-dominates-memory" in asset


def test_export_and_feeds_are_the_same_bytes_as_under_mkdocs(sites):
    _, zensical, _, mkdocs = sites
    z, m = tree_bytes(zensical), tree_bytes(mkdocs)
    machine_readable = {path for path in m if path.startswith(("api/", "feeds/"))}
    assert len(machine_readable) > 20
    assert {path: z.get(path) for path in machine_readable} == {path: m[path] for path in machine_readable}
    assert ".thesis-site-build" in z  # the marker: a later build may replace this site


def test_two_builds_are_byte_identical(sites):
    _, one, two, _ = sites
    assert tree_bytes(one) == tree_bytes(two)


def test_no_third_party_request_and_no_google_fonts(sites):
    """`theme.font: false` is honoured (no font CSS from Google), and no page loads a script,
    stylesheet or picture from another host. (Zensical's bundle, like material's, holds URLs it
    loads only for features this site does not use: mermaid, glightbox, repository stats.)"""
    _, site, _, _ = sites
    pages = sorted(site.rglob("*.html"))
    assert pages
    for path in [*pages, *site.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="(https?:)?//', html):
            if 'rel="canonical"' in match.group(0):
                continue  # names the page's published address; browsers never fetch it
            raise AssertionError(f"{page}: external resource {match.group(0)}")


def test_search_index_is_zensicals_own(sites):
    _, site, _, _ = sites
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert any(item.get("title") == THESIS_TITLE for item in index["items"])
    home = (site / "index.html").read_text(encoding="utf-8")
    worker = re.search(r'"search":"\./(assets/javascripts/workers/search\.[0-9a-f]+\.min\.js)"', home)
    assert worker and (site / worker.group(1)).is_file()


def test_footer_leaves_out_the_build_date(sites):
    """Zensical gives templates no build date: the footer says so by leaving it out."""
    _, site, _, mkdocs = sites
    footer = (site / "index.html").read_text(encoding="utf-8")
    assert "Built on" not in footer and "Built with thesis-site and Zensical." in footer
    assert "Built on 2023-11-14 with thesis-site and Material for MkDocs." in (mkdocs / "index.html").read_text()


def test_the_build_leaves_nothing_beside_the_docs_tree_but_the_caches(sites):
    """Zensical's own cache (`.cache`), the generator's (`cache`, see `caches`) and its records of
    the docs tree and of the mkdocs site (`incremental`)."""
    paths, _, _, _ = sites
    assert sorted(p.name for p in paths.docs_tree.parent.iterdir()) == [".cache", "cache", "docs", "docs-record.json",
                                                                          "records"]
    assert sorted(p.name for p in paths.root.iterdir()) == ["build", "content", "mkdocs.yml", "site_templates"]


# --------------------------------------------------------------------------- atomic


def _break_a_link(paths: ProjectPaths) -> None:
    template = paths.templates / "pages" / "home.md.j2"
    template.write_text(template.read_text() + "\n[broken](no/such/page.md)\n")


def _break_the_theme(paths: ProjectPaths) -> None:
    paths.mkdocs_config.write_text(paths.mkdocs_config.read_text().replace("custom_dir: site_templates/overrides",
                                                                           "custom_dir: no/such/folder"))


@pytest.mark.parametrize("breaking", [_break_a_link, _break_the_theme])
def test_a_failing_build_leaves_the_previous_site_byte_identical(sites, tmp_path, epoch, breaking):
    _, built, _, _ = sites
    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    shutil.copytree(built, out)
    before = tree_bytes(out)
    breaking(paths)
    result = build_site(paths, out, strict=True, renderer=get_renderer("zensical"))
    assert not result.ok
    assert [d.code for d in result.diagnostics] == ["build.mkdocs"]
    assert any(m.startswith("zensical: ERROR: ") for m in result.messages), result.messages
    if breaking is _break_a_link:  # the warning that failed --strict, with where it is
        assert any(re.fullmatch(r"zensical: WARNING: page does not exist \(index\.md:\d+:\d+\)", m)
                   for m in result.messages), result.messages
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]
    assert not [p for p in paths.docs_tree.parent.iterdir() if p.name.startswith(".zensical-")]


def test_a_killed_runs_leftovers_are_removed_by_the_next(sites, tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has ended
    beside = paths.docs_tree.parent
    (beside / f".zensical-{pid}-x" / "site").mkdir(parents=True)
    (beside / f".zensical-{pid}-x.yml").write_text("INHERIT: ../mkdocs.yml\n")
    (beside / f".zensical-{os.getpid()}-live.yml").write_text("a run of this process: kept\n")
    _build(paths, tmp_path / "site")
    assert sorted(p.name for p in beside.iterdir() if p.name.startswith(".zensical-")) == [f".zensical-{os.getpid()}-live.yml"]


# --------------------------------------------------------------------------- injection


def test_hostile_content_is_inert_under_zensical(tmp_path, epoch):
    from test_site_injection import MARK, _Inspector, hostile_content

    paths = make_project(tmp_path / "project", hostile_content(tmp_path))
    site = tmp_path / "site"
    _build(paths, site)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    problems = []
    for page in pages:
        inspector = _Inspector()
        inspector.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(site)}: {p}" for p in inspector.problems]
    assert problems == []
    thesis = (site / "theses" / "evil-thesis" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in thesis and "{{ 7*7 }}" in thesis and "{% for x in y %}" in thesis
    for item in json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]:
        for field in ("title", "text"):
            assert "<script" not in str(item.get(field, "")).lower(), item.get("location")
    assert MARK not in (site / "sitemap.xml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- choosing it


def test_the_project_chooses_the_renderer_and_the_command_line_overrides_it(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    assert configured_renderer_name(paths) == "mkdocs"
    _choose(paths, "zensical")
    assert configured_renderer_name(paths) == "zensical"
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--root", str(paths.root), "--strict", "--out", str(tmp_path / "z")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "z" / "search.json").is_file() and not (tmp_path / "z" / "search").exists()
    built = runner.invoke(main, ["build", "--root", str(paths.root), "--strict", "--renderer", "mkdocs",
                                 "--out", str(tmp_path / "m")])
    assert built.exit_code == 0, built.output
    assert search_shards(tmp_path / "m") and not (tmp_path / "m" / "search.json").exists()


def test_an_unknown_renderer_is_a_usage_error(tmp_path):
    paths = make_project(tmp_path / "project")
    runner = CliRunner()
    refused = runner.invoke(main, ["build", "--root", str(paths.root), "--renderer", "hugo"])
    assert refused.exit_code == 2 and "hugo" in refused.output
    _choose(paths, "hugo")
    with pytest.raises(RendererError, match="hugo"):
        configured_renderer_name(paths)
    for command in (["build"], ["serve"], ["publish", "2026.06"]):
        refused = runner.invoke(main, [command[0], "--root", str(paths.root), *command[1:]])
        assert refused.exit_code == 2, (command, refused.output)
        assert "extra.thesis_site.renderer is 'hugo'" in refused.output, (command, refused.output)
    assert not (paths.root / "site").exists()


def test_publish_refuses_a_project_that_renders_with_zensical(tmp_path):
    """Editions are mike's, and mike builds with mkdocs only."""
    paths = make_project(tmp_path / "project")
    _choose(paths, "zensical")
    refused = CliRunner().invoke(main, ["publish", "2026.06", "--root", str(paths.root)])
    assert refused.exit_code == 2
    assert "editions are published with mike, which builds with mkdocs only" in refused.output
    assert "extra.thesis_site.renderer: zensical" in refused.output


def test_zensical_output_becomes_one_line_per_warning():
    output = ("Build started\n\x1b[33mWarning:\x1b[0m page does not exist\n"
              "    \x1b[38;5;246m╭\x1b[0m\x1b[38;5;246m─\x1b[0m\x1b[38;5;246m[\x1b[0m theses/x.md:50:10 \x1b[38;5;246m]\x1b[0m\n"
              " 50 │ [broken](no/such/page.md)\nWarning: anchor missing\n1 issue found\n")
    assert messages_from(output) == ["zensical: WARNING: page does not exist (theses/x.md:50:10)",
                                     "zensical: WARNING: anchor missing"]


# --------------------------------------------------------------------------- live preview


@pytest.mark.slow
def test_serve_with_zensical_shows_a_saved_edit_and_cleans_up(tmp_path):
    paths = make_project(tmp_path / "project")
    environment = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, GIT_CEILING_DIRECTORIES=str(tmp_path))
    # Zensical's reload script
    with preview(paths.root, tmp_path / "serve.log", "--renderer", "zensical", expect="new WebSocket(",
                 env=environment) as base:
        url = base + "theses/memory-bound-inference/"
        assert wait_for(lambda: THESIS_TITLE in (fetch(url) or ""), 120), "the thesis page never answered"
        thesis = sample_thesis(paths)
        text = thesis.read_text(encoding="utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        thesis.write_text(text.replace(title, "title: Edited while the preview runs"), encoding="utf-8")
        assert wait_for(lambda: "Edited while the preview runs" in (fetch(url) or ""), 120), \
            "the edit never reached the served page"
    assert wait_for(lambda: fetch(url) is None, 15), "Zensical's server outlived thesis-site serve"
    assert not [p for p in paths.docs_tree.parent.iterdir() if p.name.startswith(".zensical-")]


def test_serve_with_zensical_on_a_taken_port_fails_as_mkdocs_does(tmp_path):
    """Zensical itself prints "Address already in use" and exits 0; `serve` says so and exits 2."""
    import socket

    paths = make_project(tmp_path / "project")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--root", str(paths.root), "--renderer", "zensical",
                                           "--dev-addr", f"127.0.0.1:{port}"])
    assert result.exit_code == 2, result.output
    assert f"cannot serve at 127.0.0.1:{port}" in result.output
