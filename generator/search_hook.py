"""mkdocs hook: index the built site with Pagefind (`search.index_search`) at the end of the build.

For editions only: mike runs `mkdocs build` itself and commits the result, so the build's own
search stage (`build.build_site`) never sees an edition; `publish` names this file in the
edition's configuration (`hooks:`)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from generator.search import index_search


def on_post_build(config: MkDocsConfig, **kwargs: object) -> None:
    failure = index_search(Path(config["site_dir"]))
    if failure:
        raise PluginError(failure)
