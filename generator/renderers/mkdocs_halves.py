"""A whole mkdocs build on both cores: this process renders half of the pages and a helper
process the other half (`Halves`, `start_helper`; `mkdocs.run_mkdocs` runs it).

mkdocs renders one page after another in one thread: at 5,000 sources that is about half of a
clean build, and the second core idles through it (bench/README.md, "Fifteenth round"). Both
processes run mkdocs' own build over the whole docs tree (file list, nav, theme) in its dirty
mode, which reads and renders a page only when its `File.is_modified` says so; `Halves.split`
answers that for every file. The helper takes every other documentation page in mkdocs' order
and writes those pages, nothing else, into the same site folder; this process takes the other
pages and every other output (assets, the sitemap, the 404 page).

A page shows of the others only what the nav shows (their titles and front matter) and is checked
against them only by its links to their anchors. So, as in an update (`mkdocs._update_plugin`),
both processes give every nav page its front matter, and both read the nav pages titled by their
own text; links to anchors in a page the other process rendered are checked once both are done
(`Halves.check_across`), by mkdocs' own check at its configured level, and count under --strict.

A site is built in halves only where it could be updated page by page (`mkdocs.renders_in_halves`),
from `HALVES_FROM` pages on, with a second core.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..workers import worker_command
from .mkdocs_drawn import front_matter, render_only

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation

HALVES_FROM = 1000
"""Documentation pages from which a build renders in halves: the helper's start (an interpreter,
mkdocs, the file list and the nav: 2-4 s at 5,000 sources) costs more than it saves below."""

HELPER_MODULE = "generator.renderers.mkdocs"
HELPER_FUNCTION = "render_helper_half"


class HelperFailed(Exception):
    """The helper ended without an answer (it could not start its build, was killed, or crashed)."""


@dataclass(frozen=True)
class HelperAnswer:
    """What the helper reports of its half: mkdocs' messages, and what `Halves.check_across` needs."""

    succeeded: bool
    messages: list[str]
    anchors: dict[str, list[str]] = field(default_factory=dict)
    """Each page the helper rendered → the anchors it holds."""
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    """Each page the helper rendered → its links to anchors of pages only this process rendered:
    the page linked to → anchor → the link as written."""

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> HelperAnswer:
        return cls(**json.loads(data))


class Halves:
    """Which process renders which page of one build, and the check of links across the two."""

    def __init__(self, in_helper: bool) -> None:
        self.in_helper = in_helper
        self.files: Files | None = None
        self.helpers: frozenset[str] = frozenset()
        """Docs files the helper renders."""
        self.both: frozenset[str] = frozenset()
        """Docs files both processes read: nav pages titled by their own text."""

    def plugin(self) -> Any:
        """The mkdocs plugin that splits the build (`split`), once mkdocs has drawn the nav."""
        from mkdocs.plugins import BasePlugin

        halves = self

        class SplitPages(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
            def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
                halves.split(nav, config, files)
                return nav

        plugin = SplitPages()
        plugin.load_config({})
        return plugin

    def split(self, nav: Navigation, config: MkDocsConfig, files: Files) -> None:
        self.both = frozenset(page.file.src_uri for page in nav.pages if page.title is None)
        for page in nav.pages:
            page.meta = front_matter(page.file)  # shown in every page's nav, also by the process that does not render it
        pages = [file for file in files.documentation_pages() if file.src_uri not in self.both]
        self.helpers = frozenset(file.src_uri for file in pages[1::2])
        if self.in_helper:
            render_only(files, lambda src_uri: src_uri in self.helpers or src_uri in self.both)
            config.theme.static_templates.clear()  # the theme's own pages (sitemap, 404) are the other half's: files are listed
        else:
            render_only(files, lambda src_uri: src_uri not in self.helpers)
        self.files = files

    def helper_answer(self, succeeded: bool, messages: list[str]) -> HelperAnswer:
        """In the helper, after its build: the anchors of its pages and their links to the other half's."""
        if not succeeded or self.files is None:
            return HelperAnswer(succeeded, messages)
        anchors, links = {}, {}
        checked_there = self.helpers | self.both
        for file in self.files.documentation_pages():
            page = file.page
            if file.src_uri not in self.helpers or page is None:
                continue
            anchors[file.src_uri] = sorted(page.present_anchor_ids or ())
            across = {target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()
                      if target.page is not None and target.src_uri not in checked_there}
            if across:
                links[file.src_uri] = across
        return HelperAnswer(True, messages, anchors, links)

    def check_across(self, answer: HelperAnswer, log_level: int) -> None:
        """mkdocs' check of links to anchors (`Page.validate_anchor_links`) for the links each
        process could not check alone: from this process's pages to the helper's, and back."""
        files = self.files
        assert files is not None
        for src_uri, anchors in answer.anchors.items():
            file = files.get_file_from_path(src_uri)
            if file is not None and file.page is not None:
                file.page.present_anchor_ids = set(anchors)
        for file in files.documentation_pages():
            page = file.page
            if page is None or file.src_uri in self.both:  # read by both: each checked its links
                continue
            if file.src_uri in self.helpers:
                found = answer.links.get(file.src_uri, {})
                page.links_to_anchors = {target: links for uri, links in found.items()
                                         if (target := files.get_file_from_path(uri)) is not None}
            else:
                page.links_to_anchors = {target: links for target, links in (page.links_to_anchors or {}).items()
                                         if target.src_uri in self.helpers}
            page.validate_anchor_links(files=files, log_level=log_level)


class Helper:
    """The helper process of a build in halves, and the thread that talks to it (so that its
    output never fills a pipe while this process renders its own half)."""

    def __init__(self, process: subprocess.Popen[bytes], request: bytes) -> None:
        self._process = process
        self._output: list[tuple[bytes, bytes]] = []
        self._talking = threading.Thread(target=self._talk, args=(request,), name="mkdocs helper", daemon=True)
        self._talking.start()

    def _talk(self, request: bytes) -> None:
        try:
            self._output.append(self._process.communicate(request))
        except OSError:
            self._process.kill()
            self._process.wait()

    def answer(self) -> HelperAnswer:
        """The helper's answer, once it has rendered its half; HelperFailed when it gave none."""
        self._talking.join()
        out, err = self._output[0] if self._output else (b"", b"")
        try:
            if self._process.returncode == 0:
                return HelperAnswer.from_json(out)
        except (ValueError, TypeError):
            pass
        said = err.decode(errors="replace").strip().splitlines()[-3:]
        raise HelperFailed(f"the process rendering half of the pages ended with {self._process.returncode}"
                           + (f": {' / '.join(said)}" if said else ""))

    def stop(self) -> None:
        """Ended, whatever it was doing (this process's half failed, or it has answered)."""
        if self._process.poll() is None:
            self._process.kill()
        self._talking.join()


def start_helper(root: Path, site_dir: Path, strict: bool) -> Helper | None:
    """The helper, rendering its half of the docs tree of the project at `root` into `site_dir`
    (`mkdocs.render_helper_half`); None when no interpreter starts."""
    try:
        process = subprocess.Popen(worker_command(HELPER_MODULE, HELPER_FUNCTION), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except (OSError, ValueError, TypeError):  # no such interpreter, or none known (sys.executable empty)
        return None
    request = {"root": str(root), "site_dir": str(site_dir), "strict": strict}
    return Helper(process, json.dumps(request).encode())
