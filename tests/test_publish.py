"""Editions with mike (issue 5): two publishes in a temporary git repository.

The second publish must leave the first edition's files byte-identical, move `latest`, keep the
default version, and carry a change page built by the same comparison `review` uses. Every
absolute URL in both editions answers from the deployed `gh-pages` tree; an edition is never
replaced without `--replace`; nothing is published at the placeholder site_url; and publishing
works from a shell whose PATH does not hold the interpreter's scripts.
"""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from review_support import git_env, isolate_git
from site_support import TEST_SITE_URL

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
    # mike builds the edition itself: the search hook indexed it all the same (generator/search_hook.py)
    assert "\tpagefind/shards.js" in before and "\tpagefind/pagefind-modular-ui.js" in before
    assert re.search(r"\tpagefind/\d\d-\d\d/pagefind\.js\n", before) and re.search(r"\tpagefind/\d\d-\d\d/index/", before)
    assert re.search(r"\tpagefind/\d\d-\d\d/fragment/", before)

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
    assert f'<meta property="og:url" content="{TEST_SITE_URL}2.0/theses/memory-bound-inference/">' in page
    assert f'<meta property="og:image" content="{TEST_SITE_URL}2.0/cards/memory-bound-inference.png">' in page
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


def _flip_first_position(root: Path) -> None:
    thesis = _thesis_file(root)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("direction: long", "direction: short", 1), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Flip the first position")


# --------------------------------------------------------------------------- every link answers


def _export_pages_branch(root: Path, target: Path) -> None:
    """The `gh-pages` tree as a static host would serve it (mike's alias is a symlink in it)."""
    archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", "gh-pages"], check=True,
                             capture_output=True, env=git_env(root)).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="tar")


def _absolute_urls(tree: Path, origin: str) -> dict[str, set[str]]:
    """Every absolute URL at `origin` in every file under `tree` (HTML attributes, feeds, JSON-LD,
    sitemaps, JSON), without its fragment → the files it appears in."""
    pattern = re.compile(re.escape(origin) + r"""[^\s"'<>\\)]*""")
    found: dict[str, set[str]] = {}
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        for match in pattern.findall(text):
            url = html.unescape(match).split("#", 1)[0]
            found.setdefault(url, set()).add(path.relative_to(tree).as_posix())
    return found


@pytest.fixture()
def local_host(tmp_path: Path):
    """An HTTP server on 127.0.0.1 (port chosen by the OS when bound) serving what will be the
    exported pages branch; started by the test once the folder is filled."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        yield server, served, thread
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_every_absolute_url_of_two_editions_answers(project: Path, local_host, monkeypatch) -> None:
    """Canonical links, sitemaps, feeds (links and `self`), subscribe links and JSON-LD of both
    editions, fetched from the exported pages branch served at site_url: no 404. Entries link
    into their own edition; what a subscriber keeps goes through the alias."""
    server, served, thread = local_host
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    monkeypatch.setenv("SITE_URL", origin)
    first = _publish(project, "1.0")
    assert first.exit_code == 0, first.output
    _flip_first_position(project)
    second = _publish(project, "2.0")
    assert second.exit_code == 0, second.output
    _export_pages_branch(project, served)
    thread.start()

    found: dict[str, set[str]] = {}
    for edition in ("1.0", "2.0"):
        for url, files in _absolute_urls(served / edition, origin).items():
            found.setdefault(url, set()).update(f"{edition}/{f}" for f in files)
    failures = {url: sorted(files)[:3] for url, files in found.items() if _status(url) != 200}
    assert not failures, failures
    # not vacuous: each page of both editions has its own canonical URL among them, and more links point at the pages
    pages = [p for edition in ("1.0", "2.0") for p in (served / edition).rglob("index.html")]
    assert len(pages) >= 40 and len(found) > len(pages), (len(pages), len(found))
    assert sum(len(files) for files in found.values()) >= 5 * len(pages)

    thesis = "theses/memory-bound-inference/"
    for edition in ("1.0", "2.0"):
        # canonical link and sitemap (mkdocs, through mike), JSON-LD and feed entries (the generator)
        assert f"{edition}/{thesis}index.html" in found[f"{origin}{edition}/{thesis}"]
        assert f"{edition}/sitemap.xml" in found[f"{origin}{edition}/{thesis}"]
        assert f"{edition}/feeds/all.atom.xml" in found[f"{origin}{edition}/{thesis}"]
        assert f"{edition}/{thesis}index.html" in found[f"{origin}{edition}/{thesis}evidence/"]  # JSON-LD ids
        # a subscriber keeps one URL: feed `self` links and the pages' subscribe links use the alias
        assert {f"{edition}/feeds/all.atom.xml", f"{edition}/index.html"} <= found[f"{origin}latest/feeds/all.atom.xml"]
        assert f"{edition}/{thesis}index.html" in found[f"{origin}latest/feeds/theses/memory-bound-inference.rss.xml"]
    assert not any(url.startswith(f"{origin}theses/") or url.startswith(f"{origin}feeds/") for url in found)


def test_a_plain_build_links_at_site_url_itself(tmp_path: Path, monkeypatch) -> None:
    """Not an edition: absolute links start at site_url, subscribe links stay relative."""
    from generator.build import build_site
    from generator.settings import ProjectPaths

    root = tmp_path / "plain"
    shutil.copytree(SAMPLE, root / "content")
    shutil.copytree(REPO_ROOT / "site_templates", root / "site_templates")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    isolate_git(monkeypatch, tmp_path)
    monkeypatch.setenv("SITE_URL", "https://theses.example.net/research/")
    result = build_site(ProjectPaths(root), root / "site", strict=True)
    assert result.ok, [d.format_text() for d in result.diagnostics]
    page = (root / "site" / "theses" / "memory-bound-inference" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://theses.example.net/research/theses/memory-bound-inference/">' in page
    assert '"@id":"https://theses.example.net/research/theses/memory-bound-inference/evidence/#' in page
    assert 'href="../../feeds/all.rss.xml"' in page and 'href="../../feeds/theses/memory-bound-inference.rss.xml"' in page
    feed = (root / "site" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert 'href="https://theses.example.net/research/feeds/all.atom.xml" rel="self"' in feed
    assert 'href="https://theses.example.net/research/theses/memory-bound-inference/"' in feed


# --------------------------------------------------------------------------- editions are immutable


def test_an_edition_is_not_replaced_without_replace(project: Path) -> None:
    first = _publish(project, "2026.11")
    assert first.exit_code == 0, first.output
    pages_commit = _git(project, "rev-parse", "gh-pages")
    first_commit = _git(project, "rev-parse", "HEAD").strip()
    _flip_first_position(project)

    again = _publish(project, "2026.11")
    assert again.exit_code == 2, again.output
    assert "edition '2026.11' is already published" in again.output and "--replace" in again.output
    assert first_commit[:7] in again.output
    assert _git(project, "rev-parse", "gh-pages") == pages_commit  # nothing was written

    replaced = _publish(project, "2026.11", "--replace")
    assert replaced.exit_code == 0, replaced.output
    (edition,) = json.loads(_git(project, "show", "gh-pages:versions.json"))
    assert edition["version"] == "2026.11"
    assert edition["properties"]["commit"] == _git(project, "rev-parse", "HEAD").strip() != first_commit
    assert "short" in _git(project, "show", "gh-pages:2026.11/theses/memory-bound-inference/index.html")


# --------------------------------------------------------------------------- site_url must be set


@pytest.mark.parametrize("setting", ["placeholder", "missing", "not a URL"])
def test_nothing_is_published_without_a_real_site_url(project: Path, monkeypatch, setting: str) -> None:
    config = project / "mkdocs.yml"
    if setting == "placeholder":
        monkeypatch.delenv("SITE_URL")
    else:
        line = "" if setting == "missing" else "site_url: theses.example.net\n"
        config.write_text(re.sub(r"(?m)^site_url:.*\n", line, config.read_text(encoding="utf-8")), encoding="utf-8")
        _git(project, "commit", "-q", "-am", "Change site_url")
    result = _publish(project, "1.0")
    assert result.exit_code == 2, result.output
    assert "site_url" in result.output and "nothing was published" in result.output
    assert _git(project, "branch", "--list", "gh-pages") == ""


# --------------------------------------------------------------------------- any shell


def test_publish_runs_without_the_interpreter_on_path(project: Path) -> None:
    """`venv/bin/thesis-site publish` from a shell where the virtualenv is not activated: mike and
    mkdocs still run on this interpreter. PATH keeps only the system folders (git is there)."""
    assert shutil.which("mkdocs", path="/usr/bin:/bin") is None
    environment = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run([sys.executable, "-m", "generator", "publish", "--root", str(project), "1.0"],
                               capture_output=True, text=True, env=environment, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "theses/memory-bound-inference/index.html" in _edition_tree(project, "1.0")
