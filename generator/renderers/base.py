"""What every renderer is (`Renderer`) and the error it raises, below the implementations that
the package's `get_renderer` chooses from, so they need not import the package that imports them."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..settings import ProjectPaths


class RendererError(Exception):
    """The renderer asked for is unknown, not installed, or cannot do what was asked (a usage error)."""


class StructureChanged(Exception):
    """An update found that the site's key (`Renderer.incremental_key`) is no longer the one it
    was built with (a new nav, configuration, theme or build date): the site must be built whole.
    Raised before the update changed anything."""


class Renderer(Protocol):
    name: str
    supports_offline: bool
    """Whether it can build a site that works from `file://` (`build --offline`)."""

    def build(self, paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
        """Build the docs tree into `site_dir` (a new or empty folder); (succeeded, warnings and
        errors as printable lines). Never raises for a failed build; raises RendererError when
        asked for what it cannot make (`offline`: a site that works from `file://`)."""
        ...

    def incremental_key(self, paths: ProjectPaths, strict: bool, offline: bool = False) -> str | None:
        """A fingerprint of everything a site it builds depends on besides the docs files'
        contents: configuration, theme, templates, the nav, the build date, the generator's code.
        Two builds with one key render every unchanged docs file to the same bytes. None when it
        cannot update a site page by page (`incremental`)."""
        ...

    def kept_warm(self) -> Renderer:
        """This renderer for a long-lived caller that builds and updates one site over and over
        (`serve`): it may keep in memory what it drew of the site, so that an update renders
        the docs files named and nothing else. One that keeps nothing returns itself."""
        ...

    def update(self, paths: ProjectPaths, site_dir: Path, changed: Collection[str], strict: bool,
               key: str) -> tuple[bool, list[str]]:
        """Bring `site_dir`, a linked copy (`linked_copy.link_copy`) of a site built with the
        `incremental_key` `key`, up to date with the docs tree: render the docs files in `changed`
        (and any the renderer finds out of date, unless it drew the site itself, `kept_warm`),
        drop the outputs of files no longer there, and make again what spans pages (sitemap,
        404) where it may have changed; `changed` must name the files that are gone too, as the
        renderer looks for no others. The renderer checks `key` against the site
        it is about to make as it goes (its nav is the costly part of a key, and an update draws
        it anyway), and raises StructureChanged, having changed nothing, when they differ. Never
        writes into a file it did not create: files of `site_dir` may be links into the previous
        site, and never removes a file no docs file made (the search index another stage
        writes). Returns as `build` does."""
        ...

    def serve_folder(self, paths: ProjectPaths, dev_addr: str, site_dir: Path, rebuild: Callable[[], None],
                     watched: Sequence[Path]) -> None:
        """Serve `site_dir` at `dev_addr` (under the path of mkdocs.yml's `site_url`) with live
        reload: when a file under `watched` changes, call `rebuild`, then reload the browsers.
        Returns when the server stops. Only renderers with an `incremental_key` can."""
        ...

    def serve(self, paths: ProjectPaths, dev_addr: str) -> None:
        """Serve the docs tree at `dev_addr`, rebuilding and reloading the browser when it
        changes; returns when the server stops."""
        ...


@dataclass(frozen=True)
class Rendered:
    """What `update_or_build` did."""

    succeeded: bool
    messages: list[str]
    key: str | None
    """The site's key (`Renderer.incremental_key`): the recorded one after an update, the one
    taken before a whole build otherwise (so an edit made during the build changes the next key)."""
    updated: bool
    """Whether the site was updated page by page rather than built whole."""


def update_or_build(renderer: Renderer, paths: ProjectPaths, site_dir: Path, changed: Collection[str] | None,
                    key: str | None, strict: bool, offline: bool = False) -> Rendered:
    """Update `site_dir`, a site built with the key `key`, with the docs files in `changed`
    (added, rewritten or gone); or, when there is no key or no changes to go by or the renderer
    finds the key changed (`StructureChanged`), empty it and build it whole."""
    if key is not None and changed is not None:
        try:
            succeeded, messages = renderer.update(paths, site_dir, changed, strict, key)
            return Rendered(succeeded, messages, key, updated=True)
        except StructureChanged:
            pass
    _empty(site_dir)
    key = renderer.incremental_key(paths, strict, offline)
    succeeded, messages = renderer.build(paths, site_dir, strict, offline)
    return Rendered(succeeded, messages, key, updated=False)


def _empty(folder: Path) -> None:
    """`build` takes a new or empty folder. An entry gone meanwhile (the preview's search index
    being swapped in beside it) is no error."""
    for entry in os.scandir(folder) if folder.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)


def refuse_taken_address(dev_addr: str) -> None:
    """A serve whose port is taken fails before it builds anything, with one line (exit 2): Zensical
    itself would print "Address already in use" and exit 0, mkdocs' server would fail after the
    first build."""
    host, _, port = dev_addr.rpartition(":")
    try:
        with socket.create_server((host.strip("[]") or "127.0.0.1", int(port))):
            pass
    except ValueError as error:
        raise RendererError(f"--dev-addr {dev_addr!r} is not HOST:PORT") from error
    except OSError as error:
        raise RendererError(f"cannot serve at {dev_addr}: {error.strerror or error}") from error
