"""The renderer boundary: what turns the generated docs tree into a site.

The generator writes plain Markdown with raw HTML blocks (`build/docs/`); a renderer reads the
project's `mkdocs.yml`, builds that tree into a folder and serves it with live reload. Two
implementations: `mkdocs` (mkdocs-material, the default) and `zensical` (its successor from the
same team, which reads the same `mkdocs.yml`). Editions (mike) are mkdocs-only.

The renderer is chosen by `thesis-site build|serve --renderer NAME`, else by the project's
`mkdocs.yml` (`extra: thesis_site: renderer: zensical`), else it is `mkdocs`. `extra` is the one
place of mkdocs.yml both renderers accept free-form keys in (a top-level key would fail
mkdocs' --strict).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from ..settings import ProjectPaths
from .base import Rendered, Renderer, RendererError, StructureChanged, update_or_build

__all__ = ["DEFAULT_RENDERER", "EDITIONS_RENDERER", "RENDERERS", "Rendered", "Renderer", "RendererError",
           "StructureChanged", "configured_renderer_name", "get_renderer", "project_renderer", "update_or_build"]

RENDERERS = ("mkdocs", "zensical")
DEFAULT_RENDERER = "mkdocs"
EDITIONS_RENDERER = "mkdocs"
"""Editions are mike's, and mike builds with mkdocs only."""


def configured_renderer_name(paths: ProjectPaths) -> str:
    """`extra.thesis_site.renderer` of the project's mkdocs.yml (read as mkdocs reads it: `!ENV`,
    `INHERIT`), else the default. A config that cannot be read gives the default: the build
    reports that config itself."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(paths.mkdocs_config, "rb") as handle:
            config = yaml_load(handle)
    except Exception:  # noqa: BLE001 - reported by the stage that needs the whole config
        return DEFAULT_RENDERER
    extra = config.get("extra") if isinstance(config, Mapping) else None
    settings = extra.get("thesis_site") if isinstance(extra, Mapping) else None
    name = settings.get("renderer") if isinstance(settings, Mapping) else None
    if name is None:
        return DEFAULT_RENDERER
    if name not in RENDERERS:
        raise RendererError(f"mkdocs.yml: extra.thesis_site.renderer is {name!r}; known renderers: {', '.join(RENDERERS)}")
    return str(name)


def get_renderer(name: str) -> Renderer:
    """The renderer called `name`; RendererError when it is unknown or not installed."""
    if name == "mkdocs":
        from .mkdocs import MkDocsRenderer

        return MkDocsRenderer()
    if name == "zensical":
        if importlib.util.find_spec("zensical") is None:
            raise RendererError('the zensical renderer needs Zensical: pip install -e ".[zensical]"')
        from .zensical import ZensicalRenderer

        return ZensicalRenderer()
    raise RendererError(f"unknown renderer {name!r}; known renderers: {', '.join(RENDERERS)}")


def project_renderer(paths: ProjectPaths, name: str | None = None) -> Renderer:
    """The renderer named on the command line, else the one the project configures."""
    return get_renderer(name or configured_renderer_name(paths))
