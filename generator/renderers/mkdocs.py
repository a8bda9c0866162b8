"""The mkdocs-material renderer (the default): mkdocs is run in this process, its log collected as values."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..pages.urls import WORKER_SHIM
from ..settings import ProjectPaths

if TYPE_CHECKING:  # mkdocs is imported when a build needs it
    from mkdocs.config.defaults import MkDocsConfig

OFFLINE_PLUGIN = "material/offline"
"""mkdocs-material's plugin for a site opened from the file system (no directory URLs, the
search index inlined into a script)."""


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


def run_mkdocs(paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
    """Build the docs tree into `site_dir` with mkdocs-material; (succeeded, warnings)."""
    from mkdocs.commands.build import build

    with _quiet_mkdocs() as collected:
        try:
            config = load_site_config(paths, site_dir, strict, offline)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (Exception, SystemExit) as error:  # noqa: BLE001 - mkdocs raises Abort, ConfigurationError, plugin errors
            collected.messages.append(f"mkdocs: ERROR: {error}")
            return False, collected.messages
    return True, collected.messages


class MkDocsRenderer:
    name = "mkdocs"
    supports_offline = True

    def build(self, paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
        return run_mkdocs(paths, site_dir, strict, offline)

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
