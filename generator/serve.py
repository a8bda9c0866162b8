"""Serve: a live preview. Content or template edits regenerate the docs tree; the renderer's
own live-reload server (mkdocs' or `zensical serve`) watches that tree, rebuilds and reloads
the browser.

Only files whose text changed are rewritten (see `write`), so an edit to one thesis touches
the pages that show it, and mkdocs reloads once.
"""

from __future__ import annotations

import threading
from typing import Callable

from .build import write_docs_tree
from .diagnostics import format_diagnostics, summary_line
from .history import CommittedHistory, current_committed_history
from .renderers import Renderer, project_renderer
from .settings import ProjectPaths

DEBOUNCE_SECONDS = 0.3
"""Editors write a file in several steps; wait for the burst to end before regenerating."""


class _Regenerator:
    def __init__(self, paths: ProjectPaths, echo: Callable[[str], None]) -> None:
        self.paths = paths
        self.echo = echo
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._committed: CommittedHistory | None = None
        """git's part of the history, kept while HEAD stays: edits between commits do not change it."""

    def regenerate(self) -> bool:
        with self._lock:
            self._committed = current_committed_history(self.paths.root, self._committed)
            result, written = write_docs_tree(self.paths, committed=self._committed)
        output = format_diagnostics(result.diagnostics, "text")
        if output:
            self.echo(output)
        if written is None:
            self.echo(f"content has errors ({summary_line(result.diagnostics, result.files)}); the preview keeps the last good pages")
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


def serve_site(paths: ProjectPaths, dev_addr: str, echo: Callable[[str], None],
               renderer: Renderer | None = None) -> None:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    renderer = renderer or project_renderer(paths)
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
