"""Progress display for long builds: a rich progress bar on stderr, only when it helps.

Stages report `(stage, done, total)` through a callback; this module turns the calls into a
bar when stderr is a terminal or the build is large, and into nothing otherwise.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

Progress = Callable[[str, int, int], None]
"""(stage, done, total): called while pages are generated and rendered."""

LARGE_BUILD = 2000
"""Pages beyond which progress is shown even when stderr is not a terminal."""


@contextlib.contextmanager
def progress_reporter() -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TaskID, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              console=console, transient=False)
    tasks: dict[str, TaskID] = {}
    started = False

    def report(stage: str, done: int, total: int) -> None:
        nonlocal started
        if not started:
            if not (console.is_terminal or total >= LARGE_BUILD):
                return
            bar.start()
            started = True
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    try:
        yield report
    finally:
        if started:
            bar.stop()
