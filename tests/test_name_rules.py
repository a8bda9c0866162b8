"""Names are whole-string rules: ids, tickers, tags, locators, file names and edition names are
matched in full, so a trailing newline (which Python's `$` accepts) never passes; edition names
may not take any top-level path of the built site or of the pages branch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter, ValidationError

from generator import cli, publish
from generator.build import build_site
from generator.discover import classify_path
from generator.models import AssetId, Authored, Count, Date, Identifier, Locator, TagSlug, Timestamp, Url
from generator.pages.urls import TOP_LEVEL_NAMES
from generator.pipeline import check_project
from generator.publish import PublishError, validate_edition_name
from generator.settings import ProjectPaths
from generator.yamlscalars import PlainScalar

from review_support import git_env, isolate_git
from site_support import make_project, render_docs

VALID = Path(__file__).parent / "fixtures" / "valid"


def _run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


# --------------------------------------------------------------------------- `new`


@pytest.mark.parametrize("kind, identifier", [
    ("person", "abc\n"), ("thesis", "new-bet\n"), ("source", "talk\r\n"), ("asset", "NVDA\n"), ("person", "\nabc"),
    ("person", "Abc"), ("person", "-abc"), ("person", "a_b"), ("person", ""), ("person", "a" * 81), ("person", "../x"),
    ("person", "a\x1b[2Jb"), ("asset", "nvda"), ("asset", "NV DA"), ("asset", "A" * 16),
])
def test_new_refuses_a_bad_id_and_writes_nothing(tmp_path: Path, kind: str, identifier: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = _run("new", "--root", str(root), kind, identifier)
    assert result.exit_code == 2, result.output
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert "\x1b" not in result.output


def test_new_error_shows_the_id_escaped_on_one_line(tmp_path: Path) -> None:
    result = _run("new", "--root", str(tmp_path), "person", "abc\n\x1b[2J")
    assert result.exit_code == 2
    error = [line for line in result.stderr.splitlines() if "does not match" in line]
    assert len(error) == 1 and "'abc\\n\\x1b[2J' does not match" in error[0]
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("kind, identifier", [("person", "abc"), ("asset", "NVDA2")])
def test_new_accepts_a_good_id(tmp_path: Path, kind: str, identifier: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    result = _run("new", "--root", str(root), kind, identifier)
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- file names and fields


@pytest.mark.parametrize("relpath", [
    "content/people/ann-lee\n.yaml", "content/assets/NVDA\n.yaml", "content/theses/bet\n.md", "content/sources/talk\n.yaml",
])
def test_a_file_stem_with_a_trailing_newline_is_a_bad_name(relpath: str, tmp_path: Path) -> None:
    classified = classify_path(relpath)
    assert getattr(classified, "code", None) == "file.bad-name", classified
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    (root / relpath).write_text((root / relpath.replace("\n", "")).read_text(encoding="utf-8")
                                if (root / relpath.replace("\n", "")).exists() else "id: x\n", encoding="utf-8")
    diagnostics = check_project(ProjectPaths(root), jobs=1).diagnostics
    assert [(d.file, d.code) for d in diagnostics] == [(relpath, "file.bad-name")]


@pytest.mark.parametrize("annotation, good, bad", [
    (Identifier, "ann-lee", "ann-lee\n"), (AssetId, "NVDA", "NVDA\n"), (TagSlug, "ai", "ai\n"),
    (Timestamp, "1:02:03", "1:02:03\n"), (Locator, "tldr", "tldr\n"), (Locator, "insight/x", "insight/x\n"),
    (Url, "https://example.org", "https://example.org\n"), (Date, "2026-01-01", "2026-01-01\n"),
    (Count, PlainScalar("3"), PlainScalar("3\n")),
])
def test_field_rules_refuse_a_trailing_newline(annotation, good, bad) -> None:
    adapter = TypeAdapter(annotation, config=Authored.model_config)  # strict, as every content model
    adapter.validate_python(good)
    with pytest.raises(ValidationError):
        adapter.validate_python(bad)


# --------------------------------------------------------------------------- edition names


@pytest.mark.parametrize("name", [
    "v1\n", "1.0\n", "\n1.0", "V1", "-rf", "../x", "",
    # every top-level path of the site or the pages branch, and names starting like one
    "method", "index.html", "index", "index.htm", "versions.json", "versions", "404.html", "404", "sitemap.xml",
    "sitemap.xml.gz", "search", "assets", "api", "feeds", "stylesheets", "theses", "theses.old", "changes", "contributing",
])
def test_edition_names_that_break_paths_or_collide_are_refused(name: str) -> None:
    with pytest.raises(PublishError):
        validate_edition_name(name)


@pytest.mark.parametrize("name", ["1.0", "2026.06", "v3", "2026-06-01", "nightly"])
def test_ordinary_edition_names_pass(name: str) -> None:
    validate_edition_name(name)


@pytest.mark.parametrize("args", [["--", "v1\n"], ["--alias", "latest\n", "--", "1.0"], ["--", "method"], ["--", "index.html"],
                                  ["--", "versions.json"]])
def test_publish_refuses_a_bad_name_before_git_is_touched(tmp_path: Path, monkeypatch, args: list[str]) -> None:
    def no_git(*_args, **_kwargs):
        raise AssertionError("git or mike was called")

    monkeypatch.setattr(publish.subprocess, "run", no_git)
    monkeypatch.setattr(publish.GitRepository, "_git", no_git)
    result = _run("publish", "--root", str(tmp_path), *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("thesis-site publish: ") and "\n" not in lines[0]
    assert not any(tmp_path.iterdir())


def test_every_top_level_entry_of_the_docs_tree_is_reserved(tmp_path: Path) -> None:
    """A new page kind or folder can never be forgotten: each entry of the generated tree (as
    the built site names it: `index.md` → `index.html`) is an edition name refused."""
    files = render_docs(make_project(tmp_path / "project"))
    entries = {relpath.split("/")[0] for relpath in files}
    built = {name.removesuffix(".md") + ".html" if name.endswith(".md") else name for name in entries}
    assert built <= TOP_LEVEL_NAMES, built - TOP_LEVEL_NAMES
    for name in built:
        with pytest.raises(PublishError):
            validate_edition_name(name)


def test_every_top_level_entry_of_a_built_site_is_reserved(tmp_path: Path, epoch) -> None:
    """The same for what mkdocs and mkdocs-material add (assets/, sitemaps, 404.html, and search/
    in a build for file://) and Pagefind's pagefind/."""
    paths = make_project(tmp_path / "project")
    for offline, added in ((False, "pagefind"), (True, "search")):
        site = tmp_path / ("offline" if offline else "site")
        result = build_site(paths, site, offline=offline)
        assert result.ok, result.diagnostics
        entries = set(os.listdir(site))
        assert {"assets", added, "404.html", "sitemap.xml", "index.html"} <= entries
        assert entries <= TOP_LEVEL_NAMES, entries - TOP_LEVEL_NAMES


def test_every_entry_mike_writes_on_the_pages_branch_is_reserved(tmp_path: Path, monkeypatch, epoch) -> None:
    """A real edition: the root of the pages branch holds the edition, its alias and what mike
    adds (versions.json, the redirect index.html, .nojekyll); the edition holds the site."""
    paths = make_project(tmp_path / "project")
    isolate_git(monkeypatch, tmp_path)
    people = {"GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.org",
              "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.org"}
    for name, value in people.items():
        monkeypatch.setenv(name, value)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(paths.root), *args], check=True, capture_output=True, text=True,
                              env={**git_env(paths.root), **people}).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "Content")
    result = _run("publish", "--root", str(paths.root), "1.0", "--alias", "latest")
    assert result.exit_code == 0, result.output
    root = set(git("ls-tree", "--name-only", "gh-pages").split())
    assert {"versions.json", "index.html"} <= root - {"1.0", "latest"} <= TOP_LEVEL_NAMES
    edition = set(git("ls-tree", "--name-only", "gh-pages:1.0").split())
    assert "theses" in edition and edition <= TOP_LEVEL_NAMES, edition - TOP_LEVEL_NAMES
