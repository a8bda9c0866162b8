"""`thesis-site serve`: the live preview regenerates what an edit affects, keeps the last good
pages when an edit breaks the content, reuses git history while HEAD stays, and (end to end)
serves the new text a moment after a content file is saved."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from generator.gitrepo import GitRepository
from generator.serve import _Regenerator
from generator.settings import ProjectPaths
from review_support import Repo
from site_support import EPOCH, fetch, make_project, preview, sample_thesis, tree_bytes, wait_for

THESIS_PAGE = "theses/memory-bound-inference/index.md"


@pytest.fixture
def project(tmp_path, epoch, isolated_git) -> tuple[Repo, ProjectPaths]:
    repo = Repo.create(tmp_path / "project", from_fixture=False)
    paths = make_project(repo.root)
    repo.commit("content", date="2026-01-05")
    return repo, paths


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _age(folder: Path) -> None:
    """Date every file back to 2001, so a rewrite now shows in its mtime whatever the clock's resolution."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))


def test_an_edit_rewrites_only_the_pages_that_show_it(project):
    """Files whose bytes the edit changes are rewritten; every other file keeps its modification
    time, so mkdocs' watcher sees only what changed."""
    _repo, paths = project
    regenerator = _Regenerator(paths, lambda text: None)
    assert regenerator.regenerate()
    _age(paths.docs_tree)
    before_bytes, before_times = tree_bytes(paths.docs_tree), _mtimes(paths.docs_tree)

    thesis = sample_thesis(paths)
    text = thesis.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    thesis.write_text(text.replace(title, "title: Memory bandwidth, not compute, sets inference cost"), encoding="utf-8")
    assert regenerator.regenerate()

    after_bytes, after_times = tree_bytes(paths.docs_tree), _mtimes(paths.docs_tree)
    assert "Memory bandwidth, not compute, sets inference cost" in after_bytes[THESIS_PAGE].decode("utf-8")
    changed = {name for name in after_bytes if after_bytes[name] != before_bytes.get(name)}
    touched = {name for name in after_times if after_times[name] != before_times.get(name)}
    assert THESIS_PAGE in changed
    assert touched == changed
    untouched_pages = [name for name in after_bytes if name.endswith(".md") and name not in changed]
    assert untouched_pages, "an edit to one thesis rewrote every page"


def test_a_broken_edit_keeps_the_last_good_pages(project):
    _repo, paths = project
    messages: list[str] = []
    regenerator = _Regenerator(paths, messages.append)
    assert regenerator.regenerate()
    before = tree_bytes(paths.docs_tree)

    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("direction:", "directon:", 1), encoding="utf-8")
    assert not regenerator.regenerate()

    assert tree_bytes(paths.docs_tree) == before
    assert any("field.unknown" in line for line in messages)
    assert any("keeps the last good pages" in line for line in messages)


def test_git_history_is_read_again_only_when_head_moves(project, monkeypatch):
    repo, paths = project
    passes: list[str] = []
    original = GitRepository.content_log

    def counted(self):
        passes.append("log")
        return original(self)

    monkeypatch.setattr(GitRepository, "content_log", counted)
    regenerator = _Regenerator(paths, lambda text: None)
    assert regenerator.regenerate()
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("direction: long", "direction: short", 1),
                      encoding="utf-8")
    assert regenerator.regenerate()
    assert passes == ["log"]  # an uncommitted edit: same HEAD, same history

    repo.commit("Flip the position", date="2026-02-07")
    assert regenerator.regenerate()
    assert passes == ["log", "log"]
    assert "2026-02-07" in (paths.docs_tree / THESIS_PAGE).read_text(encoding="utf-8")


def test_after_a_commit_history_parses_only_what_the_last_check_did_not_hold(project, monkeypatch):
    """When HEAD moves under a running preview, git's history is read again; the theses the last
    save checked (by path and git blob id) are taken from it, so only the committed versions it did
    not hold are parsed: here the edited thesis's version before the edit."""
    from generator import history
    from generator.gitrepo import blob_id

    repo, paths = project
    regenerator = _Regenerator(paths, lambda text: None)
    assert regenerator.regenerate()
    thesis = sample_thesis(paths)
    before = thesis.read_bytes()
    thesis.write_text(before.decode("utf-8").replace("direction: long", "direction: short", 1), encoding="utf-8")
    assert regenerator.regenerate()
    repo.commit("Flip the position", date="2026-02-07")
    parsed: list[tuple[str, str]] = []
    real_parse = history._parse_thesis
    monkeypatch.setattr(history, "_parse_thesis", lambda path, raw: parsed.append((path, blob_id(raw))) or real_parse(path, raw))
    assert regenerator.regenerate()
    assert parsed == [(thesis.relative_to(paths.root).as_posix(), blob_id(before))]
    assert "2026-02-07" in (paths.docs_tree / THESIS_PAGE).read_text(encoding="utf-8")


@pytest.mark.slow
def test_serve_shows_a_saved_edit_without_a_restart(tmp_path):
    """The real command: mkdocs' live-reload server on a free port, the content watcher, an edit."""
    paths = make_project(tmp_path / "project")
    environment = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, GIT_CEILING_DIRECTORIES=str(tmp_path),
                       NO_MKDOCS_2_WARNING="1")
    # mkdocs injects its reload script into served pages
    with preview(paths.root, tmp_path / "serve.log", expect="livereload", env=environment) as base:
        url = base + "theses/memory-bound-inference/"
        assert wait_for(lambda: fetch(url) is not None, 120), "the thesis page never answered"
        thesis = sample_thesis(paths)
        text = thesis.read_text(encoding="utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        thesis.write_text(text.replace(title, "title: Edited while the preview runs"), encoding="utf-8")
        assert wait_for(lambda: "Edited while the preview runs" in (fetch(url) or ""), 120), \
            "the edit never reached the served page"


@pytest.mark.slow
def test_the_preview_moves_to_another_port_when_its_port_was_taken(tmp_path, monkeypatch):
    """The race of a server that must be told its port: another process binds the chosen port
    before `thesis-site serve` does. The serve exits with "Address already in use"; the preview
    starts it again on another port instead of failing (or talking to the other process)."""
    import site_support

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        chosen = iter([busy])
        any_port = site_support._unused_port
        monkeypatch.setattr(site_support, "_unused_port", lambda: next(chosen, None) or any_port())
        paths = make_project(tmp_path / "project")
        environment = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, GIT_CEILING_DIRECTORIES=str(tmp_path),
                           NO_MKDOCS_2_WARNING="1")
        with preview(paths.root, tmp_path / "serve.log", expect="livereload", env=environment) as base:
            assert base != f"http://127.0.0.1:{busy}/"
            assert "livereload" in (fetch(base) or "")


# ----------------------------------------------------------------------- the preview (no server)


def _preview(paths: ProjectPaths, messages: list[str]):
    from generator.renderers import get_renderer
    from generator.serve import Preview

    return Preview(paths, get_renderer("mkdocs"), messages.append)


def test_an_edit_renders_only_the_docs_files_it_changed_and_search_follows(tmp_path, epoch):
    from site_support import search_records

    paths = make_project(tmp_path / "project")
    messages: list[str] = []
    preview = _preview(paths, messages)
    try:
        preview.rebuild()
        assert any("whole site built" in line for line in messages)
        untouched = preview.site / "sources" / "fab-capacity-article" / "index.html"
        before = untouched.stat().st_mtime_ns
        thesis = sample_thesis(paths)
        title = next(line for line in thesis.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
        thesis.write_text(thesis.read_text(encoding="utf-8").replace(title, "title: Previewed zebra title"), encoding="utf-8")
        messages.clear()
        preview.rebuild()
        assert any("pages rendered again" in line for line in messages), messages
        page = preview.site / "theses" / "memory-bound-inference" / "index.html"
        assert "Previewed zebra title" in page.read_text(encoding="utf-8")
        assert untouched.stat().st_mtime_ns == before, "a page the edit does not show was rendered again"
        assert wait_for(lambda: any("Previewed zebra title" in str(record["content"])
                                    for record in _records_or_none(preview.site, search_records)), 60), \
            "search never learned the edited title"
    finally:
        preview.close()
    assert not preview.site.exists()


def _records_or_none(site, read):
    try:
        return read(site)
    except (OSError, ValueError):
        return []


def test_a_change_to_the_nav_builds_the_whole_site(tmp_path, epoch):
    paths = make_project(tmp_path / "project")
    messages: list[str] = []
    preview = _preview(paths, messages)
    try:
        preview.rebuild()
        config = paths.mkdocs_config.read_text(encoding="utf-8")
        paths.mkdocs_config.write_text(config.replace("  - Track record: track-record/index.md\n", ""), encoding="utf-8")
        messages.clear()
        preview.rebuild()
        assert any("whole site built" in line for line in messages), messages
        home = (preview.site / "index.html").read_text(encoding="utf-8")
        assert "track-record/" not in home.split('class="md-tabs"', 1)[1].split("</nav>", 1)[0]
    finally:
        preview.close()


def test_a_whole_rebuild_empties_the_site_only_under_the_lock_the_search_index_places_under(tmp_path, monkeypatch, epoch):
    """The preview's half of the race `test_search_shards` covers from the index's side: a save
    that builds the site whole empties it holding the preview's save lock, which is the lock the
    background index holds while it puts new shards in place, so neither meets half of the other."""
    from generator.renderers import base

    paths = make_project(tmp_path / "project")
    preview = _preview(paths, [])
    held: list[bool] = []
    real_empty = base._empty

    def watched(folder: Path) -> None:
        held.append(preview._saving.locked())
        real_empty(folder)

    monkeypatch.setattr(base, "_empty", watched)
    try:
        assert preview.search._placing is preview._saving
        preview.rebuild()  # the first save builds the site whole
        config = paths.mkdocs_config.read_text(encoding="utf-8")
        paths.mkdocs_config.write_text(config.replace("  - Track record: track-record/index.md\n", ""), encoding="utf-8")
        preview.show()  # as the live server runs it: a changed nav builds the site whole again
        preview.wait()
        assert len(held) == 2 and all(held), held
    finally:
        preview.close()


def test_the_console_shows_what_changed_in_the_diagnostics(tmp_path, epoch):
    """The first run prints every diagnostic; later runs print the new ones, the fixed ones and a
    summary, not the whole list again."""
    paths = make_project(tmp_path / "project")
    messages: list[str] = []
    preview = _preview(paths, messages)
    thesis = sample_thesis(paths)
    original = thesis.read_text(encoding="utf-8")
    try:
        thesis.write_text(original.replace("direction:", "directon:", 1), encoding="utf-8")
        preview.rebuild()
        assert sum("field.unknown" in line for line in messages) == 1
        messages.clear()
        preview.rebuild()  # nothing changed: nothing new, nothing fixed
        assert not any("field.unknown" in line for line in messages)
        assert any("(0 new, 0 fixed)" in line for line in messages), messages
        messages.clear()
        thesis.write_text(original, encoding="utf-8")
        preview.rebuild()
        assert any(line.startswith("fixed:") and "field.unknown" in line for line in messages), messages
        assert any("0 errors" in line and "(0 new, 2 fixed)" in line for line in messages), messages  # field.unknown, field.missing
    finally:
        preview.close()


def test_a_closing_preview_stops_the_search_index_under_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind runs in the background after each save; when the preview closes, the run under
    way is killed, not left to index a folder that is being removed (at 5,000 sources it holds
    1.9 GB for half a minute)."""
    import subprocess
    import sys

    from generator import serve

    runs: list[subprocess.Popen[str]] = []

    def long_index(site, previous=None, background=False, started=None, scratch=None, placing=None):
        with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], text=True) as process:
            runs.append(process)
            if started is not None:
                started(process)
            process.wait()
        return "stopped", None

    monkeypatch.setattr(serve, "index_search", long_index)
    site = tmp_path / "site"
    site.mkdir()
    search = serve._SearchIndex(site, lambda line: None, threading.Lock())
    search.refresh()
    assert wait_for(lambda: bool(runs), 30), "the index never started"
    search.stop()
    assert wait_for(lambda: runs[0].poll() is not None, 10), "the run under way outlived the preview"


def test_the_preview_rebuilds_as_soon_as_a_save_settles(tmp_path, monkeypatch):
    """mkdocs' live-reload server waits for 0.1 s without file events before it rebuilds, which
    every save would pay; the preview's server waits `SAVE_SETTLED_SECONDS`."""
    from mkdocs.livereload import LiveReloadServer

    from generator.renderers.mkdocs import SAVE_SETTLED_SECONDS, serve_with_live_reload

    paths = make_project(tmp_path / "project")
    waited: list[float] = []
    monkeypatch.setattr(LiveReloadServer, "serve", lambda self: waited.append(self.build_delay))
    monkeypatch.setattr(LiveReloadServer, "shutdown", LiveReloadServer.server_close)
    serve_with_live_reload(paths, "127.0.0.1:0", tmp_path / "site", lambda: None, [paths.content])
    assert waited == [SAVE_SETTLED_SECONDS] and SAVE_SETTLED_SECONDS < 0.1
