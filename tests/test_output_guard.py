"""SPEC §6 "Nothing lost": `build` and `export` replace only folders they made, and a killed
build's temporaries are removed by the next build (never those of a build still running)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from generator.build import build_site
from generator.outputs import LOCK_NAME, MARKER, MARKER_BYTES, OutputRefused, output_lock, temporary_sibling
from generator.settings import ProjectPaths
from review_support import run_cli
from site_support import make_project, wait_for


@pytest.fixture
def project(tmp_path: Path, isolated_git, epoch) -> ProjectPaths:
    """A project holding, besides its content and templates, what a real one has around it: a
    git folder, a generator package, a docs tree, and a folder of someone else's files."""
    paths = make_project(tmp_path / "project")
    root = paths.root
    for relpath, text in {".git/HEAD": "ref: refs/heads/main\n", "generator/__init__.py": "",
                          "build/docs/index.md": "# Home\n", "notes/plan.txt": "mine\n"}.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    return paths


def snapshot(folder: Path) -> dict[str, object]:
    """Every folder, file (its bytes) and link (its target) under `folder`, links not followed."""
    state: dict[str, object] = {}
    for current, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(current) / name
            relpath = path.relative_to(folder).as_posix()
            if path.is_symlink():
                state[relpath] = ("link", os.readlink(path))
            elif path.is_dir():
                state[relpath] = "folder"
            else:
                state[relpath] = path.read_bytes()
    return state


def break_content(paths: ProjectPaths) -> None:
    """A content error: the build stops after the check, quickly, without touching the site."""
    (paths.content / "theses" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")


REFUSED = {
    "the project root": lambda root: root,
    "the project root, relative": lambda root: Path("."),
    "the project root through a link": lambda root: _link(root.parent / "link-to-project", root),
    "an ancestor of the root": lambda root: root.parent,
    "an ancestor of the root, relative": lambda root: Path(".."),
    "content": lambda root: root / "content",
    "inside content": lambda root: root / "content" / "theses",
    "a new folder inside content": lambda root: root / "content" / "site",
    "content in other letter case": lambda root: root / "CONTENT",
    "content through a link": lambda root: _link(root.parent / "link-to-content", root / "content"),
    "generator": lambda root: root / "generator",
    "site_templates": lambda root: root / "site_templates",
    "the docs tree": lambda root: root / "build" / "docs",
    "build, which holds the docs tree": lambda root: root / "build",
    ".git": lambda root: root / ".git",
    "a foreign non-empty folder": lambda root: root / "notes",
    "a file": lambda root: root / "mkdocs.yml",
    "a name a later build would take for its temporary": lambda root: root.parent / ".site-build-mine",
}


def _link(link: Path, target: Path) -> Path:
    link.symlink_to(target, target_is_directory=True)
    return link


@pytest.mark.parametrize("command", ["build", "export"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_target_the_command_did_not_make_is_refused_and_left_as_it_was(project, tmp_path, monkeypatch, command, case):
    root = project.root
    monkeypatch.chdir(root)
    target = REFUSED[case](root)
    before = snapshot(tmp_path)
    result = run_cli(command, "--root", str(root), "--out", str(target))
    assert result.exit_code == 2, result.output
    assert "refusing --out" in result.output or "is a file" in result.output, result.output
    assert snapshot(tmp_path) == before


def test_the_library_refuses_as_the_command_line_does(project, tmp_path):
    """build_site itself decides (a file, which click would stop first on the command line)."""
    before = snapshot(tmp_path)
    for target in (project.root / "mkdocs.yml", project.root / "notes", project.root.parent):
        with pytest.raises(OutputRefused, match="refusing --out"):
            build_site(project, target)
    assert snapshot(tmp_path) == before


def test_a_default_site_without_the_marker_is_refused_with_what_to_do(project, tmp_path):
    """An existing project's site/ from a version that did not mark its output: delete it once."""
    (project.site / "index.html").parent.mkdir()
    (project.site / "index.html").write_text("<p>an older build</p>", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_cli("build", "--root", str(project.root))
    assert result.exit_code == 2
    assert "delete it once" in result.output and MARKER in result.output
    assert snapshot(tmp_path) == before


def test_an_empty_folder_and_a_marked_site_are_replaced_and_stale_temporaries_removed(project, tmp_path):
    """Two full builds: into an empty folder, then (after a simulated killed build) into the
    site the first one marked."""
    out = tmp_path / "site"
    out.mkdir()
    first = run_cli("build", "--root", str(project.root), "--out", str(out))
    assert first.exit_code == 0, first.output
    assert (out / "index.html").is_file()
    assert (out / MARKER).read_bytes() == MARKER_BYTES

    stale = [tmp_path / ".site-build-k1ll3d0x", tmp_path / ".site-files-xxx", tmp_path / ".site-old-abc"]
    for folder in stale:
        (folder / "api").mkdir(parents=True)
        (folder / "api" / "graph.json").write_text("{}", encoding="utf-8")
    (tmp_path / LOCK_NAME).write_text("", encoding="utf-8")  # left by the killed build
    kept = [tmp_path / ".site-build", tmp_path / ".site-notes-x", tmp_path / ".other-build-x"]
    kept[0].write_text("a file, not a build's folder", encoding="utf-8")
    for folder in kept[1:]:  # not named like this output's temporaries
        folder.mkdir()
    (tmp_path / ".site-files-link").symlink_to(project.root / "notes", target_is_directory=True)
    notes = snapshot(project.root / "notes")

    second = run_cli("build", "--root", str(project.root), "--out", str(out))
    assert second.exit_code == 0, second.output
    assert (out / MARKER).read_bytes() == MARKER_BYTES
    assert not any(folder.exists() for folder in stale)
    assert not (tmp_path / LOCK_NAME).exists()
    assert all(path.exists() for path in kept)
    assert (tmp_path / ".site-files-link").is_symlink() and snapshot(project.root / "notes") == notes
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [
        ".site-build", ".site-files-link", ".site-notes-x"]


def test_a_site_set_aside_by_a_build_killed_between_its_renames_is_put_back(project, tmp_path):
    out = tmp_path / "site"
    aside = temporary_sibling(out, "old")
    (aside / MARKER).write_bytes(MARKER_BYTES)
    (aside / "index.html").write_text("<p>the previous site</p>", encoding="utf-8")
    break_content(project)
    result = build_site(project, out)
    assert not result.ok
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>the previous site</p>"
    assert not aside.exists()


def test_a_running_builds_temporaries_are_left_to_it(project, tmp_path):
    """A second build into the same folder waits for the first (its lock) instead of removing
    what the first is still writing; once the first is gone, what it left is stale and removed."""
    out = tmp_path / "site"
    holding, release = threading.Event(), threading.Event()
    live: list[Path] = []

    def running_build() -> None:
        with output_lock(out):
            live.append(temporary_sibling(out, "build"))
            holding.set()
            release.wait(30)

    first = threading.Thread(target=running_build)
    first.start()
    assert holding.wait(30)
    stages: list[str] = []
    results = []
    break_content(project)
    second = threading.Thread(target=lambda: results.append(build_site(project, out, progress=lambda s, d, t: stages.append(s))))
    second.start()
    try:
        assert wait_for(lambda: bool(stages), 30, interval=0.02)
        assert stages[:1] == ["waiting for another build in the same folder"]
        second.join(timeout=0.5)  # must not end: the first build still holds the lock
        assert second.is_alive() and not results
        assert live[0].is_dir()
    finally:
        release.set()
        first.join(30)
        second.join(60)
    assert results and not results[0].ok
    assert not live[0].exists()


def test_the_export_writes_into_an_empty_folder_and_again_into_its_own(project, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    for _ in range(2):
        result = run_cli("export", "--root", str(project.root), "--out", str(out))
        assert result.exit_code == 0, result.output
        assert (out / MARKER).read_bytes() == MARKER_BYTES
        assert (out / "api" / "graph.json").is_file()


def test_an_export_whose_api_folder_is_a_link_leaves_what_it_points_to(project, tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    (out / MARKER).write_bytes(MARKER_BYTES)
    (out / "api").symlink_to(project.root / "notes", target_is_directory=True)
    notes = snapshot(project.root / "notes")
    result = run_cli("export", "--root", str(project.root), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert snapshot(project.root / "notes") == notes
    assert (out / "api" / "graph.json").is_file() and not (out / "api").is_symlink()


def test_a_docs_tree_linked_elsewhere_is_not_written(project, tmp_path):
    """The docs tree is emptied of what the generator did not write: never through a link."""
    shutil.rmtree(project.docs_tree)
    project.docs_tree.symlink_to(project.root / "notes", target_is_directory=True)
    before = snapshot(tmp_path)
    result = run_cli("build", "--root", str(project.root), "--out", str(tmp_path / "site"))
    assert result.exit_code == 2
    assert "docs tree" in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("case", ["the project root", "an ancestor of the root", "inside content", "generator", ".git"])
def test_the_schema_command_adds_no_file_to_the_projects_own_folders(project, tmp_path, case):
    """`schema` adds its files to a folder without replacing it, so an unmarked folder is fine, but
    not the project's own."""
    before = snapshot(tmp_path)
    result = run_cli("schema", "--root", str(project.root), "--out", str(REFUSED[case](project.root)))
    assert result.exit_code == 2 and "refusing --out" in result.output
    assert snapshot(tmp_path) == before
    assert run_cli("schema", "--root", str(project.root), "--out", str(project.root / "notes")).exit_code == 0
