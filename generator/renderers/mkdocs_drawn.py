"""What a long-lived mkdocs renderer keeps of the site it last drew (`DrawnSite`), and the update
that renders only the docs files named (`update_drawn`).

mkdocs has no incremental build: even its dirty build lists every docs file, draws the whole nav
and writes the theme's own pages again before it renders one page: about two of a preview
save's eight seconds at 5,000 sources (bench/README.md, "Seventh round"). The preview builds and
updates one site for as long as it runs, so it keeps what mkdocs drew the last time (the
configuration, file list, nav and theme environment, captured by `DrawnSite.keeper`) and, while
nothing they depend on changed, renders the changed pages with them. This reaches into mkdocs'
private `_populate_page` and `_build_page`, the two steps its own build runs per page, so that a
page is made exactly as a whole build makes it.

What it may keep is decided here and nowhere else: no drawing under `extra_templates` (mkdocs
renders them from every page on every build, `keeps_drawing`); and an update from a drawing
(`DrawnSite.can_update`) needs the same site folder and key; mkdocs.yml as read, the theme's
overrides and the build date as they were; the docs files named all present before and still
there (none added, none gone); none of them a draft, nor a nav page titled by its own text or
whose front matter changed (every page's nav shows them). Anything else goes to mkdocs' dirty
build (`mkdocs.update_with_mkdocs`), which draws everything again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation


@dataclass(frozen=True)
class DrawnSite:
    """One whole build's or update's drawing of the site in `site_dir`, made with the key `key`
    from the key inputs `inputs` (`mkdocs._key_inputs`)."""

    site_dir: Path
    key: str
    inputs: dict[str, Any]
    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    own_titled: frozenset[str]
    """Docs files of nav pages titled by their own text: every page's nav shows what they say."""
    nav_pages: frozenset[str]
    """Docs files of the nav's pages, whose front matter (`page.meta`) every page's nav shows."""

    @staticmethod
    def keeper(site_dir: Path, inputs: dict[str, Any], key_of_nav: Callable[[Navigation], str],
               keep: Callable[[DrawnSite], None]) -> Any:
        """A plugin, listed last, that hands `keep` what the build it runs in drew, once the build
        has written every page. Its pages' Markdown and HTML are dropped (`_drop_text`): the
        drawing keeps titles, addresses and metadata, which other pages show, not every page's text."""
        from mkdocs.plugins import BasePlugin

        class KeepDrawn(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
            files: Files | None = None
            nav: Navigation | None = None
            key = ""
            own_titled: frozenset[str] = frozenset()
            env: jinja2.Environment | None = None

            def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
                self.files = files
                return files

            def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
                self.nav, self.key = nav, key_of_nav(nav)
                self.own_titled = frozenset(page.file.src_uri for page in nav.pages if page.title is None)
                return nav

            def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
                self.env = env
                return env

            def on_post_build(self, *, config: MkDocsConfig) -> None:
                assert self.files is not None and self.nav is not None and self.env is not None
                for file in self.files.documentation_pages():
                    _drop_text(file)
                nav_pages = frozenset(page.file.src_uri for page in self.nav.pages)
                keep(DrawnSite(site_dir, self.key, inputs, config, self.files, self.nav, self.env, self.own_titled,
                               nav_pages))

        plugin = KeepDrawn()
        plugin.load_config({})
        return plugin

    def can_update(self, site_dir: Path, key: str, inputs: dict[str, Any], changed: Collection[str]) -> bool:
        """Whether `update_drawn` makes what mkdocs' dirty build would (see the module's docstring)."""
        if site_dir != self.site_dir or key != self.key or inputs != self.inputs:
            return False
        for src_uri in changed:
            file = self.files.get_file_from_path(src_uri)
            if (file is None or file.abs_src_path is None or not os.path.isfile(file.abs_src_path)
                    or not file.inclusion.is_included()  # type: ignore[no-untyped-call]  # a draft mkdocs leaves out
                    or src_uri in self.own_titled):
                return False
            if src_uri in self.nav_pages and file.page is not None and front_matter(file) != file.page.meta:
                return False
        return True


def keeps_drawing(config: MkDocsConfig) -> bool:
    """Whether a drawing of a site built with `config` can update it: not under `extra_templates`."""
    return not config.extra_templates


def front_matter(file: File) -> dict[str, Any]:
    """A docs file's front matter as mkdocs reads it (`page.meta`)."""
    from mkdocs.utils.meta import get_data

    return get_data(file.content_string)[1]


def update_drawn(drawn: DrawnSite, changed: Collection[str]) -> None:
    """Render the docs files in `changed` into the drawn site, as its whole build would: copy the
    ones mkdocs copies, read, render and write the pages (`can_update` said it may). An output is
    removed before it is written, so nothing is written into a file another holds a link to.
    Raises what mkdocs raises; the caller then drops the drawing."""
    from mkdocs.commands.build import _build_page, _populate_page

    config, files = drawn.config, drawn.files
    wanted = [file for src_uri in sorted(changed) if (file := files.get_file_from_path(src_uri)) is not None]
    pages = [file for file in wanted if file.is_documentation_page()]
    for file in wanted:
        if not file.is_documentation_page():
            remove_output(file.abs_dest_path)
            file.copy_file()
    for file in pages:
        assert file.page is not None
        _populate_page(file.page, config, files)
    doc_files = files.documentation_pages()
    for file in pages:
        assert file.page is not None
        remove_output(file.abs_dest_path)
        _build_page(file.page, config, doc_files, drawn.nav, drawn.env)
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        _drop_text(file)


def _drop_text(file: File) -> None:
    """A page's text, kept out of the drawing. Its Markdown becomes empty, not None: mkdocs titles
    a page with no Markdown None, and a page titled by its own text is titled in every page's nav."""
    if file.page is not None:
        file.page.markdown = ""
        file.page.content = None


def render_only(files: Files, rendered: Callable[[str], bool]) -> None:
    """mkdocs' dirty build then reads, renders or copies exactly the docs files `rendered` names
    (by `src_uri`), whatever their outputs' times say: its `File.is_modified`, answered per file.
    A build that writes into a linked copy of a site clears the outputs of those files first, so
    mkdocs never writes into a file the previous site holds."""
    for file in files:
        file.is_modified = _rendered if rendered(file.src_uri) else _left  # type: ignore[method-assign]


def _rendered() -> bool:
    return True


def _left() -> bool:
    return False


def remove_output(path: str) -> None:
    """An output made again or gone; where a folder now stands in its path, it is gone already."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        os.unlink(os.path.normpath(path))
