"""A whole mkdocs build in two processes (`renderers.mkdocs_halves`) makes the site one process
makes, byte for byte, reports the same warnings (links to anchors across the halves included),
fails as one process fails, and is used only where it can be."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import generator.renderers.mkdocs as mkdocs_renderer
import generator.renderers.mkdocs_halves as halves
from generator.build import build_site
from generator.settings import ProjectPaths

from site_support import make_project, tree_bytes


def _in_halves(monkeypatch: pytest.MonkeyPatch, started: list[object] | None = None) -> None:
    """Every whole build renders in halves, and `started` collects each helper started."""
    monkeypatch.setattr(mkdocs_renderer, "HALVES_FROM", 0)
    monkeypatch.setattr(mkdocs_renderer, "cores", lambda: 2)
    if started is not None:
        start = mkdocs_renderer.start_helper

        def counted(*args: object) -> halves.Helper | None:
            helper = start(*args)  # type: ignore[arg-type]
            started.append(helper)
            return helper

        monkeypatch.setattr(mkdocs_renderer, "start_helper", counted)


def _alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mkdocs_renderer, "start_helper", lambda *args: pytest.fail("a helper started"))


def test_the_sample_site_built_in_halves_is_the_site_one_process_builds(tmp_path: Path, epoch: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "project")
    with monkeypatch.context() as alone:
        _alone(alone)
        one = build_site(paths, tmp_path / "one", clean=True)
    started: list[object] = []
    _in_halves(monkeypatch, started)
    both = build_site(paths, tmp_path / "both", clean=True)
    assert len(started) == 1 and started[0] is not None
    assert one.how == both.how == "clean" and one.messages == both.messages == []
    assert one.pages == both.pages > 20
    assert tree_bytes(tmp_path / "both") == tree_bytes(tmp_path / "one")


def _anchors_project(root: Path, validation: str = "warn") -> ProjectPaths:
    """A plain mkdocs project of eight pages linking to each other's anchors, two of the links
    broken; a nav page titled by its own text (read by both processes)."""
    root.mkdir()
    (root / "mkdocs.yml").write_text(
        "site_name: halves\nsite_url: https://halves.example.net/\ntheme:\n  name: material\n"
        f"validation:\n  anchors: {validation}\nnav:\n  - Home: index.md\n  - own.md\n"
        "not_in_nav: |\n  /p*.md\n", encoding="utf-8")
    docs = ProjectPaths(root).docs_tree
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("---\nicon: material/home\n---\n# Home\n\n## Start\n\n[first](p0.md#part-0)\n",
                                   encoding="utf-8")  # the icon shows in every page's nav
    (docs / "own.md").write_text("# Its own title\n\n## Own part\n\n[back](index.md#start)\n", encoding="utf-8")
    for number in range(6):
        following = (number + 1) % 6
        (docs / f"p{number}.md").write_text(
            f"# Page {number}\n\n## Part {number}\n\n[next](p{following}.md#part-{following}) "
            f"[own](own.md#own-part)\n", encoding="utf-8")
    # Broken: one link from a page the helper renders, one to such a page.
    (docs / "p1.md").write_text("# Page 1\n\n## Part 1\n\n[gone](p2.md#no-such-part)\n", encoding="utf-8")
    (docs / "p4.md").write_text("# Page 4\n\n## Part 4\n\n[gone](p1.md#missing)\n", encoding="utf-8")
    return ProjectPaths(root)


def _warnings(messages: list[str]) -> list[str]:
    return sorted(message for message in messages if "anchor" in message)


def test_links_to_anchors_across_the_halves_are_checked_as_one_process_checks_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _anchors_project(tmp_path / "project")
    with monkeypatch.context() as alone:
        _alone(alone)
        one_ok, one = mkdocs_renderer.run_mkdocs(paths, tmp_path / "one", strict=False)
        strict_alone = mkdocs_renderer.run_mkdocs(paths, tmp_path / "one-strict", strict=True)
    started: list[object] = []
    _in_halves(monkeypatch, started)
    both_ok, both = mkdocs_renderer.run_mkdocs(paths, tmp_path / "both", strict=False)
    assert started and started[-1] is not None
    assert one_ok and both_ok
    assert len(_warnings(one)) == 2 and _warnings(both) == _warnings(one)
    assert tree_bytes(tmp_path / "both") == tree_bytes(tmp_path / "one")
    strict_both = mkdocs_renderer.run_mkdocs(paths, tmp_path / "both-strict", strict=True)
    assert strict_alone[0] is False and strict_both[0] is False
    assert any("strict mode" in message for message in strict_both[1])


def test_each_cross_link_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the broken links are reported, each once, whichever process rendered which end."""
    paths = _anchors_project(tmp_path / "project")
    _in_halves(monkeypatch)
    succeeded, messages = mkdocs_renderer.run_mkdocs(paths, tmp_path / "site", strict=False)
    assert succeeded
    found = _warnings(messages)
    assert len(found) == 2 and len(set(found)) == 2
    assert any("'p1.md'" in message and "#no-such-part" in message for message in found)
    assert any("'p4.md'" in message and "#missing" in message for message in found)


def test_the_helper_writes_its_pages_and_nothing_else(tmp_path: Path) -> None:
    """Not the assets, the sitemap or the 404 page, which the build's own process writes into the
    same folder at the same time; and it answers the anchors of its pages."""
    paths = _anchors_project(tmp_path / "project")
    site = tmp_path / "site"
    request = io.BytesIO(json.dumps({"root": str(paths.root), "site_dir": str(site), "strict": False}).encode())
    answer = io.BytesIO()
    mkdocs_renderer.render_helper_half(request, answer)
    written = sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    assert written == ["own/index.html", "p0/index.html", "p2/index.html", "p4/index.html"]
    told = halves.HelperAnswer.from_json(answer.getvalue())
    assert told.succeeded and sorted(told.anchors) == ["p0.md", "p2.md", "p4.md"]
    assert "part-2" in told.anchors["p2.md"]
    assert told.links == {"p0.md": {"p1.md": {"part-1": "p1.md#part-1"}}, "p2.md": {"p3.md": {"part-3": "p3.md#part-3"}},
                          "p4.md": {"p1.md": {"missing": "p1.md#missing"}}}  # to pages only the other process renders


def test_a_helper_that_ends_without_an_answer_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _anchors_project(tmp_path / "project")
    _in_halves(monkeypatch)
    monkeypatch.setattr(halves, "worker_command", lambda module, function: [
        sys.executable, "-c", "import sys; sys.stderr.write('out of memory\\n'); sys.exit(3)"])
    succeeded, messages = mkdocs_renderer.run_mkdocs(paths, tmp_path / "site", strict=False)
    assert not succeeded
    assert any("half of the pages ended with 3" in message and "out of memory" in message for message in messages)


def test_a_build_whose_helper_fails_leaves_the_previous_site(tmp_path: Path, epoch: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC §6, nothing lost: the helper's pages go into the build's temporary folder, never into the site."""
    paths = make_project(tmp_path / "project")
    assert build_site(paths, clean=True).how == "clean"
    before = tree_bytes(paths.site)
    _in_halves(monkeypatch)
    half_written = ("import sys, json, pathlib; site = json.load(sys.stdin)['site_dir']; "
                    "pathlib.Path(site, 'half.html').write_text('a page'); sys.exit(3)")  # a page, then a crash
    monkeypatch.setattr(halves, "worker_command", lambda module, function: [sys.executable, "-c", half_written])
    failed = build_site(paths, clean=True)
    assert [d.code for d in failed.diagnostics if d.severity == "error"] == ["build.mkdocs"]
    assert tree_bytes(paths.site) == before
    assert [path.name for path in paths.root.iterdir() if path.name.startswith(".site-")] == []  # no temporary left


def test_a_page_that_fails_in_the_helper_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _anchors_project(tmp_path / "project")
    # p2.md is the helper's (every other page in mkdocs' order: index.md, p0.md, p1.md, p2.md …; own.md is both's)
    (paths.docs_tree / "p2.md").write_text("---\ntemplate: no-such-template.html\n---\n# Page 2\n", encoding="utf-8")
    _in_halves(monkeypatch)
    succeeded, messages = mkdocs_renderer.run_mkdocs(paths, tmp_path / "site", strict=False)
    assert not succeeded
    assert any("p2.md" in message and "no-such-template" in message for message in messages)


def test_small_sites_one_core_and_sites_for_file_urls_build_in_one_process(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _anchors_project(tmp_path / "project")
    _alone(monkeypatch)
    assert mkdocs_renderer.run_mkdocs(paths, tmp_path / "small", strict=False)[0]  # 8 pages < HALVES_FROM
    monkeypatch.setattr(mkdocs_renderer, "HALVES_FROM", 0)
    monkeypatch.setattr(mkdocs_renderer, "cores", lambda: 1)
    assert mkdocs_renderer.run_mkdocs(paths, tmp_path / "one-core", strict=False)[0]
    monkeypatch.setattr(mkdocs_renderer, "cores", lambda: 2)
    assert mkdocs_renderer.run_mkdocs(paths, tmp_path / "offline", strict=False, offline=True)[0]
    config = mkdocs_renderer.load_site_config(paths)
    assert mkdocs_renderer.renders_in_halves(paths, config)
    config["extra_templates"] = ["extra.html"]
    assert not mkdocs_renderer.renders_in_halves(paths, config)
