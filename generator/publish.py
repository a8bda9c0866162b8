"""`thesis-site publish VERSION`: publish the current content as an edition with mike.

Each edition records the commit it was built from as a mike version property (`commit`), so
the next edition can compare itself with the previous one through the same `compare` engine
that `review` uses, and show "What changed in this edition". mike writes each edition into its
own folder of the `gh-pages` branch; publishing never rebuilds or touches an older edition.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

from .compare import ChangeReport, compare_publications
from .gitrepo import GitError, GitRepository
from .review import content_at
from .settings import ProjectPaths

PAGES_BRANCH = "gh-pages"
VERSION_PATTERN = re.compile(r"^[0-9a-z][0-9a-z.\-]{0,39}$")
RESERVED_NAMES = frozenset({
    "theses", "sources", "assets", "people", "tags", "claims", "api", "feeds", "search", "changes",
    "contributing", "stylesheets", "javascripts", "images", "404.html", "sitemap.xml", "versions.json",
})
"""Top-level site paths an edition name must not shadow."""


class PublishError(Exception):
    """Publishing cannot proceed (bad version name, no git history, mike failed)."""


@dataclass(frozen=True)
class Edition:
    version: str
    title: str
    aliases: tuple[str, ...]
    commit: str | None


def validate_edition_name(name: str, what: str = "version") -> None:
    if not VERSION_PATTERN.match(name):
        raise PublishError(f"{what} '{name}' must be lower-case letters, digits, '.' and '-' (e.g. 2026.06 or v3)")
    if name in RESERVED_NAMES:
        raise PublishError(f"{what} '{name}' would collide with the site path /{name}/")


def published_editions(paths: ProjectPaths) -> list[Edition]:
    """Editions on the pages branch, newest first (mike keeps versions.json in that order)."""
    try:
        raw = subprocess.run(["git", "-C", str(paths.root), "show", f"{PAGES_BRANCH}:versions.json"],
                             capture_output=True, check=True).stdout
    except subprocess.CalledProcessError:
        return []
    editions = []
    for entry in json.loads(raw or b"[]"):
        properties = entry.get("properties") or {}
        editions.append(Edition(entry["version"], entry.get("title", entry["version"]), tuple(entry.get("aliases", [])),
                                properties.get("commit") if isinstance(properties, dict) else None))
    return editions


def edition_changes(paths: ProjectPaths, editions: list[Edition], version: str, head_commit: str) -> ChangeReport | None:
    """What this edition changes against the previous one (the newest other edition that
    recorded its commit); None for the first edition."""
    previous = next((e for e in editions if e.version != version and e.commit), None)
    if previous is None or previous.commit is None:
        return None
    base = content_at(paths, previous.commit)
    head = content_at(paths, head_commit)
    assert base.publication and head.publication
    return compare_publications(base.publication, head.publication, previous.version, version)


@dataclass(frozen=True)
class PublishOutcome:
    published: bool
    commit: str
    diagnostics: list


def publish_edition(paths: ProjectPaths, version: str, alias: str, title: str | None, push: bool) -> PublishOutcome:
    """check → docs tree with this edition's change page → mike deploy; nothing is published on errors."""
    from .build import write_docs_tree

    refuse_other_renderers(paths)
    validate_edition_name(version)
    validate_edition_name(alias, "alias")
    if alias == version:
        raise PublishError("the alias must differ from the version")
    editions = published_editions(paths)
    if any(e.version == alias for e in editions):
        raise PublishError(f"alias '{alias}' is already the name of an edition")
    commit = head_commit(paths)
    refuse_uncommitted_inputs(paths, commit)
    changes = edition_changes(paths, editions, version, commit)
    result, written = write_docs_tree(paths, edition=EditionNote(version, changes))
    if written is None:
        return PublishOutcome(False, commit, result.diagnostics)
    deploy_edition(paths, version, alias, title, commit, push)
    return PublishOutcome(True, commit, result.diagnostics)


def refuse_other_renderers(paths: ProjectPaths) -> None:
    """mike builds each edition with mkdocs: a project that renders with Zensical has no editions."""
    from .renderers import EDITIONS_RENDERER, configured_renderer_name

    name = configured_renderer_name(paths)
    if name != EDITIONS_RENDERER:
        raise PublishError(f"editions are published with mike, which builds with mkdocs only, and mkdocs.yml sets "
                           f"extra.thesis_site.renderer: {name}; remove that setting to publish editions, "
                           f"or build a single site with `thesis-site build`")


PUBLISHED_INPUTS = ("content", "site_templates", "mkdocs.yml")
"""What an edition is built from, relative to the project root."""


def refuse_uncommitted_inputs(paths: ProjectPaths, commit: str) -> None:
    """An edition is built from the work tree but labelled with HEAD (its `commit` property, which
    the next edition compares against): both must hold the same content, templates and settings."""
    changed = GitRepository(paths.root).uncommitted(*PUBLISHED_INPUTS)
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise PublishError(f"{shown} differ{'s' if len(changed) == 1 else ''} from commit {commit[:7]}: "
                           "commit or stash them first, since an edition is labelled with the commit it is built from")


@dataclass(frozen=True)
class EditionNote:
    """What the edition being built is, and what it changes against the previous one."""

    version: str
    changes: ChangeReport | None


def run_mike(paths: ProjectPaths, arguments: list[str], source_date_epoch: str | None) -> None:
    # mike has no `python -m mike`; its console-script entry point is called in a child process so
    # its git and mkdocs work stays isolated from this one.
    launcher = "import sys; from mike.driver import main; sys.argv[0] = 'mike'; sys.exit(main())"
    environment = dict(os.environ)
    if source_date_epoch:
        environment["SOURCE_DATE_EPOCH"] = source_date_epoch  # the edition's pages carry the commit's dates
    completed = subprocess.run([sys.executable, "-c", launcher, *arguments], cwd=paths.root, capture_output=True,
                               text=True, env=environment)
    if completed.returncode != 0:
        raise PublishError(f"mike {arguments[0]} failed: {completed.stderr.strip() or completed.stdout.strip()}")


def head_commit(paths: ProjectPaths) -> str:
    try:
        return GitRepository(paths.root).resolve("HEAD")
    except GitError as error:
        raise PublishError("publishing needs a git repository with at least one commit") from error


def deploy_edition(paths: ProjectPaths, version: str, alias: str, title: str | None, commit: str, push: bool) -> None:
    """Hand the generated docs tree to mike: one new folder on the pages branch, alias moved, default set."""
    from .build import default_source_date_epoch

    stamp = os.environ.get("SOURCE_DATE_EPOCH") or default_source_date_epoch(paths.root)
    arguments = ["deploy", "--config-file", str(paths.mkdocs_config), "--update-aliases",
                 "--prop-set-string", f"commit={commit}", "--title", title or version,
                 "--message", f"Publish edition {version} ({commit[:7]})", version, alias]
    if push:
        arguments.insert(1, "--push")
    run_mike(paths, arguments, stamp)
    default = ["set-default", "--config-file", str(paths.mkdocs_config), "--allow-empty", alias]
    if push:
        default.insert(1, "--push")
    run_mike(paths, default, stamp)
