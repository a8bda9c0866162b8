"""Incremental builds (`generator.incremental`): after each kind of edit, `build` updates the
previous site and gives the same bytes as a clean build of the same content; what cannot be
updated page by page is built clean; nothing of the previous site is written into."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

from generator.build import BuildResult, build_site
from generator.incremental import docs_state, read_docs_record, record_path
from generator.pages import urls
from generator.pages.urls import SEARCH_INDEX_FOLDER
from generator.settings import ProjectPaths
from site_support import make_project, tree_bytes

pytestmark = pytest.mark.usefixtures("epoch")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _built(result: BuildResult) -> BuildResult:
    assert result.ok, [d.format_text() for d in result.diagnostics] + result.messages
    return result


def _same_as_clean(paths: ProjectPaths, site: Path, tmp_path: Path) -> None:
    """A clean build of the content as it is now gives `site`'s bytes, file for file."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    _built(build_site(paths, clean, clean=True))
    updated, fresh = tree_bytes(site), tree_bytes(clean)
    assert sorted(updated) == sorted(fresh)
    assert [path for path in fresh if updated[path] != fresh[path]] == []


def _text_change(paths: ProjectPaths) -> None:
    _replace(paths.content / "theses" / "memory-bound-inference.md", "summary:", "summary: Edited for the update test.")


def _new_thesis(paths: ProjectPaths) -> None:
    original = paths.content / "theses" / "leading-edge-scarcity.yaml"
    copy = paths.content / "theses" / "fresh-scarcity.yaml"
    copy.write_text(original.read_text(encoding="utf-8").replace("id: leading-edge-scarcity", "id: fresh-scarcity"),
                    encoding="utf-8")


def _deleted_source(paths: ProjectPaths) -> None:
    (paths.content / "sources" / "spare-article.yaml").unlink()


def _renamed_asset(paths: ProjectPaths) -> None:
    assets, theses = paths.content / "assets", paths.content / "theses"
    text = (assets / "MU.yaml").read_text(encoding="utf-8").replace("id: MU\n", "id: MUX\nrenamed_from: [MU]\n")
    (assets / "MU.yaml").unlink()
    (assets / "MUX.yaml").write_text(text, encoding="utf-8")
    for thesis in theses.iterdir():
        thesis.write_text(thesis.read_text(encoding="utf-8").replace("asset: MU\n", "asset: MUX\n"), encoding="utf-8")


def _page_template_change(paths: ProjectPaths) -> None:
    with open(paths.templates / "pages" / "source.md.j2", "a", encoding="utf-8") as handle:
        handle.write("\nA line every source page now ends with.\n")


def _theme_template_change(paths: ProjectPaths) -> None:
    _replace(paths.templates / "overrides" / "main.html", "{% extends", "{#- changed -#}\n{% extends")


def _config_change(paths: ProjectPaths) -> None:
    _replace(paths.mkdocs_config, "site_description: ", "site_description: Changed. ")


EDITS: list[tuple[str, Callable[[ProjectPaths], None], str]] = [
    ("text change", _text_change, "update"),
    ("new thesis", _new_thesis, "update"),
    ("deleted source", _deleted_source, "update"),
    ("renamed asset", _renamed_asset, "update"),
    ("page template change", _page_template_change, "update"),
    ("theme template change", _theme_template_change, "clean"),
    ("mkdocs.yml change", _config_change, "clean"),
]


def _project_for_edits(root: Path) -> ProjectPaths:
    """The sample project with a source no thesis cites, for `_deleted_source` to delete."""
    paths = make_project(root)
    spare = (paths.content / "sources" / "fab-capacity-article.yaml").read_text(encoding="utf-8")
    (paths.content / "sources" / "spare-article.yaml").write_text(
        spare.replace("id: fab-capacity-article", "id: spare-article"), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    return _project_for_edits(tmp_path_factory.mktemp("incremental") / "project")


def test_each_kind_of_edit_updates_to_the_bytes_of_a_clean_build(project: ProjectPaths, tmp_path: Path) -> None:
    site = project.root / "site"
    first = _built(build_site(project, site))
    assert first.how == "clean"
    for name, edit, how in EDITS:
        edit(project)
        result = _built(build_site(project, site))
        assert result.how == how, name
        if how == "update":
            assert 0 < result.rendered < len(docs_state(project.docs_tree)), name
        _same_as_clean(project, site, tmp_path)
        again = _built(build_site(project, site))
        assert (again.how, again.rendered) == ("current", 0), f"{name}: a second build found work"


def test_a_no_change_build_leaves_the_site_as_it_is(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    identity = site.stat().st_ino
    result = _built(build_site(paths, site))
    assert result.how == "current"
    assert site.stat().st_ino == identity
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps


def test_clean_renders_every_page(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    assert _built(build_site(paths, site, clean=True)).how == "clean"


def test_a_clean_build_reads_no_cache_and_leaves_the_next_build_its_caches(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`build --clean` takes nothing from `build/cache`, not even an entry that passes every check
    (another card's bytes under a card's key), and leaves it holding what it made and nothing
    else: the next build after an edit parses only the edited file and draws no card."""
    from generator import machine_readable, pipeline

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    drawn = {name: data for name, data in tree_bytes(site).items() if name.startswith("cards/")}
    card_entries = sorted((paths.cache / "cards").iterdir())
    assert len(card_entries) == len(drawn) >= 2
    kept = {entry.name: entry.read_bytes() for entry in card_entries}
    card_entries[0].write_bytes(kept[card_entries[1].name])
    stray = [paths.cache / "cards" / f"{'0' * 64}.png", paths.cache / "load" / f"{'0' * 64}.pickle"]
    for entry in stray:
        entry.write_bytes(b"an entry no build asked for")
    parsed: list[str] = []
    real_load = pipeline.load_document
    monkeypatch.setattr(pipeline, "load_document", lambda relpath, *args: parsed.append(relpath) or real_load(relpath, *args))

    assert _built(build_site(paths, site, clean=True)).how == "clean"
    assert {name: data for name, data in tree_bytes(site).items() if name.startswith("cards/")} == drawn
    assert len(parsed) == len(list((paths.cache / "load").iterdir())) > 0, "every file parsed, every result kept"
    assert {entry.name: entry.read_bytes() for entry in (paths.cache / "cards").iterdir()} == kept
    assert not any(entry.exists() for entry in stray)

    parsed.clear()
    monkeypatch.setattr(machine_readable, "draw_cards", lambda to_draw: (_ for _ in ()).throw(AssertionError(to_draw))
                        if to_draw else list)
    body = paths.content / "theses" / "memory-bound-inference.md"
    _replace(body, "grew **tenfold** in a year", "grew **tenfold** in one year")
    assert _built(build_site(paths, site)).how == "update"
    assert parsed == ["content/theses/memory-bound-inference.md"]


@pytest.mark.parametrize("edit", [_text_change, _new_thesis], ids=["text change", "new thesis"])
def test_an_update_never_writes_into_the_previous_site(tmp_path: Path, edit: Callable[[ProjectPaths], None]) -> None:
    """The update works in a linked copy of the previous site: each file it renders again is a new
    file, so the previous site's files (held here through links of their own) are never written:
    not the pages, nor what mkdocs writes again (the sitemap, which a new page changes). The
    sitemap lists the pages: it is kept, the previous site's own file, unless a page came or went."""
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    before = tree_bytes(site)
    witness = tmp_path / "witness"
    for relpath in before:
        (witness / relpath).parent.mkdir(parents=True, exist_ok=True)
        os.link(site / relpath, witness / relpath)
    stamps = {p: p.stat().st_mtime_ns for p in witness.rglob("*") if p.is_file()}
    edit(paths)
    result = _built(build_site(paths, site))
    assert result.how == "update"
    assert tree_bytes(witness) == before
    assert {p: p.stat().st_mtime_ns for p in witness.rglob("*") if p.is_file()} == stamps
    assert tree_bytes(site) != before
    assert os.path.samefile(site / "sitemap.xml", witness / "sitemap.xml") == (edit is _text_change)


def test_an_update_whose_key_no_longer_holds_changes_nothing_and_the_build_is_clean(tmp_path: Path) -> None:
    """The renderer checks the recorded key as it updates (the nav it draws anyway): a changed nav
    stops the update before it touches the copy, and the build renders the site clean."""
    from generator.incremental import read_record
    from generator.linked_copy import link_copy
    from generator.renderers import StructureChanged, get_renderer

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    record = read_record(paths, site)
    assert record is not None and record.key is not None
    _replace(paths.mkdocs_config, "\n  - Home: index.md\n", "\n  - Home: index.md\n  - Added link: https://example.org/\n")
    copy = tmp_path / "copy"
    copy.mkdir()
    link_copy(site, copy)
    stamps = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in copy.rglob("*")}
    with pytest.raises(StructureChanged):
        get_renderer("mkdocs").update(paths, copy, {"index.md"}, False, record.key)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in copy.rglob("*")} == stamps
    assert _built(build_site(paths, site)).how == "clean"
    _same_as_clean(paths, site, tmp_path)


def test_another_folder_or_a_replaced_one_is_built_clean(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    assert record_path(paths, site).is_file()
    assert _built(build_site(paths, tmp_path / "elsewhere")).how == "clean"
    shutil.copytree(site, tmp_path / "copy")
    shutil.rmtree(site)
    os.rename(tmp_path / "copy", site)  # same name, another folder: its record no longer applies
    assert _built(build_site(paths, site)).how == "clean"


def test_a_docs_file_changed_behind_the_generator_is_rendered_again(tmp_path: Path) -> None:
    """Only the generator writes the docs tree, but a file rewritten by anything else (its time
    changes) is made and rendered again rather than trusted."""
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    page = paths.docs_tree / "theses" / "memory-bound-inference" / "index.md"
    page.write_text("# Tampered\n", encoding="utf-8")
    result = _built(build_site(paths, site))
    assert result.how == "update" and result.rendered >= 1
    _same_as_clean(paths, site, tmp_path)


def test_the_zensical_renderer_always_builds_clean(tmp_path: Path) -> None:
    pytest.importorskip("zensical")
    from generator.renderers import get_renderer

    renderer = get_renderer("zensical")
    paths = make_project(tmp_path / "project")
    assert renderer.incremental_key(paths, strict=False) is None


# ----------------------------------------------------------------------- which pages an edit changes

_CORPUS_EDITS = (
    ("sources", r"^title: (.+)$", r"title: \1 (revised)"),
    ("theses", r"^title: (.+)$", r"title: \1 (revised)"),
    ("assets", r"^name: (.+)$", r"name: \1 Holdings"),
    ("people", r"^name: (.+)$", r"name: \1 Jr"),
    ("theses", r"^status: active$", "status: draft"),
    ("theses", r"^status: (draft|monitoring)$", "status: active"),
    ("theses", r"^authors: \[.*\]$", "authors: []"),
    ("sources", r"^speakers: \[.*\]$", "speakers: []"),
    ("theses", r"^(  direction: )long$", r"\1short"),
    ("theses", r"^(  direction: )neutral$", r"\1watch"),
    ("sources", r"^publisher: (.+)$", r"publisher: \1 Media"),
    ("people", r"^role: (.+)$", r"role: \1 emeritus"),
    ("assets", r"^sector: (.+)$", r"sector: \1 and more"),
)


def _corpus(root: Path) -> ProjectPaths:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", Path(__file__).parent.parent / "bench" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = make_project(root, content=Path(__file__).parent / "samples" / "basic" / "content")
    shutil.rmtree(paths.content)
    module.make_corpus(root, sources=40, seed=4, people=12, assets=10)
    return paths


@pytest.mark.parametrize("long_lived", [False, True], ids=["a build each time", "one process keeping its memo"])
def test_pages_kept_across_edits_are_the_pages_a_fresh_generation_makes(tmp_path: Path, long_lived: bool) -> None:
    """Edits that change what other pages show (titles, names, a thesis's status and so its
    assets' stance, authors, speakers) on a generated corpus: the docs tree written incrementally
    (`pages.inputs` decides which entity pages are kept, and in a long-lived process which
    listings are split again) equals a fresh one after each edit."""
    import random

    from generator.build import write_docs_tree
    from generator.caches import project_caches

    updated, fresh = _corpus(tmp_path / "updated"), _corpus(tmp_path / "fresh")
    kept = project_caches(updated, remember=True) if long_lived else None
    write_docs_tree(updated, caches=kept)
    chooser = random.Random(7)
    applied = written_pages = 0
    for folder, pattern, replacement in _CORPUS_EDITS:
        candidates = sorted(path.name for path in (updated.content / folder).iterdir()
                            if path.suffix == ".yaml" and re.search(pattern, path.read_text(encoding="utf-8"), re.M))
        if not candidates:
            continue
        name = chooser.choice(candidates)
        for paths in (updated, fresh):
            target = paths.content / folder / name
            target.write_text(re.sub(pattern, replacement, target.read_text(encoding="utf-8"), count=1, flags=re.M),
                              encoding="utf-8")
        checked, written = write_docs_tree(updated, caches=kept)
        assert written is not None, [d.format_text() for d in checked.errors]
        shutil.rmtree(fresh.docs_tree.parent, ignore_errors=True)
        write_docs_tree(fresh)
        mine, theirs = tree_bytes(updated.docs_tree), tree_bytes(fresh.docs_tree)
        assert sorted(mine) == sorted(theirs)
        assert [path for path in theirs if mine[path] != theirs[path]] == [], f"after editing {folder}/{name}"
        applied += 1
        written_pages += sum(path.endswith(".md") for path in written.written)
    assert applied >= 10
    pages = sum(path.endswith(".md") for path in tree_bytes(updated.docs_tree))
    assert written_pages < applied * pages / 4, "edits rewrote most pages: entity pages are not being kept"


def test_a_summary_edit_makes_no_other_thesis_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A thesis's page shows the assets it positions on, not the other theses on them: editing a
    thesis's summary makes its own thesis and evidence pages again, not those of the theses that
    share an asset with it (an asset's stance is digested as its value, `pages.inputs`)."""
    from generator import build as build_module
    from generator.build import write_docs_tree

    paths = _corpus(tmp_path / "corpus")
    checked, _ = write_docs_tree(paths)
    assert checked.publication is not None
    graph = checked.publication.graph
    edited = next(thesis_id for thesis_id, thesis in sorted(graph.theses.items())
                  if any(len(graph.positions_by_asset.get(p.asset, ())) > 1 for p in thesis.assets))
    made: list[tuple[str, str]] = []
    real_render = build_module.render_page
    monkeypatch.setattr(build_module, "render_page",
                        lambda environment, kind, view: made.append((kind.name, getattr(view, "id", ""))) or real_render(environment, kind, view))
    thesis_file = next(path for path in (paths.content / "theses").iterdir() if path.stem == edited)
    thesis_file.write_text(re.sub(r"^summary: (.+)$", r"summary: \1 Edited.", thesis_file.read_text(encoding="utf-8"),
                                  count=1, flags=re.M), encoding="utf-8")
    write_docs_tree(paths)
    assert {view_id for kind, view_id in made if kind in ("thesis", "evidence")} == {edited}, made


def test_a_citation_added_elsewhere_reaches_the_page_of_the_sources_speaker(tmp_path: Path) -> None:
    """A person page lists the sources they spoke in with each one's count of citations, which
    every thesis citing it adds to: a thesis that cites the talk once more changes the speaker's
    page, though neither the person nor the talk changed (`pages.inputs._shown_values`)."""
    from generator.build import write_docs_tree

    paths = make_project(tmp_path / "project")
    write_docs_tree(paths)
    _replace(paths.content / "theses" / "leading-edge-scarcity.yaml", "        quote: older nodes are getting cheaper\n"
             "        paraphrase: true\n", "        quote: older nodes are getting cheaper\n        paraphrase: true\n"
             "      - source: memory-wall-talk\n        at: tldr\n"
             "        quote: Serving large language models is limited by memory bandwidth\n")
    write_docs_tree(paths)
    updated = tree_bytes(paths.docs_tree)
    shutil.rmtree(paths.docs_tree.parent)
    write_docs_tree(paths)
    fresh = tree_bytes(paths.docs_tree)
    assert [path for path in fresh if updated.get(path) != fresh[path]] == []
    assert "ada-lane" in "".join(path for path in fresh if path.startswith("people/"))


def test_a_build_from_the_same_inputs_reports_what_the_first_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same content, templates, mkdocs.yml (with its environment), commit and code: the build
    does nothing and gives the first build's diagnostics; any of them changed, it builds."""
    monkeypatch.delenv("SITE_URL")  # the placeholder site_url: a warning to carry over
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    first = _built(build_site(paths, site))
    assert any(d.code == "config.site-url" for d in first.diagnostics)
    again = _built(build_site(paths, site))
    assert (again.how, again.diagnostics, again.pages) == ("current", first.diagnostics, first.pages)
    monkeypatch.setenv("SITE_URL", "https://elsewhere.example.com/")
    moved = _built(build_site(paths, site))
    assert moved.how == "clean" and not any(d.code == "config.site-url" for d in moved.diagnostics)
    assert "https://elsewhere.example.com/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    _text_change(paths)
    assert _built(build_site(paths, site)).how == "update"


def test_another_renderer_version_is_a_clean_build_not_a_current_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator's inputs are unchanged, but the site's bytes also depend on the renderer's
    versions (its key): a site built with other versions is not left as it is."""
    import generator.renderers.mkdocs as mkdocs_renderer

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    monkeypatch.setattr(mkdocs_renderer, "_installed", lambda package: "99.0")
    assert _built(build_site(paths, site)).how == "clean"
    assert _built(build_site(paths, site)).how == "current"


def test_strict_after_a_build_with_warnings_is_no_current_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_URL")  # the placeholder site_url: a warning, refused by --strict
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    before = tree_bytes(site)
    strict = build_site(paths, site, strict=True)
    assert not strict.ok and any(d.code == "config.site-url" for d in strict.diagnostics)
    assert tree_bytes(site) == before
    assert _built(build_site(paths, site)).how == "current"


def test_after_a_commit_the_update_equals_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates come from git: a commit changes the edited thesis's dates and the publication date
    (the last commit's time, no SOURCE_DATE_EPOCH), and the update still gives a clean build's bytes."""
    from review_support import Repo, isolate_git

    isolate_git(monkeypatch, tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    repo = Repo.create(tmp_path / "project", from_fixture=False)
    paths = make_project(repo.root)
    repo.commit("content", date="2026-01-05", time="08:00:00")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    _text_change(paths)
    repo.commit("an edit the same day", date="2026-01-05", time="15:00:00")
    assert _built(build_site(paths, site)).how == "update"
    _same_as_clean(paths, site, tmp_path)
    _replace(paths.content / "theses" / "memory-bound-inference.md", "Edited for the update test.", "Edited again.")
    repo.commit("an edit a day later", date="2026-01-06")
    assert _built(build_site(paths, site)).how == "clean"  # the build date in every footer changed
    _same_as_clean(paths, site, tmp_path)


class _Recording:
    """A renderer that records what it is asked, for `update_or_build`'s decisions."""

    name = "recording"
    supports_offline = False

    def __init__(self, update_raises: bool) -> None:
        self.update_raises = update_raises
        self.calls: list[str] = []
        self.configuration = "first"

    def incremental_key(self, paths, strict, offline=False):
        self.calls.append("key")
        return f"key of {self.configuration}"

    def update(self, paths, site_dir, changed, strict, key):
        from generator.renderers import StructureChanged

        self.calls.append(f"update {sorted(changed)} {key}")
        if self.update_raises:
            raise StructureChanged("changed")
        return True, []

    def build(self, paths, site_dir, strict, offline=False):
        self.calls.append(f"build into {sorted(p.name for p in site_dir.iterdir())}")
        self.configuration = "edited during the build"
        return True, []


@pytest.mark.parametrize("key, raises, updated", [("key of first", False, True), ("key of first", True, False),
                                                 (None, False, False)])
def test_update_or_build_updates_or_empties_and_builds_taking_the_key_first(tmp_path: Path, key, raises, updated) -> None:
    from generator.renderers import update_or_build

    site = tmp_path / "site"
    (site / "old-folder").mkdir(parents=True)
    (site / "old-page.html").write_text("old", encoding="utf-8")
    renderer = _Recording(update_raises=raises)
    rendered = update_or_build(renderer, ProjectPaths(tmp_path), site, {"a.md"}, key, False)
    assert (rendered.succeeded, rendered.updated) == (True, updated)
    if updated:
        assert renderer.calls == ["update ['a.md'] key of first"] and rendered.key == "key of first"
        assert (site / "old-page.html").exists()
    else:
        # A whole build gets an empty folder, and the key is the one of what it builds from.
        assert renderer.calls[-2:] == ["key", "build into []"]
        assert rendered.key == "key of first"


def test_a_failed_update_leaves_the_previous_site_and_its_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC §6, bad input never produces a wrong site: the renderer fails after it has updated its
    linked copy; the previous site keeps its bytes and files, and the next build starts from it."""
    import generator.renderers.mkdocs as mkdocs_renderer

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    before = tree_bytes(site)
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    record = record_path(paths, site).read_bytes()
    real_update = mkdocs_renderer.update_with_mkdocs

    def failing_update(*args, **kwargs):
        real_update(*args, **kwargs)  # the copy is updated, then the renderer reports a failure
        return False, ["mkdocs: ERROR: failed after writing"]

    monkeypatch.setattr(mkdocs_renderer, "update_with_mkdocs", failing_update)
    _text_change(paths)
    failed = build_site(paths, site)
    assert not failed.ok and any("failed after writing" in d.message for d in failed.diagnostics)
    assert tree_bytes(site) == before
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps
    assert record_path(paths, site).read_bytes() == record
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]  # no staging left behind
    monkeypatch.setattr(mkdocs_renderer, "update_with_mkdocs", real_update)
    assert _built(build_site(paths, site)).how == "update"
    _same_as_clean(paths, site, tmp_path)


def test_inputs_that_make_the_same_docs_tree_are_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A comment added to a thesis changes the build's inputs but no docs file: the site is left as
    it is, and recorded as made from the new inputs, so the next build checks nothing."""
    from generator import build as build_module

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    thesis = paths.content / "theses" / "leading-edge-scarcity.yaml"
    thesis.write_text(thesis.read_text(encoding="utf-8") + "# a comment no page shows\n", encoding="utf-8")
    assert _built(build_site(paths, site)).how == "current"

    def no_check(*args, **kwargs):
        raise AssertionError("the content was checked again")

    monkeypatch.setattr(build_module, "check_project", no_check)
    assert _built(build_site(paths, site)).how == "current"


def test_an_offline_build_into_a_site_built_for_the_web_is_clean(tmp_path: Path) -> None:
    """A site for file:// differs in every page (links name files, material's own search): it is
    never an update of the web site the folder held."""
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    offline = _built(build_site(paths, site, offline=True))
    assert offline.how == "clean"
    fresh = tmp_path / "fresh"
    _built(build_site(paths, fresh, offline=True))
    assert tree_bytes(site) == tree_bytes(fresh)


def test_another_renderer_into_the_same_folder_builds_clean(tmp_path: Path) -> None:
    pytest.importorskip("zensical")
    from generator.renderers import get_renderer

    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    assert _built(build_site(paths, site, renderer=get_renderer("zensical"))).how == "clean"
    assert _built(build_site(paths, site)).how == "clean"  # Zensical's site holds no mkdocs record


def _site_without_search(site: Path) -> dict[str, bytes]:
    """A served site's files but its search index, which the preview swaps in from the background."""
    return {path: data for path, data in tree_bytes(site).items() if not path.startswith(f"{SEARCH_INDEX_FOLDER}/")}


@pytest.mark.parametrize("in_halves", [False, True], ids=["one process", "in halves"])
def test_the_preview_renders_from_what_it_drew_and_gives_the_bytes_of_a_fresh_build(tmp_path: Path, in_halves: bool,
                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived preview keeps what mkdocs drew (`renderers.mkdocs_drawn`): a text change is
    rendered without mkdocs' build, and after every kind of edit, whichever way it went, the
    served site is the one mkdocs builds from the same docs tree; also when its whole builds
    render in two processes (`renderers.mkdocs_halves`)."""
    from generator.renderers import get_renderer
    from generator.serve import Preview

    if in_halves:
        _whole_builds_in_halves(monkeypatch)
    whole = in_halves  # what mkdocs' build is told for a whole build: dirty in halves
    builds = _counted_mkdocs_builds(monkeypatch)
    paths = _project_for_edits(tmp_path / "project")
    messages: list[str] = []
    preview = Preview(paths, get_renderer("mkdocs"), messages.append)
    expected_builds = {"text change": [], "new thesis": [True], "deleted source": [True],
                       "page template change": [], "theme template change": [True, whole],
                       "mkdocs.yml change": [True, whole]}
    try:
        preview.rebuild()
        edits = [edit for edit in EDITS if edit[0] in expected_builds]
        for name, edit, _how in [edits[0], *edits]:  # the text change twice: one drawing serves one update after another
            edit(paths)
            builds.clear()
            messages.clear()
            preview.rebuild()
            assert builds == expected_builds[name], (name, builds, messages)
            _served_as_built(paths, preview.site, tmp_path, name)
    finally:
        preview.close()


def _counted_mkdocs_builds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each run of mkdocs' own build from now on, as whether it was dirty."""
    import mkdocs.commands.build

    builds: list[bool] = []
    mkdocs_build = mkdocs.commands.build.build

    def counted(config: object, **options: object) -> None:
        builds.append(bool(options.get("dirty")))
        mkdocs_build(config, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(mkdocs.commands.build, "build", counted)
    return builds


def _whole_builds_in_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.renderers.mkdocs as mkdocs_renderer

    monkeypatch.setattr(mkdocs_renderer, "HALVES_FROM", 0)
    monkeypatch.setattr(mkdocs_renderer, "cores", lambda: 2)


def _served_as_built(paths: ProjectPaths, site: Path, tmp_path: Path, what: str) -> None:
    """`site` (but its search index) holds the bytes mkdocs builds, in one process, from the docs tree as it is."""
    import generator.renderers.mkdocs as mkdocs_renderer

    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    with pytest.MonkeyPatch.context() as alone:
        alone.setattr(mkdocs_renderer, "HALVES_FROM", sys.maxsize)
        assert mkdocs_renderer.run_mkdocs(paths, fresh, strict=False)[0]
    served, built = _site_without_search(site), tree_bytes(fresh)
    assert sorted(served) == sorted(built), what
    assert [path for path in built if served[path] != built[path]] == [], what


@pytest.mark.parametrize("in_halves", [False, True], ids=["one process", "in halves"])
def test_what_every_pages_nav_shows_of_a_nav_page_stays_right_in_the_preview(tmp_path: Path, in_halves: bool,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A nav page titled by its own text (Method), and a nav page's front matter (material shows
    Contributing's `icon` in every page's nav), as a whole build shows them: in the pages an update renders from
    what was drawn, from what a dirty build drew, and after the front matter changes. Whole builds
    rendered in two processes (`renderers.mkdocs_halves`) leave a drawing that updates as well."""
    from generator.renderers import get_renderer
    from generator.serve import Preview

    if in_halves:
        _whole_builds_in_halves(monkeypatch)
    whole = in_halves  # what mkdocs' build is told for a whole build: dirty in halves
    builds = _counted_mkdocs_builds(monkeypatch)
    paths = _project_for_edits(tmp_path / "project")
    _replace(paths.mkdocs_config, "  - Method: method/index.md\n", "  - method/index.md\n")
    contributing = paths.templates / "pages" / "contributing.md.j2"
    _replace(contributing, '"title": "Contributing",', '"title": "Contributing", "icon": "material/scale-balance",')
    preview = Preview(paths, get_renderer("mkdocs"), lambda line: None)
    try:
        preview.rebuild()
        thesis_page = preview.site / "theses" / "memory-bound-inference" / "index.html"
        steps: list[tuple[str, Callable[[ProjectPaths], None], list[bool]]] = [
            ("text change, from the whole build's drawing", _text_change, []),
            ("new thesis, a dirty build", _new_thesis, [True]),
            ("text change, from the dirty build's drawing", _text_change, []),
            ("the nav page's icon changed", lambda p: _replace(contributing, "scale-balance", "book-open-variant"),
             [True, whole]),
            ("text change after it", _text_change, []),
        ]
        for what, edit, expected in steps:
            edit(paths)
            builds.clear()
            preview.rebuild()
            assert builds == expected, (what, builds)
            _served_as_built(paths, preview.site, tmp_path, what)
            shown = thesis_page.read_text(encoding="utf-8")
            titled = re.search(r'<a href="../../method/" class="md-tabs__link">(.*?)</a>', shown, re.S)
            with_icon = re.search(r'<a href="../../contributing/" class="md-tabs__link">(.*?)</a>', shown, re.S)
            assert titled is not None and "Method" in titled[1], what  # what the fresh build shows too
            assert with_icon is not None and "<svg" in with_icon[1], what
    finally:
        preview.close()


def test_a_save_that_failed_midway_is_made_whole_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Docs files written before a save failed hold their new bytes, so the next save writes no
    file again and names none of them as changed: the preview then builds the site whole."""
    from generator import write
    from generator.renderers import get_renderer
    from generator.serve import Preview

    paths = _project_for_edits(tmp_path / "project")
    preview = Preview(paths, get_renderer("mkdocs"), lambda line: None)
    try:
        preview.rebuild()
        _replace(paths.content / "theses" / "memory-bound-inference.md", "title: ", "title: Halfway ")
        written: list[str] = []
        real_write = write._write_atomically

        def fail_after_one(path: str, data: bytes) -> None:
            if written:
                raise OSError(28, "No space left on device")
            written.append(path)
            real_write(path, data)

        monkeypatch.setattr(write, "_write_atomically", fail_after_one)
        with pytest.raises(OSError):
            preview.rebuild()
        assert written, "no docs file was written before the failure"
        monkeypatch.setattr(write, "_write_atomically", real_write)
        preview.rebuild()
        _served_as_built(paths, preview.site, tmp_path, "the save after the failed one")
        assert "Halfway " in (preview.site / "theses" / "memory-bound-inference" / "index.html").read_text(encoding="utf-8")
    finally:
        preview.close()


def test_the_preview_shows_the_pages_before_it_writes_the_files_for_programs(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`Preview.show` returns, and the browser reloads, once the pages show a save; the export,
    feeds and share cards follow in the background, and the next save waits for them. A failure
    there is reported and the next save builds the whole site."""
    import threading

    from generator import build as build_module
    from generator import serve
    from generator.renderers import get_renderer

    builds = _counted_mkdocs_builds(monkeypatch)
    paths = _project_for_edits(tmp_path / "project")
    messages: list[str] = []
    preview = serve.Preview(paths, get_renderer("mkdocs"), messages.append)
    release = threading.Event()
    real_write = build_module.write_for_programs

    def held(*args: object) -> object:
        assert release.wait(60)
        return real_write(*args)  # type: ignore[arg-type]

    page = preview.site / "theses" / "memory-bound-inference" / "index.html"
    exported = preview.site / "api" / "theses" / "memory-bound-inference.json"
    try:
        preview.rebuild()
        monkeypatch.setattr(build_module, "write_for_programs", held)
        recorded_in: list[str] = []  # the threads that recorded the docs tree
        real_record = build_module.write_docs_record
        monkeypatch.setattr(build_module, "write_docs_record",
                            lambda *args: recorded_in.append(threading.current_thread().name) or real_record(*args))
        _replace(paths.content / "theses" / "memory-bound-inference.md", "title: ", "title: Shown first ")
        builds.clear()
        preview.show()
        assert "Shown first " in page.read_text(encoding="utf-8")
        assert "Shown first " not in exported.read_text(encoding="utf-8"), "the export waits for the pages"
        release.set()
        preview.wait()
        assert builds == [] and "Shown first " in exported.read_text(encoding="utf-8")
        assert recorded_in == ["preview finish"], "the tree is recorded with the rest of the save"
        recorded = read_docs_record(paths)
        assert "theses/memory-bound-inference/index.md" in recorded and not any(urls.for_programs(path) for path in recorded)
        _served_as_built(paths, preview.site, tmp_path, "after the save finished")

        def failing(*args: object) -> object:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(build_module, "write_for_programs", failing)
        _replace(paths.content / "theses" / "memory-bound-inference.md", "title: ", "title: Then failed ")
        messages.clear()
        preview.show()
        preview.wait()
        assert any("the rest of the save failed" in line and "No space left" in line for line in messages), messages
        monkeypatch.setattr(build_module, "write_for_programs", real_write)
        builds.clear()
        preview.rebuild()
        assert builds == [False], "the save after the failure builds the whole site"
        _served_as_built(paths, preview.site, tmp_path, "the save after the failed one")
    finally:
        release.set()
        preview.close()


def test_a_save_after_the_preview_closed_does_nothing(tmp_path: Path) -> None:
    """mkdocs' live server does not join the thread that runs `show` when it stops: a save that
    starts after `close` (which waits for one under way) writes nothing, neither the docs tree nor
    the removed site."""
    from generator.renderers import get_renderer
    from generator.serve import Preview

    paths = make_project(tmp_path / "project")
    preview = Preview(paths, get_renderer("mkdocs"), lambda line: None)
    preview.close()
    preview.show()
    preview.rebuild()
    preview.wait()
    assert not paths.docs_tree.exists() and not preview.site.exists()


def test_a_save_after_which_the_site_was_drawn_again_collects_everything(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the renderer drew before is cyclic and was frozen (`serve._settle_memory`): a save that
    made it draw the site again (docs files came or went, a whole build) collects everything."""
    from generator import serve
    from generator.renderers import get_renderer

    wholes: list[bool] = []
    monkeypatch.setattr(serve, "_settle_memory", lambda whole: wholes.append(whole))
    paths = _project_for_edits(tmp_path / "project")
    preview = serve.Preview(paths, get_renderer("mkdocs"), lambda line: None)
    try:
        for edit in (None, _text_change, _new_thesis, _text_change, _deleted_source, _config_change):
            if edit is not None:
                edit(paths)
            preview.rebuild()
        assert wholes == [True, False, True, False, True, True]
    finally:
        preview.close()


def test_a_save_checks_and_writes_its_pages_uncollected_and_renders_with_the_collector(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The check and the pages of a save run without automatic collections and what they made is
    then frozen (`serve._kept_uncollected`): the renderer's first collection does not walk the
    corpus. The renderer runs with the collector on (a whole build's nav and pages are cyclic:
    without it a 5,000-source preview peaked 450 MB higher), and so does what follows a save
    whose pages failed, which freezes nothing."""
    import gc

    from generator import serve
    from generator.renderers import get_renderer

    events: list[tuple[str, bool]] = []
    write_pages_first, update_or_build = serve.write_pages_first, serve.update_or_build

    def pages(*args: object, **kwargs: object) -> object:
        events.append(("pages", gc.isenabled()))
        return write_pages_first(*args, **kwargs)  # type: ignore[arg-type]

    def render(*args: object, **kwargs: object) -> object:
        events.append(("render", gc.isenabled()))
        return update_or_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(serve, "write_pages_first", pages)
    monkeypatch.setattr(serve, "update_or_build", render)
    monkeypatch.setattr(serve, "_settle_memory", lambda whole: events.append(("settled", gc.isenabled())))
    monkeypatch.setattr(gc, "freeze", lambda: events.append(("freeze", gc.isenabled())))
    assert gc.isenabled()
    paths = _project_for_edits(tmp_path / "project")
    preview = serve.Preview(paths, get_renderer("mkdocs"), lambda line: None)
    try:
        for edit in (None, _text_change):
            if edit is not None:
                edit(paths)
            preview.rebuild()
            # the files for programs that changed are rendered after the pages, in the rest of the save
            assert events[:2] == [("pages", False), ("freeze", False)] and events[-1] == ("settled", True), events
            assert events[2:-1] and set(events[2:-1]) == {("render", True)}, events
            assert gc.isenabled()
            events.clear()

        def failing(*args: object, **kwargs: object) -> object:
            raise RuntimeError("pages failed")

        monkeypatch.setattr(serve, "write_pages_first", failing)
        _text_change(paths)
        with pytest.raises(RuntimeError, match="pages failed"):
            preview.rebuild()
        assert events == [] and gc.isenabled()
    finally:
        preview.close()


def test_a_save_that_changed_no_page_checks_the_key_without_drawing_the_site(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """With what it drew kept, a save that changed no docs file runs no mkdocs build; the
    configuration changed alone still builds the site whole."""
    from generator.renderers import get_renderer
    from generator.serve import Preview

    import mkdocs.structure.nav

    builds = _counted_mkdocs_builds(monkeypatch)
    drawn: list[object] = []
    get_navigation = mkdocs.structure.nav.get_navigation
    monkeypatch.setattr(mkdocs.structure.nav, "get_navigation",
                        lambda *args, **kwargs: drawn.append(args) or get_navigation(*args, **kwargs))
    paths = _project_for_edits(tmp_path / "project")
    messages: list[str] = []
    preview = Preview(paths, get_renderer("mkdocs"), messages.append)
    try:
        preview.rebuild()
        builds.clear()
        drawn.clear()
        messages.clear()
        preview.rebuild()
        assert builds == [] and drawn == [], "the nav was drawn again for a save that changed nothing"
        assert not any("preview updated" in line for line in messages), messages
        _replace(paths.mkdocs_config, "site_description: ", "site_description: Changed. ")
        preview.rebuild()
        assert builds == [True, False]
        _served_as_built(paths, preview.site, tmp_path, "a changed configuration")
    finally:
        preview.close()


def test_the_linked_copy_runs_apart_links_every_file_and_reports_a_failure(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`LinkedCopy` (the build's copy of the previous site, made beside its check) links every file
    but those left out, runs the generator's own module even from a project folder holding a
    `generator` package of its own, and a copy that fails is an OSError, not a partial site."""
    from generator.linked_copy import LinkedCopy

    source = tmp_path / "site"
    (source / "theses" / "t").mkdir(parents=True)
    (source / "theses" / "t" / "index.html").write_text("page", encoding="utf-8")
    (source / ".thesis-site").write_text("marker", encoding="utf-8")
    decoy = tmp_path / "project" / "generator"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("", encoding="utf-8")
    (decoy / "linked_copy.py").write_text(f"open({str(tmp_path / 'decoy-ran')!r}, 'w')\n", encoding="utf-8")
    monkeypatch.chdir(decoy.parent)

    target = tmp_path / "copy"
    target.mkdir()
    copying = LinkedCopy(source, target, leave_out=(".thesis-site",))
    copying.wait()
    copying.stop()  # harmless once it is done
    assert os.stat(target / "theses" / "t" / "index.html").st_ino == os.stat(source / "theses" / "t" / "index.html").st_ino
    assert not (target / ".thesis-site").exists() and not (tmp_path / "decoy-ran").exists()

    failing = LinkedCopy(source, tmp_path / "no" / "such" / "folder")
    with pytest.raises(OSError, match="linked copy of the previous site failed"):
        failing.wait()


def test_content_errors_stop_the_linked_copy_and_leave_nothing_beside_the_site(tmp_path: Path) -> None:
    """The copy of the previous site starts before the check: a check that stops the build stops
    the copy too, removes what it made, and leaves the previous site and its record as they were."""
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    _built(build_site(paths, site))
    before, record = tree_bytes(site), record_path(paths, site).read_bytes()
    thesis = paths.content / "theses" / "memory-bound-inference.md"
    _replace(thesis, "status: active", "status: not-a-status")
    failed = build_site(paths, site)
    assert not failed.ok and any(d.severity == "error" for d in failed.diagnostics)
    assert tree_bytes(site) == before and record_path(paths, site).read_bytes() == record
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]
