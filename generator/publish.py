"""`thesis-site publish VERSION`: publish the current content as an edition with mike.

Each edition records the commit it was built from as a mike version property (`commit`), so
the next edition can compare itself with the previous one through the same `compare` engine
that `review` uses, and show "What changed in this edition". mike writes each edition into its
own folder of the `gh-pages` branch; publishing never rebuilds or touches an older edition,
and refuses a name that is already an edition unless told to replace it (`--replace`).
An edition answers at `site_url/<edition>/`; see `pages.urls.SiteAddress` for its links.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .compare import ChangeReport, compare_publications
from .diagnostics import Diagnostic
from .gitrepo import GitError, GitRepository, default_source_date_epoch
from .pages.edition import EditionNote
from .pages.urls import TOP_LEVEL_NAMES, SiteAddress, feed_paths, site_address
from .review import content_at
from .settings import ProjectPaths
from .siteconfig import read_site_settings, site_url_diagnostics

PAGES_BRANCH = "gh-pages"
VERSION_PATTERN = re.compile(r"[0-9a-z][0-9a-z.\-]{0,39}")
"""Applied with `fullmatch`: the whole name, not a prefix (nor a name ending in a newline)."""
RESERVED_NAMES = TOP_LEVEL_NAMES
"""Top-level site paths an edition name must not shadow (decided with the URLs, in `pages.urls`)."""
_RESERVED_STEMS = {name.split(".")[0]: name for name in RESERVED_NAMES}


class PublishError(Exception):
    """Publishing cannot proceed (bad version name, no git history, mike failed)."""


@dataclass(frozen=True)
class Edition:
    version: str
    title: str
    aliases: tuple[str, ...]
    commit: str | None


def validate_edition_name(name: str, what: str = "version") -> None:
    if not VERSION_PATTERN.fullmatch(name):
        raise PublishError(f"{what} '{name}' must be lower-case letters, digits, '.' and '-' (e.g. 2026.06 or v3)")
    # Up to its first dot: `index.html`, `index` and `index.htm` all read as the home page's file.
    taken = name if name in RESERVED_NAMES else _RESERVED_STEMS.get(name.split(".")[0])
    if taken is not None:
        raise PublishError(f"{what} '{name}' would collide with the site path /{taken}")


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
    diagnostics: list[Diagnostic]


def publish_edition(paths: ProjectPaths, version: str, alias: str, title: str | None, push: bool,
                    replace: bool = False) -> PublishOutcome:
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
    refuse_existing_edition(editions, version, replace)
    address = edition_address(paths, version, alias)
    commit = head_commit(paths)
    refuse_uncommitted_inputs(paths, commit)
    changes = edition_changes(paths, editions, version, commit)
    result, written = write_docs_tree(paths, edition=EditionNote(version, changes, address))
    if written is None:
        return PublishOutcome(False, commit, result.diagnostics)
    deploy_edition(paths, version, alias, title, commit, push, address)
    return PublishOutcome(True, commit, result.diagnostics)


def refuse_existing_edition(editions: list[Edition], version: str, replace: bool) -> None:
    """An edition is a fixed record of what was published under its name: links into it, and the
    next edition's "What changed" page, rely on it. Publishing it again needs `--replace`."""
    existing = next((e for e in editions if e.version == version), None)
    if existing is not None and not replace:
        built_from = f" (built from commit {existing.commit[:7]})" if existing.commit else ""
        raise PublishError(f"edition '{version}' is already published{built_from}; published editions are never "
                           "rebuilt: choose a new name, or pass --replace to rebuild it")


def edition_address(paths: ProjectPaths, version: str, alias: str) -> SiteAddress:
    """Where the edition will answer (site_url/<version>/) and where its subscribers read the
    feeds (site_url/<alias>/); refused while site_url is unset or the shipped placeholder."""
    try:
        settings = read_site_settings(paths)
    except (Exception, SystemExit) as error:  # mkdocs reports unreadable YAML as ConfigurationError
        raise PublishError(f"cannot read {paths.relative(paths.mkdocs_config)}: {error}") from error
    problems = site_url_diagnostics(paths, settings)  # the settings just read, not a second reading
    if problems:
        raise PublishError(f"site_url {problems[0].message} ({problems[0].hint}); nothing was published")
    return site_address(settings.site_url, version, alias)


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


def run_mike(paths: ProjectPaths, arguments: list[str], source_date_epoch: str | None) -> None:
    # mike has no `python -m mike`; its console-script entry point is called in a child process so
    # its git and mkdocs work stays isolated from this one. Both run on this interpreter, whatever
    # PATH holds (see interpreter_path).
    launcher = "import sys; from mike.driver import main; sys.argv[0] = 'mike'; sys.exit(main())"
    environment = dict(os.environ)
    environment["PATH"] = interpreter_path(environment.get("PATH", ""))
    if source_date_epoch:
        environment["SOURCE_DATE_EPOCH"] = source_date_epoch  # the edition's pages carry the commit's dates
    completed = subprocess.run([sys.executable, "-c", launcher, *arguments], cwd=paths.root, capture_output=True,
                               text=True, env=environment)
    if completed.returncode != 0:
        raise PublishError(f"mike {arguments[0]} failed: {completed.stderr.strip() or completed.stdout.strip()}")


def interpreter_path(path: str) -> str:
    """PATH for mike, with this interpreter's script folders first.

    mike starts mkdocs by name (`mkdocs build`, through PATH), so from a virtualenv that is not
    activated it would find no mkdocs, or another installation's. The folders where this
    interpreter's console scripts live (its own folder, as in a virtualenv, and sysconfig's
    `scripts`, user installs included) are put in front."""
    folders = [os.path.dirname(sys.executable), sysconfig.get_path("scripts")]
    with contextlib.suppress(KeyError):
        folders.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    ordered = list(dict.fromkeys(f for f in folders if f and os.path.isdir(f)))
    joined = os.pathsep.join([*ordered, *(p for p in path.split(os.pathsep) if p and p not in ordered)])
    program = _mkdocs_program()
    if shutil.which(program, path=joined) is None:
        raise PublishError(f"'{program}' is not installed for {sys.executable} (mike builds each edition with it)")
    return joined


def _mkdocs_program() -> str:
    """The program mike starts: `mkdocs`, or `properdocs` when that fork is installed."""
    from mike import mkdocs_utils

    return str(getattr(mkdocs_utils, "_program_name", "mkdocs"))


def head_commit(paths: ProjectPaths) -> str:
    try:
        return GitRepository(paths.root).resolve("HEAD")
    except GitError as error:
        raise PublishError("publishing needs a git repository with at least one commit") from error


def deploy_edition(paths: ProjectPaths, version: str, alias: str, title: str | None, commit: str, push: bool,
                   address: SiteAddress) -> None:
    """Hand the generated docs tree to mike: one new folder on the pages branch, alias moved, default set."""
    stamp = os.environ.get("SOURCE_DATE_EPOCH") or default_source_date_epoch(paths.root)
    with edition_config(paths, address) as config:
        arguments = ["deploy", "--config-file", str(config), "--update-aliases",
                     "--prop-set-string", f"commit={commit}", "--title", title or version,
                     "--message", f"Publish edition {version} ({commit[:7]})", version, alias]
        if push:
            arguments.insert(1, "--push")
        run_mike(paths, arguments, stamp)
    default = ["set-default", "--config-file", str(paths.mkdocs_config), "--allow-empty", alias]
    if push:
        default.insert(1, "--push")
    run_mike(paths, default, stamp)


SUBSCRIBE_SETTING = "thesis_site_feeds"
"""`extra` key of an edition's configuration: the all-theses feeds every page offers to subscribe to."""


@contextlib.contextmanager
def edition_config(paths: ProjectPaths, address: SiteAddress) -> Iterator[Path]:
    """mkdocs.yml plus the edition's subscribe links (`extra.thesis_site_feeds`, read by
    site_templates/overrides/main.html) and the hook that indexes it for search: a file beside mkdocs.yml that INHERITs it, so each
    relative path in it keeps its meaning; removed afterwards."""
    import yaml

    rss, atom = feed_paths("all")
    from .search import hooks_with_search

    settings = {"INHERIT": paths.mkdocs_config.name,
                "hooks": hooks_with_search(paths),  # the project's, then Pagefind's index of the edition (see `search`)
                "extra": {SUBSCRIBE_SETTING: {"rss": address.feeds + rss, "atom": address.feeds + atom}}}
    descriptor, name = tempfile.mkstemp(prefix=".thesis-site-edition-", suffix=".yml", dir=paths.mkdocs_config.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            yaml.safe_dump(settings, handle, sort_keys=False)
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
