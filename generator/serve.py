"""Serve: a live preview that shows an edit by rendering only what it changed.

Each save of a content file, template or mkdocs.yml runs `Preview.show`: check → write the
docs tree's pages (pages whose inputs are unchanged are kept, `pages.inputs`) → the renderer
updates the served site with the docs files that changed (`Renderer.update`), or builds it whole
when its key changed (configuration, theme, nav, see `Renderer.incremental_key`) → the browser
reloads. The rest of the save follows in the background (`Preview._finish`): the files for
programs (export, feeds, share cards; no page shows what they hold) are written and copied into
the site, and the next save waits for them. Between saves the preview keeps in memory what the
next save would otherwise make again (`caches.project_caches(remember=True)`: checked files,
verified quotes, each thesis's links and proof, digests, listings' splits and what their rows measured,
feed items, exported entities, share cards), and the renderer keeps what it drew of the site
(`Renderer.kept_warm`), so that it renders the changed pages and nothing else. The search index
(Pagefind) then makes again the shards the changed pages are in, in the background, at low
priority, beside the site, and puts them in place under the lock a save holds: pages show at
once, and search answers for them moments later. The console prints the diagnostics that
appeared or went away since the previous save and one summary line, not every warning of the
corpus each time.

A renderer without an incremental key (Zensical; mkdocs under plugins that make pages from
others) keeps its own live-reload server over the docs tree, which this module regenerates.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType, MappingProxyType
from typing import Callable, Iterator, Mapping

from .build import write_docs_tree, write_pages_first
from .caches import project_caches
from .diagnostics import Diagnostic, format_diagnostics, summary_line
from .history import CommittedHistory, current_committed_history
from .models import Thesis
from .pages.urls import for_programs
from .renderers import Renderer, project_renderer, update_or_build
from .renderers.base import Rendered, refuse_taken_address
from .search import IndexState, index_search
from .settings import ProjectPaths
from .write import WriteReport

DEBOUNCE_SECONDS = 0.3
"""Editors write a file in several steps; wait for the burst to end before regenerating."""


def _identity(diagnostic: Diagnostic) -> tuple[str, str, str, str]:
    """A diagnostic apart from where it is: one whose line moved with an edit above it is not new."""
    return diagnostic.file, diagnostic.code, diagnostic.path, diagnostic.message


def diagnostics_change(before: list[Diagnostic] | None, after: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(new, fixed) between two runs; everything is new on the first run (`before` None)."""
    if before is None:
        return list(after), []
    old, current = {_identity(d) for d in before}, {_identity(d) for d in after}
    return [d for d in after if _identity(d) not in old], [d for d in before if _identity(d) not in current]


class _Regenerator:
    """Regenerates the docs tree on each save, for a renderer that serves it itself (Zensical)."""

    def __init__(self, paths: ProjectPaths, echo: Callable[[str], None]) -> None:
        self.paths = paths
        self.echo = echo
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._committed: CommittedHistory | None = None
        """git's part of the history, kept while HEAD stays: edits between commits do not change it."""
        self._checked_theses: Mapping[tuple[str, str], Thesis] = MappingProxyType({})
        """The last check's theses by git blob id: what history need not parse when HEAD moves."""
        self._diagnostics: list[Diagnostic] | None = None

    def regenerate(self) -> bool:
        with self._lock:
            self._committed = current_committed_history(self.paths.root, self._committed, self._checked_theses)
            result, written = write_docs_tree(self.paths, committed=self._committed)
            self._checked_theses = result.theses_by_blob
            self._diagnostics = report_diagnostics(self.echo, self._diagnostics, result.diagnostics, result.files)
        if written is None:
            self.echo("content has errors; the preview keeps the last good pages")
            return False
        if written.written or written.removed:
            self.echo(f"regenerated {len(written.written)} page(s), removed {len(written.removed)}")
        return True

    def schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(DEBOUNCE_SECONDS, self.regenerate)
        self._timer.daemon = True
        self._timer.start()


def report_diagnostics(echo: Callable[[str], None], before: list[Diagnostic] | None, after: list[Diagnostic],
                       files: int) -> list[Diagnostic]:
    """Print what changed in the diagnostics (all of them the first time) and the summary; returns `after`."""
    new, fixed = diagnostics_change(before, after)
    if new:
        echo(format_diagnostics(new, "text"))
    if fixed:
        echo("fixed: " + "; ".join(f"{d.file} {d.code}" for d in fixed))
    echo(summary_line(after, files) + (f" ({len(new)} new, {len(fixed)} fixed)" if before is not None else ""))
    return after


class _SearchIndex:
    """Pagefind over the served site, in the background after each rebuild: the shards whose
    pages the rebuild changed are made again beside the site (`search.index_search`) and put in
    place under the preview's lock, so a reader never meets half of one and a save that builds the
    site whole never empties it while they go in. A rebuild during a run asks for one more run after it."""

    def __init__(self, site: Path, echo: Callable[[str], None], placing: AbstractContextManager[object]) -> None:
        self.site = site
        self.echo = echo
        self._placing = placing
        """Held while new shards go into the site: the preview's lock, which a save that builds the site whole holds."""
        self._wanted = threading.Event()
        self._stopped = False
        self._running: list[subprocess.Popen[str]] = []
        """The Pagefind runs under way: stopped with the preview, not left to index a removed folder."""
        self._state: IndexState | None = None
        """What the index in the site was made from: the next run keeps the shards that stayed."""
        self._thread = threading.Thread(target=self._run, name="preview search index", daemon=True)
        self._thread.start()

    def refresh(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        """No run after this: the ones under way are killed and their result dropped (the preview is closing)."""
        self._stopped = True
        self._wanted.set()
        for process in list(self._running):
            self._kill_if_stopped(process)

    def _started(self, process: subprocess.Popen[str]) -> None:
        self._running.append(process)
        self._kill_if_stopped(process)  # the preview may have closed while it started

    def _kill_if_stopped(self, process: subprocess.Popen[str]) -> None:
        if self._stopped:
            with contextlib.suppress(OSError):
                process.kill()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopped:
                return
            try:
                failure, self._state = index_search(self.site, self._state, background=True, started=self._started,
                                                    scratch=self.site.parent, placing=self._placing)
            except OSError as error:  # the site changed under it (a whole rebuild, the preview closing)
                failure, self._state = f"{error}; made again after the next save", None
            finally:
                self._running.clear()
            if failure and not self._stopped:
                self.echo(f"search index: {failure}")


class Preview:
    """The served site and what the next rebuild compares against."""

    def __init__(self, paths: ProjectPaths, renderer: Renderer, echo: Callable[[str], None]) -> None:
        self.paths = paths
        self.renderer = renderer.kept_warm()
        self.echo = echo
        self.site = Path(tempfile.mkdtemp(prefix="thesis-site-preview-")) / "site"
        self.site.mkdir()
        self._key: str | None = None
        self._committed: CommittedHistory | None = None
        self._checked_theses: Mapping[tuple[str, str], Thesis] = MappingProxyType({})
        """The last check's theses by git blob id: what history need not parse when HEAD moves."""
        self._diagnostics: list[Diagnostic] | None = None
        self._caches = project_caches(paths, remember=True)
        """Checked files, share cards and the memo (`caches.Memo`) between saves: an edit makes
        again only what it changed."""
        self._saves = 0
        self._finishing: threading.Thread | None = None
        """The rest of the last save, under way (`show`)."""
        self._saving = threading.Lock()
        """Held by a save while it runs, and by `close`: the live server's build thread, which
        runs `show`, is not joined when the server stops."""
        self._closed = False
        self.search = _SearchIndex(self.site, echo, self._saving)

    def rebuild(self) -> None:
        """One save, whole: the pages shown, then the rest of it (`_finish`), in this thread."""
        with self._saving:
            if self._closed:
                return
            self._wait()
            self._update()()

    def show(self) -> None:
        """One save as the live server runs it: returns once the pages show it, so the browser
        reloads then; the rest of it (`_finish`: the files for programs, the memory's upkeep) runs
        in the background, and the next save waits for it."""
        with self._saving:
            if self._closed:
                return
            self._wait()
            finish = self._update()
            self._finishing = threading.Thread(target=self._in_background, args=(finish,), name="preview finish",
                                               daemon=True)
            self._finishing.start()

    def wait(self) -> None:
        """Until the last save is finished."""
        with self._saving:
            self._wait()

    def _wait(self) -> None:
        if self._finishing is not None:
            self._finishing.join()
            self._finishing = None

    def _in_background(self, finish: Callable[[], None]) -> None:
        try:
            finish()
        except Exception as error:  # noqa: BLE001 - reported; the next save builds the whole site (`_finish`)
            self.echo(f"the rest of the save failed: {error}; the next save builds the whole site")

    def _update(self) -> Callable[[], None]:
        """The pages of one save written and rendered; returns the rest of the save (`_finish`)."""
        started = time.monotonic()
        self._committed = current_committed_history(self.paths.root, self._committed, self._checked_theses)
        try:
            with _kept_uncollected():
                checked, written, rest = write_pages_first(self.paths, self._caches, self._committed)
            self._checked_theses = checked.theses_by_blob
            programs_now = written is not None and bool(written.added or written.removed)
            if programs_now:  # the renderer draws the site again: the files for programs that came or went go in the same drawing
                assert written is not None and rest is not None
                written = _together(written, rest())
        except BaseException:
            self._key = None  # the docs files written before the failure are named by no later save: build whole
            raise
        self._diagnostics = report_diagnostics(self.echo, self._diagnostics, checked.diagnostics, checked.files)
        del checked
        if written is None or rest is None:
            self.echo("content has errors; the preview keeps the last good pages")
            return functools.partial(self._settle, redrawn=False)
        changed = set(written.written) | set(written.removed)
        # With no docs file changed the update only checks the key: the configuration, theme or
        # day may have changed (a renderer that kept its drawing checks them without drawing the nav).
        rendered = self._render(changed, started)
        return functools.partial(self._finish, None if programs_now else rest, redrawn=_redrawn(rendered, written))

    def _render(self, changed: set[str], started: float) -> Rendered | None:
        """The renderer's update of the served site with the docs files in `changed`, reported,
        and the search index made again when pages changed; None when it failed: the site stays as
        it was and the next save builds it whole."""
        rendered = update_or_build(self.renderer, self.paths, self.site, changed, self._key, strict=False)
        self._key = rendered.key
        for message in rendered.messages:
            self.echo(message)
        if not rendered.succeeded:
            self._key = None
            self.echo(f"{self.renderer.name} failed; the preview keeps what it had")
            return None
        pages = {path for path in changed if not for_programs(path)}
        if pages or not rendered.updated:
            what = f"{len(pages)} page{'s' * (len(pages) != 1)} rendered again" if rendered.updated else "whole site built"
            self.echo(f"preview updated in {time.monotonic() - started:.1f} s: {what}")
            self.search.refresh()
        return rendered

    def _finish(self, write_rest: Callable[[], WriteReport] | None, redrawn: bool) -> None:
        """The rest of a save: the files for programs (export, feeds, share cards; None when they
        were written with the pages) written by `write_rest` and rendered (`urls.FOR_PROGRAMS`:
        no page shows what they hold), the caches settled; the memory's upkeep, whatever happened.
        After the renderer failed they are only written: the next save builds the whole site; so
        it does after this step failed."""
        try:
            if write_rest is not None:
                started = time.monotonic()
                written = write_rest()
                changed = set(written.written) | set(written.removed)
                if changed and self._key is not None:
                    redrawn = _redrawn(self._render(changed, started), written) or redrawn
            self._caches.settle()
        except BaseException:
            self._key = None
            raise
        finally:
            self._settle(redrawn)

    def _settle(self, redrawn: bool) -> None:
        self._saves += 1
        _settle_memory(whole=redrawn or self._saves % WHOLE_COLLECTION_EVERY == 0)

    def close(self) -> None:
        with self._saving:
            self._closed = True
            self._wait()
        gc.unfreeze()
        self.search.stop()
        shutil.rmtree(self.site.parent, ignore_errors=True)


def _redrawn(rendered: Rendered | None, written: WriteReport) -> bool:
    """Whether the renderer drew the site again (failed, built it whole, or docs files came or
    went): what it drew before, which is cyclic, is then collected (`_settle_memory`)."""
    return rendered is None or not rendered.updated or bool(written.added or written.removed)


def _together(pages: WriteReport, programs: WriteReport) -> WriteReport:
    """One report of two writes of the docs tree's two parts."""
    return WriteReport(tuple(sorted((*pages.written, *programs.written))), pages.unchanged + programs.unchanged,
                       tuple(sorted((*pages.removed, *programs.removed))), tuple(sorted((*pages.added, *programs.added))))


WHOLE_COLLECTION_EVERY = 10
"""Saves between two collections of everything the preview holds (`_settle_memory`)."""


def _settle_memory(whole: bool) -> None:
    """Collect what a save left behind, then freeze what stays out of later collections.

    The preview holds the checked corpus between saves (millions of objects at 5,000 sources),
    and each full collection a save triggers walked all of it: about 6 of 15-19 seconds per
    save at 5,000 sources (bench/README.md, "Sixth round"). After a save's garbage (the
    renderer's nav and pages are cyclic) is collected, the rest is frozen (`gc.freeze`): later
    collections walk only what later saves made. What stays frozen and is later dropped is freed
    by reference counting, unless it is part of a reference cycle (a template environment a
    template edit replaced): `whole`, every `WHOLE_COLLECTION_EVERY` saves, unfreezes first so
    that such cycles are collected too; so does a save after which the renderer drew the site
    again (what it drew before is cyclic)."""
    if whole:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def _kept_uncollected() -> Iterator[None]:
    """The check and the pages of a save, without automatic collections, and what they made then
    frozen (`gc.freeze`): it is what the next save starts from (the checked corpus, the plan),
    with next to no garbage among it (30 cyclic objects per save at 5,000 sources). Otherwise the
    first young collection after it, in the renderer, walks all of it: a tenth of a second the
    reader waits for (bench/README.md, "Seventeenth round"). The save's garbage is collected
    after it (`_settle_memory`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def serve_site(paths: ProjectPaths, dev_addr: str, echo: Callable[[str], None],
               renderer: Renderer | None = None) -> None:
    renderer = renderer or project_renderer(paths)
    if renderer.incremental_key(paths, strict=False) is None:
        _serve_docs_tree(paths, dev_addr, echo, renderer)
        return
    refuse_taken_address(dev_addr)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # the preview's folder is removed on the way out
    preview = Preview(paths, renderer, echo)
    try:
        preview.rebuild()
        renderer.serve_folder(paths, dev_addr, preview.site, preview.show,
                              (paths.content, paths.templates, paths.mkdocs_config))
    finally:
        preview.close()


def _serve_docs_tree(paths: ProjectPaths, dev_addr: str, echo: Callable[[str], None], renderer: Renderer) -> None:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    regenerator = _Regenerator(paths, echo)
    regenerator.regenerate()

    class _OnChange(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("created", "modified", "deleted", "moved") and not str(event.src_path).endswith("~"):
                regenerator.schedule()

    observer = Observer()
    for folder in (paths.content, paths.templates / "pages", paths.templates / "static"):
        if folder.is_dir():
            observer.schedule(_OnChange(), str(folder), recursive=True)
    observer.daemon = True
    observer.start()

    try:
        renderer.serve(paths, dev_addr)
    finally:
        observer.stop()
        observer.join(timeout=2)
