"""Editions with mike (issue 5): two publishes in a temporary git repository.

The second publish must leave the first edition's files byte-identical, move `latest`, keep the
default version, and carry a change page built by the same comparison `review` uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from review_support import git_env, isolate_git

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "samples" / "basic" / "content"
THESIS = "content/theses/memory-bound-inference"


def _git(root: Path, *args: str) -> str:
    env = {**git_env(root), "GIT_AUTHOR_NAME": "Ana Analyst", "GIT_AUTHOR_EMAIL": "ana@example.org",
           "GIT_COMMITTER_NAME": "Ana Analyst", "GIT_COMMITTER_EMAIL": "ana@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def _publish(root: Path, *args: str):
    return CliRunner().invoke(main, ["publish", "--root", str(root), *args])


@pytest.fixture()
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    shutil.copytree(REPO_ROOT / "site_templates", root / "site_templates")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    isolate_git(monkeypatch, root.parent)
    for name, value in (("GIT_AUTHOR_NAME", "Ana Analyst"), ("GIT_AUTHOR_EMAIL", "ana@example.org"),
                        ("GIT_COMMITTER_NAME", "Ana Analyst"), ("GIT_COMMITTER_EMAIL", "ana@example.org")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "First edition content")
    return root


def _thesis_file(root: Path) -> Path:
    return next(p for p in (root / "content" / "theses").iterdir() if p.stem == "memory-bound-inference")


def _edition_tree(root: Path, version: str) -> str:
    """Every file of an edition with its blob hash: equal strings mean byte-identical editions."""
    return _git(root, "ls-tree", "-r", f"gh-pages:{version}")


def test_two_editions(project: Path) -> None:
    first = _publish(project, "1.0")
    assert first.exit_code == 0, first.output
    before = _edition_tree(project, "1.0")
    assert "theses/memory-bound-inference/index.html" in before

    thesis = _thesis_file(project)
    text = thesis.read_text(encoding="utf-8")
    assert "direction: long" in text
    thesis.write_text(text.replace("direction: long", "direction: short", 1), encoding="utf-8")
    _git(project, "commit", "-q", "-am", "Flip the first position")
    second = _publish(project, "2.0")
    assert second.exit_code == 0, second.output

    versions = json.loads(_git(project, "show", "gh-pages:versions.json"))
    assert [v["version"] for v in versions] == ["2.0", "1.0"]
    assert versions[0]["aliases"] == ["latest"] and versions[1]["aliases"] == []
    assert all(len(v["properties"]["commit"]) == 40 for v in versions)
    assert _edition_tree(project, "1.0") == before  # the older edition is untouched
    assert "latest" in _git(project, "show", "gh-pages:index.html")  # default version redirects to latest

    changes = _git(project, "show", "gh-pages:2.0/changes/index.html")
    assert "Directions flipped" in changes and "long → short" in changes
    first_changes = _git(project, "show", "gh-pages:1.0/changes/index.html")
    assert "first edition" in first_changes

    # link previews name the edition: its canonical URL and its own share card, which exists in it
    page = _git(project, "show", "gh-pages:2.0/theses/memory-bound-inference/index.html")
    assert '<meta property="og:url" content="https://thesis-site.example.org/2.0/theses/memory-bound-inference/">' in page
    assert '<meta property="og:image" content="https://thesis-site.example.org/2.0/cards/memory-bound-inference.png">' in page
    assert "cards/memory-bound-inference.png" in before
    card = "cards/memory-bound-inference.png"
    assert _git(project, "rev-parse", f"gh-pages:2.0/{card}") != _git(project, "rev-parse", f"gh-pages:1.0/{card}")  # the flipped badge


@pytest.mark.parametrize("version", ["theses", "api", "cards", "Bad Name", "../x", "-rf"])
def test_version_names_that_collide_or_break_paths_are_refused(project: Path, version: str) -> None:
    result = CliRunner().invoke(main, ["publish", "--root", str(project), "--", version])
    assert result.exit_code == 2
    assert "gh-pages" not in _git(project, "branch", "--list", "gh-pages")


def test_content_errors_publish_nothing(project: Path) -> None:
    thesis = _thesis_file(project)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("direction:", "directon:", 1), encoding="utf-8")
    _git(project, "commit", "-q", "-am", "Break a field")
    result = _publish(project, "1.0")
    assert result.exit_code == 1
    assert "field.unknown" in result.output
    assert _git(project, "branch", "--list", "gh-pages") == ""


def test_publishing_needs_git(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "plain"
    shutil.copytree(SAMPLE, root / "content")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    isolate_git(monkeypatch, tmp_path)
    result = _publish(root, "1.0")
    assert result.exit_code == 2
    assert "git repository" in result.output or "git repository" in (result.stderr or "")


@pytest.mark.parametrize("change", ["edited", "untracked", "staged template"])
def test_uncommitted_inputs_are_refused(project: Path, change: str) -> None:
    """An edition is labelled with HEAD, so the work tree it is built from must match HEAD:
    an edited, new or staged file under content/, site_templates/ or mkdocs.yml stops it."""
    if change == "edited":
        thesis = _thesis_file(project)
        thesis.write_text(thesis.read_text(encoding="utf-8").replace("direction: long", "direction: short", 1),
                          encoding="utf-8")
        named = thesis.relative_to(project).as_posix()
    elif change == "untracked":
        named = "content/people/new-person.yaml"
        (project / named).write_text("id: new-person\nname: New Person\n", encoding="utf-8")
    else:
        named = "site_templates/pages/home.md.j2"
        (project / named).write_text((project / named).read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        _git(project, "add", named)
    result = _publish(project, "1.0")
    assert result.exit_code == 2, result.output
    assert named in result.output and "commit" in result.output
    assert _git(project, "branch", "--list", "gh-pages") == ""


def test_changes_page_words_position_changes_as_review_and_feeds_do() -> None:
    """One wording for a position change (`PositionChange.describe`) on the edition's change
    page, in the review summary and in the change log; a changed `because` reads as such."""
    from generator.compare import PositionChange, ThesisChange
    from generator.models import Position
    from generator.pages.changes import CHANGES, _thesis_view
    from generator.pages.urls import Here
    from generator.pipeline import check_project
    from generator.settings import ProjectPaths

    publication = check_project(ProjectPaths(SAMPLE.parent), jobs=1).publication

    def position(direction: str, because: list[str]) -> Position:
        return Position.model_validate({"asset": "MU", "direction": direction, "role": "memory maker",
                                        "rationale": "demand for bandwidth", "because": because})

    changes = (
        PositionChange("MU", "direction", position("long", ["a"]), position("short", ["a"])),
        PositionChange("MU", "because", position("long", ["a"]), position("long", ["a", "b"])),
        PositionChange("MU", "added", None, position("watch", [])),
        PositionChange("MU", "removed", position("neutral", []), None),
    )
    thesis = ThesisChange("memory-bound-inference", "Memory", "changed", positions=changes)
    view = _thesis_view(Here(CHANGES), publication, thesis)
    assert view.positions == ("MU: long → short", "MU: because changed", "MU: watch position added",
                              "MU: neutral position removed")
    assert thesis.summary() == "MU long → short; MU because changed; MU watch position added; MU neutral position removed"
