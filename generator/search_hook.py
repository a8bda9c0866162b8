"""mkdocs hook for a build mkdocs runs itself (an edition, the mkdocs preview): Pagefind's index of
the built site (`search.index_search`) at the end of the build, and no material search index.

mike runs `mkdocs build` itself and commits the result, so the build's own search stage
(`build.build_site`) never sees an edition; `publish` names this file in the edition's
configuration (`hooks:`), and the preview in its `serve` call.

`leave_search_to_pagefind` is also what the mkdocs renderer does to a served build's
configuration (`renderers.mkdocs.load_site_config`)."""

from __future__ import annotations

from pathlib import Path

from material.plugins.search.config import SearchConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from generator.search import index_search

SEARCH_PLUGIN = "material/search"
OFFLINE_PLUGIN = "material/offline"


class PagefindSearchBox(BasePlugin[SearchConfig]):  # type: ignore[no-untyped-call]  # mkdocs leaves BasePlugin.__init_subclass__ untyped
    """Stands in for material's search plugin where Pagefind searches the site.

    material's header shows the search box (site_templates/overrides/partials/search.html,
    Pagefind's box on a served site) only while `material/search` is listed and enabled. The plugin
    itself would parse every page's HTML once more and write `search/search_index.json`, which no
    page of a served site reads: a fifth of mkdocs' time at 1,000 sources (bench/README.md,
    "Cheaper pages"). This one is listed and enabled, and listens to no event."""


def leave_search_to_pagefind(config: MkDocsConfig) -> None:
    """Swap material's search plugin for `PagefindSearchBox` in a loaded configuration.

    Left as it is: a site for file:// (material's offline plugin enabled), which keeps material's
    search, its index inlined into a script; a configuration without the plugin or with it
    switched off (no search box at all)."""
    search = config.plugins.get(SEARCH_PLUGIN)
    offline = config.plugins.get(OFFLINE_PLUGIN)
    if search is None or isinstance(search, PagefindSearchBox) or not search.config.enabled:
        return
    if offline is not None and offline.config.enabled:
        return
    box = PagefindSearchBox()
    errors, _warnings = box.load_config({})
    if errors:
        raise PluginError(f"the search box refused its configuration: {errors}")
    # The plugin's handlers are registered already (and may be running: this can be called from
    # on_config); each returns at once while its own configuration says disabled.
    search.config.enabled = False
    config.plugins[SEARCH_PLUGIN] = box


def on_config(config: MkDocsConfig, **kwargs: object) -> None:
    leave_search_to_pagefind(config)


def on_post_build(config: MkDocsConfig, **kwargs: object) -> None:
    failure, _state = index_search(Path(config["site_dir"]))
    if failure:
        raise PluginError(failure)
