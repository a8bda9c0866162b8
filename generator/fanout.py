"""Fan-out: the generator's units of work (a chunk of pages, the JSON export, the feeds) run on
every core, each process writing the files it produces; or are held in a forked process to run
later, beside other work (`HeldUnits`: the build makes the export and feeds while mkdocs runs).

Why fork: the workers inherit the sealed publication, the compiled templates and the writer's
view of the docs tree as they are in memory; nothing is pickled but the list of paths each
worker wrote. (Shipping models between processes by pickling was measured slower than one
process for `check`, see bench/README.md.) Work is handed out one unit at a time from a
shared counter, so a worker that draws the export does not hold the pages up.

Forking is used only where it is safe: a platform with `os.fork` and a process with a single
thread (the live preview regenerates from watcher threads, so it runs the units in-process).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol, Sequence

from .write import TreeWriter

MAX_JOBS = 4
"""Each worker touches a share of the publication's memory copy-on-write; more than a few buys little."""


@dataclass(frozen=True)
class Unit:
    """Work that produces files: `pages` counts the pages among them, for progress."""

    pages: int
    produce: Callable[[], Iterable[tuple[str, bytes]]]


@dataclass(frozen=True)
class _Failure:
    traceback: str


class Writer(Protocol):
    def put(self, relpath: str, data: bytes) -> None: ...

    def finish(self) -> object: ...

    def abandon(self) -> None: ...


def available_jobs() -> int:
    """How many processes the generator may use here: one per core, none forked from a threaded process."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_JOBS))


def run_units(units: Sequence[Unit], writer: TreeWriter, jobs: int,
              on_progress: Callable[[int], None] | None = None) -> None:
    """Produce every unit's files into `writer`, in `jobs` processes; `on_progress(pages done)`."""
    if jobs <= 1 or len(units) < 2:
        done = 0
        for unit in units:
            for relpath, data in unit.produce():
                writer.put(relpath, data)
            done += unit.pages
            if on_progress is not None:
                on_progress(done)
        return
    if not writer.is_fresh():
        raise ValueError("a writer handed to forked workers must not have written anything yet")
    context = multiprocessing.get_context("fork")
    next_unit = context.Value("q", 0)
    pages_done = context.Value("q", 0)
    workers = []
    try:
        for _ in range(jobs - 1):
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(units, writer, next_unit, pages_done, sending),
                                      name="thesis-site-pages", daemon=True)
            process.start()
            sending.close()
            workers.append((process, receiving))
        _take_units(units, writer, next_unit, pages_done, on_progress)
        for process, receiving in workers:
            try:
                outcome = receiving.recv()
            except EOFError:
                process.join()
                raise RuntimeError(f"a page worker stopped (exit code {process.exitcode})") from None
            if isinstance(outcome, _Failure):
                raise RuntimeError(f"a page worker failed:\n{outcome.traceback}")
            writer.absorb(outcome)
            process.join()
    finally:  # after a failure, stop the workers before closing the pipes they may still write to
        for process, receiving in workers:
            if process.is_alive():
                process.terminate()
                process.join()
            receiving.close()


def _take_units(units: Sequence[Unit], writer: TreeWriter, next_unit, pages_done,
                on_progress: Callable[[int], None] | None) -> None:
    while True:
        with next_unit.get_lock():
            index = next_unit.value
            next_unit.value = index + 1
        if index >= len(units):
            return
        unit = units[index]
        for relpath, data in unit.produce():
            writer.put(relpath, data)
        with pages_done.get_lock():
            pages_done.value += unit.pages
            done = pages_done.value
        if on_progress is not None:
            on_progress(done)


def _worker(units: Sequence[Unit], writer: TreeWriter, next_unit, pages_done, sending) -> None:
    """A forked worker: take units until none are left, then send back what it wrote."""
    try:
        _take_units(units, writer, next_unit, pages_done, None)
        sending.send(writer.outcome())
    except BaseException:
        sending.send(_Failure(traceback.format_exc()))
    finally:
        sending.close()


class HeldUnits:
    """Units set aside now and run later, while the caller does something else.

    With `fork`, a process is forked at once (while this one is single-threaded and holds the
    units' inputs) and waits; `release` lets it run, on a core the caller's next work leaves
    idle, and `collect` waits for it and raises what it met. Without, `release` runs the units
    here. Either way the files go to the writer `make_writer` makes when the units run, and
    `collect` returns what that writer's `finish` returned.
    """

    def __init__(self, units: Sequence[Unit], make_writer: Callable[[], Writer], fork: bool) -> None:
        self._units: Sequence[Unit] | None = units
        self._make_writer = make_writer
        self._process = None
        self._outcome: object = None
        if fork:
            self._fork(units)

    def _fork(self, units: Sequence[Unit]) -> None:
        context = multiprocessing.get_context("fork")
        waiting, go = context.Pipe(duplex=False)
        results, sending = context.Pipe(duplex=False)
        process = context.Process(target=_held_worker, args=(units, self._make_writer, waiting, sending, (go, results)),
                                  name="thesis-site-held", daemon=True)
        try:
            process.start()
        except OSError:  # no memory or no process left for a fork: the units run here instead
            for end in (waiting, go, results, sending):
                end.close()
            return
        waiting.close()
        sending.close()
        self._process, self._go, self._results = process, go, results
        self._units = None  # the process has them; this one lets them go

    def release(self) -> None:
        if self._process is not None:
            try:
                self._go.send(True)
            except OSError:  # it is gone already: collect says how it ended
                pass
            self._go.close()
            return
        assert self._units is not None, "released twice"
        units, self._units = self._units, None  # what they held (the publication) can go once made
        self._outcome = _produce_all(units, self._make_writer())

    def collect(self) -> object:
        if self._process is None:
            return self._outcome
        try:
            outcome = self._results.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"a held worker stopped (exit code {self._process.exitcode})") from None
        self._process.join()
        if isinstance(outcome, _Failure):
            raise RuntimeError(f"a held worker failed:\n{outcome.traceback}")
        return outcome

    def cancel(self) -> None:
        """Stop the process if it still runs (after a failure elsewhere); harmless once collected.

        One still waiting for `release` reads end of file and leaves by itself; one already
        working is terminated."""
        if self._process is None:
            return
        if not self._go.closed:
            self._go.close()
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._results.close()


def _produce_all(units: Sequence[Unit], writer: Writer) -> object:
    try:
        for unit in units:
            for relpath, data in unit.produce():
                writer.put(relpath, data)
    except BaseException:
        writer.abandon()
        raise
    return writer.finish()


def _held_worker(units: Sequence[Unit], make_writer: Callable[[], Writer], waiting, sending, parent_ends) -> None:
    """The held process: wait for `release` (end of file: cancelled), run the units, report.

    It first closes its copies of the parent's pipe ends: otherwise it would itself keep its
    `waiting` pipe open (and never read end of file) and its results pipe readable (and never
    learn that the parent is gone)."""
    for end in parent_ends:
        end.close()
    try:
        try:
            waiting.recv()
        except EOFError:
            return
        sending.send(_produce_all(units, make_writer()))
    except BaseException:
        try:
            sending.send(_Failure(traceback.format_exc()))
        except OSError:
            pass  # the parent is gone
    finally:
        sending.close()
