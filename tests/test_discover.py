"""Nothing under `content/` is passed over in silence: every file is content or a diagnostic, in
the work tree and in a git revision alike; only README.md, .gitkeep and .DS_Store are skipped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.discover import SKIPPED_NAMES
from generator.pipeline import check_project
from generator.review import content_at
from generator.settings import ProjectPaths

from review_support import Repo, isolate_git

VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    return root


def _add(root: Path, relpath: str, text: str = "id: x\nname: X\n") -> None:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _found(root: Path) -> list[tuple[str, str, str]]:
    return [(d.file, d.code, d.hint) for d in check_project(ProjectPaths(root), jobs=1).diagnostics]


def test_the_allow_list_is_passed_over_in_every_folder(project: Path) -> None:
    assert set(SKIPPED_NAMES) == {"README.md", ".gitkeep", ".DS_Store"}
    for folder in ("content", "content/theses", "content/assets", "content/notes", "content/.drafts"):
        for name in SKIPPED_NAMES:
            _add(project, f"{folder}/{name}", "# notes\n")
    result = check_project(ProjectPaths(project), jobs=1)
    assert result.diagnostics == [] and result.files == 4


@pytest.mark.parametrize("relpath, hint", [
    ("content/x.yaml", ""),
    ("content/thesis/x.yaml", "did you mean 'theses'?"),
    ("content/Theses/x.yaml", "did you mean 'theses'?"),
    ("content/source/x.md", "did you mean 'sources'?"),
    ("content/asset/X.yaml", "did you mean 'assets'?"),
    ("content/notes/deep/er/x.yaml", ""),
    ("content/notes/x.txt", ""),
    ("content/README.txt", ""),
])
def test_a_file_outside_the_kind_folders_is_reported(project: Path, relpath: str, hint: str) -> None:
    _add(project, relpath)
    assert _found(project) == [(relpath, "file.stray", hint)]


def test_a_file_in_a_folder_inside_a_kind_folder_is_reported_with_the_folder(project: Path) -> None:
    _add(project, "content/theses/archive/old/bet.yaml")
    assert _found(project) == [
        ("content/theses/archive", "file.not-regular", "replace it with a regular file"),
        ("content/theses/archive/old/bet.yaml", "file.stray", "move it to content/theses/bet.yaml"),
    ]


@pytest.mark.parametrize("relpath", [
    "content/theses/.bet.yaml", "content/theses/.bet.yaml.swp", "content/.x.yaml", "content/.drafts/x.yaml",
    "content/people/.old/ann-lee.yaml", "content/.git/config", "content/theses/.gitkeep.bak",
])
def test_a_hidden_file_is_reported(project: Path, relpath: str) -> None:
    _add(project, relpath)
    found = [entry for entry in _found(project) if entry[1] != "file.not-regular"]  # a folder inside a kind folder
    assert [(file, code) for file, code, _ in found] == [(relpath, "file.hidden")]


@pytest.mark.parametrize("name", ["bet.txt", "bet", "bet.yml", "bet.YAML", "README.rst"])
def test_a_file_the_loader_does_not_read_is_a_bad_name(project: Path, name: str) -> None:
    _add(project, f"content/theses/{name}")
    assert [(file, code) for file, code, _ in _found(project)] == [(f"content/theses/{name}", "file.bad-name")]


def test_symlinks_anywhere_are_refused_and_never_followed(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _add(outside, "inner/x.yaml")
    _add(outside, "y.yaml")
    try:
        (project / "content" / "linked").symlink_to(outside, target_is_directory=True)
        (project / "content" / "notes").mkdir()
        (project / "content" / "notes" / "inner").symlink_to(outside / "inner", target_is_directory=True)
        (project / "content" / "notes" / "y.yaml").symlink_to(outside / "y.yaml")
    except OSError as error:  # pragma: no cover - e.g. Windows without the symlink privilege
        pytest.skip(f"cannot create symlinks here: {error}")
    assert [(file, code) for file, code, _ in _found(project)] == [
        ("content/linked", "file.not-regular"),
        ("content/notes/inner", "file.not-regular"),
        ("content/notes/y.yaml", "file.not-regular"),
    ]


def test_a_git_revision_is_read_by_the_same_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`review` reads revisions from git objects: the same files are reported the same way."""
    isolate_git(monkeypatch, tmp_path)
    repo = Repo.create(tmp_path / "project")
    for relpath in ("content/x.yaml", "content/thesis/x.yaml", "content/notes/deep/x.md", "content/theses/.x.yaml",
                    "content/.drafts/x.yaml", "content/theses/x.txt", "content/theses/README.md", "content/.gitkeep",
                    "content/people/.DS_Store", "content/README.md"):
        _add(repo.root, relpath)
    try:
        os.symlink("../x.yaml", repo.path("content/notes/link.yaml"))
    except OSError as error:  # pragma: no cover
        pytest.skip(f"cannot create symlinks here: {error}")
    repo.commit("Stray files", date="2026-02-01")
    paths = ProjectPaths(repo.root)
    work_tree = check_project(paths, jobs=1).diagnostics
    assert {d.code for d in work_tree} == {"file.stray", "file.hidden", "file.bad-name", "file.not-regular"}
    assert len(work_tree) == 7
    assert content_at(paths, "HEAD").diagnostics == work_tree
