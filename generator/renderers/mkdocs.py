"""The mkdocs-material renderer (the default): mkdocs is run in this process (a large site's pages
in two, `mkdocs_halves`), its log collected as values."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Collection, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator

from ..caches import code_fingerprint
from ..digests import folder_digest
from ..pages.urls import WORKER_SHIM
from ..search_hook import OFFLINE_PLUGIN, SEARCH_PLUGIN, PagefindSearchBox
from ..settings import ProjectPaths
from ..workers import cores
from .base import StructureChanged
from .mkdocs_drawn import DrawnSite, front_matter, keeps_drawing, remove_output, render_only, update_drawn
from .mkdocs_halves import HALVES_FROM, Halves, Helper, HelperAnswer, start_helper

if TYPE_CHECKING:  # mkdocs is imported when a build needs it
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation


RENDERER_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "pygments")
"""Whose versions a site's bytes depend on besides the docs tree (`incremental_key`)."""

def load_site_config(paths: ProjectPaths, site_dir: Path | None = None, strict: bool = False,
                     offline: bool = False) -> MkDocsConfig:
    """The project's mkdocs.yml, with the docs tree and (optionally) the output folder set.

    `offline` (`build --offline`) adds material's offline plugin, unless mkdocs.yml has it, and
    the worker shim the docs tree then holds (`urls.WORKER_SHIM`), so the plugin loads none from unpkg.

    A served site (not `offline`) keeps material's search box, which Pagefind answers, and builds
    no material index (`search_hook.leave_search_to_pagefind`).

    The version selector is mike's: `thesis-site publish` lets mike build with mkdocs.yml as
    written, while a plain build (not a mike deployment, no versions.json) leaves it out.
    """
    from mkdocs.config import load_config

    paths.docs_tree.mkdir(parents=True, exist_ok=True)  # mkdocs refuses a docs_dir that does not exist
    overrides: dict[str, Any] = {"docs_dir": str(paths.docs_tree)}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    with _quiet_mkdocs():
        config = load_config(config_file=str(paths.mkdocs_config), strict=strict, **overrides)
    extra = config.get("extra")
    if extra is not None and extra.get("version"):
        extra["version"] = None  # mkdocs' `extra` is a LegacyConfig: mutable, dict-like
    listed = config.plugins.get(OFFLINE_PLUGIN)
    if offline or (listed is not None and listed.config.enabled):
        _go_offline(config)
    else:
        from ..search_hook import leave_search_to_pagefind

        leave_search_to_pagefind(config)  # Pagefind searches a served site: material's index would go unread
    return config


def _go_offline(config: MkDocsConfig) -> None:
    """Set a loaded configuration up for `file://`, as if mkdocs.yml listed `offline` (mkdocs runs
    plugins' `on_config` when it builds, after this)."""
    from material.plugins.offline.plugin import OfflinePlugin

    config["use_directory_urls"] = False
    extra = config["extra"]
    polyfills = list(extra.get("polyfills") or [])
    if WORKER_SHIM not in polyfills:
        polyfills.append(WORKER_SHIM)  # the plugin adds unpkg's copy only if no iframe-worker is listed
    extra["polyfills"] = polyfills
    if OFFLINE_PLUGIN not in config.plugins:
        plugin = OfflinePlugin()
        errors, _warnings = plugin.load_config({})
        if errors:
            raise RuntimeError(f"material's offline plugin refused its configuration: {errors}")
        config.plugins[OFFLINE_PLUGIN] = plugin


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"mkdocs: {record.levelname}: {record.getMessage()}")


@contextlib.contextmanager
def _quiet_mkdocs() -> Iterator[_Collect]:
    """Collect mkdocs' warnings as values instead of letting it print."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate


Keep = Callable[[DrawnSite], None]
"""Takes what a build drew of the site (`mkdocs_drawn`), for a renderer that keeps it."""


def run_mkdocs(paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False,
               keep: Keep | None = None) -> tuple[bool, list[str]]:
    """Build the docs tree into `site_dir` with mkdocs-material; (succeeded, warnings). `keep`:
    given what the build drew once it has written the site, when the site can be updated page by
    page. A large site is rendered in halves, on both cores (`mkdocs_halves`)."""
    helper: Helper | None = None
    with _quiet_mkdocs() as collected:
        try:
            config = load_site_config(paths, site_dir, strict, offline)
            in_halves = renders_in_halves(paths, config)  # asked before the keeper joins the plugins
            if keep is not None:
                _add_keeper(paths, config, site_dir, strict, keep)
            helper = start_helper(paths.root, site_dir, strict) if in_halves else None
            if helper is None:
                _build(config, dirty=False)
            else:
                halves = Halves(in_helper=False)
                config.plugins[HALVES_PLUGIN] = halves.plugin()
                _build(config, dirty=True)
                if not _joined(halves, helper.answer(), config, strict, collected.messages):
                    return False, collected.messages
        except (Exception, SystemExit) as error:  # noqa: BLE001 - mkdocs raises Abort, ConfigurationError, plugin errors
            collected.messages.append(f"mkdocs: ERROR: {error}")
            return False, collected.messages
        finally:
            if helper is not None:
                helper.stop()
    return True, collected.messages


def _joined(halves: Halves, answer: HelperAnswer, config: MkDocsConfig, strict: bool, messages: list[str]) -> bool:
    """This process's half and the helper's `answer` as one build: its messages (those both
    printed, once), then the links to anchors across the halves checked; whether it succeeded.
    Raises mkdocs' Abort when those links warn under --strict, as its own build does."""
    told = set(messages)
    messages.extend(message for message in answer.messages if message not in told)
    if not answer.succeeded:
        return False
    before = len(messages)
    halves.check_across(answer, config.validation.links.anchors)  # mkdocs' check logs into `messages` (`_quiet_mkdocs`)
    if strict and len(messages) > before:
        from mkdocs.exceptions import Abort

        raise Abort(f"Aborted with {len(messages) - before} warnings in strict mode!")
    return True


def _build(config: MkDocsConfig, dirty: bool) -> None:
    """mkdocs' build of `config`, whole or dirty (for an update, or for half of the pages,
    `mkdocs_halves`: its plugins say which pages it renders again). A dirty build's warning that
    the nav may be stale is left out: the site's key holds the nav (`_DirtyWarning`)."""
    from mkdocs.commands.build import build

    quiet = _DirtyWarning()
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(quiet)
    try:
        config.plugins.on_startup(command="build", dirty=dirty)
        try:
            build(config, dirty=dirty)
        finally:
            config.plugins.on_shutdown()
    finally:
        build_log.removeFilter(quiet)


def renders_in_halves(paths: ProjectPaths, config: MkDocsConfig) -> bool:
    """Whether a whole build of `config` renders its pages in two processes (`mkdocs_halves`):
    with a second core, from `HALVES_FROM` docs pages, where the site could be updated page by
    page (`_updatable`, no `extra_templates`)."""
    if cores() < 2 or not _updatable(config) or not keeps_drawing(config):
        return False
    pages = 0
    for _folder, _dirs, names in os.walk(paths.docs_tree):
        pages += sum(name.endswith(".md") for name in names)
        if pages >= HALVES_FROM:
            return True
    return False


def render_helper_half(request_in: BinaryIO, answer_out: BinaryIO) -> None:
    """The helper of a build in halves (`mkdocs_halves.start_helper`): renders its half of the
    pages and answers what `Halves.check_across` needs, as JSON."""
    request = json.loads(request_in.read())
    paths, site_dir, strict = ProjectPaths(Path(request["root"])), Path(request["site_dir"]), bool(request["strict"])
    halves = Halves(in_helper=True)
    succeeded = True
    with _quiet_mkdocs() as collected, contextlib.redirect_stdout(sys.stderr):  # stdout carries the answer alone
        try:
            config = load_site_config(paths, site_dir, strict)
            config.plugins[HALVES_PLUGIN] = halves.plugin()
            _build(config, dirty=True)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - as run_mkdocs
            collected.messages.append(f"mkdocs: ERROR: {error}")
            succeeded = False
    answer_out.write(halves.helper_answer(succeeded, collected.messages).to_json())


# ----------------------------------------------------------------------- incremental builds


def _add_keeper(paths: ProjectPaths, config: MkDocsConfig, site_dir: Path, strict: bool, keep: Keep) -> None:
    """List `DrawnSite.keeper` in `config` when what the build draws can update the site later.
    A key that cannot be taken now keeps nothing (the next update draws the site again); the
    build itself goes on."""
    if not keeps_drawing(config):
        return
    try:
        inputs = _key_inputs(paths, config.theme.custom_dir, strict)
    except Exception:  # noqa: BLE001 - an unreadable override or mkdocs.yml: the update that needs it reports it
        return
    key_of_nav = _key_of_nav(paths, config, strict, inputs)
    if key_of_nav is not None:
        config.plugins[KEEPER_PLUGIN] = DrawnSite.keeper(site_dir, inputs, key_of_nav, keep)


def _updatable(config: MkDocsConfig) -> bool:
    """Whether each page of a site built with `config` is made from its own docs file and the
    nav alone: not for file:// (material's search index spans every page), not under plugins or
    hooks that may make one page from others (`_page_spanning_plugins`)."""
    return config.plugins.get(OFFLINE_PLUGIN) is None and not _page_spanning_plugins(config)


def _page_spanning_plugins(config: MkDocsConfig) -> list[str]:
    """Plugins and hooks that may make one page from others (an index of tags, a blog archive, a
    search index): a site cannot be updated page by page under them. material's search counts
    only while it builds an index (`build --offline`)."""
    return [name for name, plugin in config.plugins.items()
            if not (name == SEARCH_PLUGIN and (isinstance(plugin, PagefindSearchBox) or not plugin.config.enabled))]


def _nav_signature(nav: Navigation, config: MkDocsConfig) -> list[Any]:
    """The nav as every page draws it: sections, links, and pages by title, address and front
    matter (material shows a page's `icon`, `status` and `subtitle` in the nav). A page titled by
    its own text (no title in mkdocs.yml) counts with its docs file's bytes."""
    from mkdocs.structure.nav import Section
    from mkdocs.structure.pages import Page

    def item(entry: Any) -> Any:
        if isinstance(entry, Section):
            return ["section", entry.title, [item(child) for child in entry.children]]
        if isinstance(entry, Page):
            own_title = None
            if entry.title is None:
                own_title = hashlib.sha256(Path(entry.file.abs_src_path or "").read_bytes()).hexdigest()
            return ["page", entry.title, entry.file.src_uri, entry.url, own_title, front_matter(entry.file)]
        return ["link", entry.title, entry.url]

    return [item(entry) for entry in nav.items]


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def mkdocs_incremental_key(paths: ProjectPaths, strict: bool, offline: bool = False) -> str | None:
    """See `Renderer.incremental_key`: mkdocs.yml as read (with its `!ENV` values), the theme's
    overrides and the renderer's versions, the nav, the build date (in every page's footer and
    the sitemap), --strict, and the generator's code. None for a site for `file://` (material's
    search index spans every page) and under plugins or hooks that may (`_page_spanning_plugins`)."""
    if offline:
        return None
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    with _quiet_mkdocs():
        try:
            config = load_site_config(paths, strict=strict)
            key_of_nav = _key_of_nav(paths, config, strict)
            return None if key_of_nav is None else key_of_nav(get_navigation(get_files(config), config))
        except (Exception, SystemExit):  # noqa: BLE001 - the build that follows reports an unreadable config
            return None


def _key_inputs(paths: ProjectPaths, custom_dir: str | None, strict: bool) -> dict[str, Any]:
    """What a site's key holds besides its nav (`mkdocs_incremental_key`)."""
    from mkdocs.utils import get_build_date
    from mkdocs.utils.yaml import yaml_load

    with open(paths.mkdocs_config, "rb") as handle:
        written = yaml_load(handle)
    return {
        "config": written, "overrides": folder_digest(Path(custom_dir)) if custom_dir else None,
        "versions": {package: _installed(package) for package in RENDERER_PACKAGES},
        "build date": get_build_date(), "strict": strict, "generator": code_fingerprint().hex(),
    }


def _key_of_nav(paths: ProjectPaths, config: MkDocsConfig, strict: bool,
                inputs: dict[str, Any] | None = None) -> Callable[[Navigation], str] | None:
    """The key of a site built with `config`, given its nav (`mkdocs_incremental_key`); None
    when the configuration cannot be updated page by page. `inputs`: `_key_inputs`, if taken."""
    if not _updatable(config):
        return None
    inputs = inputs if inputs is not None else _key_inputs(paths, config.theme.custom_dir, strict)

    def key(nav: Navigation) -> str:
        with_nav = {**inputs, "nav": _nav_signature(nav, config)}
        return hashlib.sha256(json.dumps(with_nav, sort_keys=True, default=repr).encode()).hexdigest()

    return key


class _DirtyWarning(logging.Filter):
    """mkdocs warns on every `build(dirty=True)` that the nav may be stale; an update rules that
    out (the key holds the nav), and each half of a build in halves draws the whole nav, so the
    warning must not fail --strict."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _update_plugin(changed: Collection[str], key: str, key_of_nav: Callable[[Navigation], str]) -> Any:
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import File

    class PageUpdate(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Once mkdocs has drawn the nav, checks the site's key against the one it was built
        with (StructureChanged, before anything is touched). mkdocs then renders or copies the
        docs files in `changed` and the pages titled by their own text, and no other
        (`render_only`: not by the outputs' times, which every docs file the generator wrote
        again would beat). Their outputs are cleared first in the linked copy being updated, with
        what mkdocs writes on every build (`_always_written`), so that it writes new files instead
        of into links to the previous site; a file gone takes the folders it leaves empty with it.
        Nothing else of the copy is touched: what no docs file makes (the search index) stays, and
        so does the sitemap while no page came or went.
        Every nav page is given its front matter, which every page's nav shows, whether or not
        mkdocs reads the page again."""

        def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
            if key_of_nav(nav) != key:
                raise StructureChanged("the site's nav, configuration, theme or build date changed")
            site = Path(config.site_dir)
            same_pages = True
            for src_uri in sorted(changed):
                present = files.get_file_from_path(src_uri)
                file = present or File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls)
                if file.is_documentation_page() and (present is None or not os.path.exists(file.abs_dest_path)):
                    same_pages = False  # a page came or went
                remove_output(file.abs_dest_path)
                if present is None:
                    _remove_empty_parents(Path(file.abs_dest_path).parent, site)
            if same_pages:  # the sitemap lists the pages, by their addresses and the build date (both in the key): it stands
                config.theme.static_templates.discard("sitemap.xml")
            read_again = set(changed)
            for page in nav.pages:
                if page.title is None:  # titled by its own text, which every page's nav shows: read it again
                    remove_output(page.file.abs_dest_path)
                    read_again.add(page.file.src_uri)
                page.meta = front_matter(page.file)  # shown in every page's nav, also by a page mkdocs does not read again
            render_only(files, read_again.__contains__)
            for output in _always_written(config, files):
                remove_output(output)
            return nav

    plugin = PageUpdate()
    plugin.load_config({})
    return plugin


def _always_written(config: MkDocsConfig, files: Files) -> list[str]:
    """What mkdocs writes on every build, dirty or not: the theme's static templates (the
    sitemap, with its gzipped copy, and the 404 page) and the docs files rendered as templates."""
    outputs = [os.path.join(config.site_dir, template) for template in config.theme.static_templates]
    if "sitemap.xml" in config.theme.static_templates:
        outputs.append(os.path.join(config.site_dir, "sitemap.xml.gz"))
    for template in config.extra_templates:
        file = files.get_file_from_path(template)
        if file is not None:
            outputs.append(file.abs_dest_path)
    return outputs


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Folders a removed output left empty, from `folder` up to (not including) `root`."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone with its parent's other files): stop here
            return
        folder = folder.parent


SAVE_SETTLED_SECONDS = 0.02
"""How long the preview's server waits after the last file event before it rebuilds (mkdocs
waits 0.1 s): an editor's save is a burst of events a few milliseconds apart, and a later event
only means one more rebuild. Every save waits this long before it shows."""

UPDATE_PLUGIN = "thesis-site/update"
HALVES_PLUGIN = "thesis-site/halves"
KEEPER_PLUGIN = "thesis-site/keep-drawn"


def update_with_mkdocs(paths: ProjectPaths, site_dir: Path, changed: Collection[str], strict: bool,
                       key: str, keep: Keep | None = None) -> tuple[bool, list[str]]:
    """See `Renderer.update`: mkdocs' own dirty build, rendering the docs files `PageUpdate`
    names after it has checked the key and cleared what must be made again. `keep`: as `run_mkdocs`'s."""
    with _quiet_mkdocs() as collected:
        try:
            config = load_site_config(paths, site_dir, strict)
            inputs = _key_inputs(paths, config.theme.custom_dir, strict)
            key_of_nav = _key_of_nav(paths, config, strict, inputs)
            if key_of_nav is None:
                raise StructureChanged("mkdocs.yml now makes a site for file:// or lists plugins that span pages")
            config.plugins[UPDATE_PLUGIN] = _update_plugin(frozenset(changed), key, key_of_nav)
            if keep is not None and keeps_drawing(config):
                config.plugins[KEEPER_PLUGIN] = DrawnSite.keeper(site_dir, inputs, key_of_nav, keep)
            _build(config, dirty=True)
        except StructureChanged:
            raise
        except (Exception, SystemExit) as error:  # noqa: BLE001 - as run_mkdocs
            collected.messages.append(f"mkdocs: ERROR: {error}")
            return False, collected.messages
    return True, collected.messages


def _changes_observer() -> Any:
    """A watchdog observer of the system's file events that reports changes only: a rebuild reads
    the files it watches, and reading (open, close without writing) must not start another."""
    from watchdog.events import (FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                                 FileMovedEvent, FileSystemEvent)
    from watchdog.observers import Observer

    changes: list[type[FileSystemEvent]] = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
                                            FileClosedEvent]

    class ChangesObserver(Observer):  # type: ignore[misc,valid-type]
        def schedule(self, event_handler: Any, path: Any, *, recursive: bool = False,
                     event_filter: list[type[FileSystemEvent]] | None = None, follow_symlink: bool = False) -> Any:
            return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or changes,
                                    follow_symlink=follow_symlink)

    return ChangesObserver()


def serve_with_live_reload(paths: ProjectPaths, dev_addr: str, site_dir: Path, rebuild: Callable[[], None],
                           watched: Sequence[Path]) -> None:
    """See `Renderer.serve_folder`: mkdocs' live-reload server (it injects its reload script into
    every page and holds requests while a rebuild runs), watching with the system's file events
    instead of its default polling, which keeps a core busy over a large tree."""
    from urllib.parse import urlsplit

    from mkdocs.livereload import LiveReloadServer

    host, _, port = dev_addr.rpartition(":")
    with _quiet_mkdocs():
        mount_path = urlsplit(load_site_config(paths).site_url or "/").path
    server = LiveReloadServer(builder=rebuild, host=host.strip("[]") or "127.0.0.1", port=int(port),
                              root=str(site_dir), mount_path=mount_path)
    server.observer = _changes_observer()  # any watchdog observer; mkdocs' annotation names its default
    server.build_delay = SAVE_SETTLED_SECONDS
    livereload_log = logging.getLogger("mkdocs.livereload")
    if not livereload_log.handlers:  # "Serving on …", "Reloading browsers"
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        livereload_log.addHandler(handler)
        livereload_log.setLevel(logging.INFO)

    def error_page(code: int) -> bytes | None:
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    for path in watched:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def update_from_drawn(drawn: DrawnSite, paths: ProjectPaths, site_dir: Path, changed: Collection[str], strict: bool,
                      key: str) -> tuple[bool, list[str]] | None:
    """See `Renderer.update`: the pages in `changed` rendered with what the last build or update
    of `site_dir` drew (`mkdocs_drawn`); None when that drawing cannot make this update. Under
    --strict, mkdocs' own build counts the warnings."""
    with _quiet_mkdocs() as collected:
        try:
            inputs = _key_inputs(paths, drawn.config.theme.custom_dir, strict)
        except (Exception, SystemExit):  # noqa: BLE001 - mkdocs.yml unreadable now: the dirty build reports it
            return None
        if strict or not drawn.can_update(site_dir, key, inputs, changed):
            return None
        try:
            update_drawn(drawn, changed)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - as run_mkdocs
            collected.messages.append(f"mkdocs: ERROR: {error}")
            return False, collected.messages
    return True, collected.messages


class MkDocsRenderer:
    name = "mkdocs"
    supports_offline = True

    def __init__(self, keeps_drawing: bool = False) -> None:
        self._keep: Keep | None = self._kept if keeps_drawing else None
        self._drawn: DrawnSite | None = None
        """What the last build or update drew, while the next may start from it (`kept_warm`)."""

    def _kept(self, drawn: DrawnSite) -> None:
        self._drawn = drawn

    def kept_warm(self) -> MkDocsRenderer:
        return MkDocsRenderer(keeps_drawing=True)

    def build(self, paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
        self._drawn = None
        return run_mkdocs(paths, site_dir, strict, offline, self._keep)

    def incremental_key(self, paths: ProjectPaths, strict: bool, offline: bool = False) -> str | None:
        return mkdocs_incremental_key(paths, strict, offline)

    def update(self, paths: ProjectPaths, site_dir: Path, changed: Collection[str], strict: bool,
               key: str) -> tuple[bool, list[str]]:
        drawn, self._drawn = self._drawn, None
        if drawn is not None:
            updated = update_from_drawn(drawn, paths, site_dir, changed, strict, key)
            if updated is not None:
                self._drawn = drawn if updated[0] else None
                return updated
        return update_with_mkdocs(paths, site_dir, changed, strict, key, self._keep)

    def serve_folder(self, paths: ProjectPaths, dev_addr: str, site_dir: Path, rebuild: Callable[[], None],
                     watched: Sequence[Path]) -> None:
        serve_with_live_reload(paths, dev_addr, site_dir, rebuild, watched)

    def serve(self, paths: ProjectPaths, dev_addr: str) -> None:
        """mkdocs' own live-reload server on the docs tree (it injects its reload script)."""
        from mkdocs.commands.serve import serve

        logger = logging.getLogger("mkdocs")
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
        paths.docs_tree.mkdir(parents=True, exist_ok=True)
        from ..search import hooks_with_search

        # Pagefind indexes each rebuild (the hook), so the preview's search box answers too.
        serve(config_file=str(paths.mkdocs_config), livereload=True, watch_theme=True,
              docs_dir=str(paths.docs_tree), dev_addr=dev_addr, hooks=hooks_with_search(paths))
