"""What every renderer is (`Renderer`) and the error it raises, below the implementations that
the package's `get_renderer` chooses from, so they need not import the package that imports them."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..settings import ProjectPaths


class RendererError(Exception):
    """The renderer asked for is unknown, not installed, or cannot do what was asked (a usage error)."""


class Renderer(Protocol):
    name: str
    supports_offline: bool
    """Whether it can build a site that works from `file://` (`build --offline`)."""

    def build(self, paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
        """Build the docs tree into `site_dir` (a new or empty folder); (succeeded, warnings and
        errors as printable lines). Never raises for a failed build; raises RendererError when
        asked for what it cannot make (`offline`: a site that works from `file://`)."""
        ...

    def serve(self, paths: ProjectPaths, dev_addr: str) -> None:
        """Serve the docs tree at `dev_addr`, rebuilding and reloading the browser when it
        changes; returns when the server stops."""
        ...
