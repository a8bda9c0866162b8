"""Write: rendered pages → the docs tree on disk, touching only what changed.

Input: docs-tree relative path → bytes, handed over one file at a time. Output: the folder holds exactly those
files; unchanged files keep their mtime (so mkdocs' live reload rebuilds only for real
changes), stale files and emptied folders are removed.

Cheap by design (bench/site_bench.py): one scandir pass lists what is on disk with its size, so
a new file is written without probing it, a file whose size changed is replaced without reading
it, and only a file of the same size is read back to compare. Folders are created once each.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    pages: int = 0
    """How many of the files are pages; the generator fills it in (the writer sees only bytes)."""


def _write_atomically(path: str, data: bytes) -> None:
    """Replace an existing file in one rename, so a watcher never reads it half-written."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _scan(root: str, owns: Callable[[str], bool]) -> tuple[dict[str, int], set[str]]:
    """Relative path → size of every file (-1 for a symlink), and every folder, under `root`,
    leaving out the top-level entries the writer does not own."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    pending = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relpath = prefix + entry.name
                if not prefix and not owns(relpath):
                    continue
                if entry.is_symlink():
                    files[relpath] = -1
                elif entry.is_dir():
                    folders.add(relpath)
                    pending.append((relpath + "/", entry.path))
                else:
                    files[relpath] = entry.stat().st_size
    return files, folders


class TreeWriter:
    """Writes files into `root` one by one as they are produced; `finish` then removes every file
    that was not produced, and the folders that emptied.

    `put` hands the bytes to a writer thread, so the disk works while the caller renders the
    next page (writing is system calls, which release the GIL). A fresh writer (`is_fresh`)
    can be shared with forked workers: each process writes its own share, and each child's
    `outcome()` is absorbed by the parent before `finish`.

    Two writers can share a root by folder: one that `leave`s some top-level folders to another
    that writes `only` those. A writer neither writes nor removes anything outside its share.
    """

    def __init__(self, root: Path, leave: Iterable[str] = (), only: Iterable[str] | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.base = str(root)
        self._leave = frozenset(leave)
        self._only = None if only is None else frozenset(only)
        self._on_disk, self._folders = _scan(self.base, self.owns)
        self._written: list[str] = []
        self._unchanged = 0
        self._produced: set[str] = set()
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def owns(self, top_level: str) -> bool:
        """Whether the file or folder `top_level`, directly under the root, is this writer's to write and remove."""
        return top_level not in self._leave and (self._only is None or top_level in self._only)

    def is_fresh(self) -> bool:
        """Nothing produced yet and no writer thread: safe to share with forked workers."""
        return not self._produced and self._thread is None

    def put(self, relpath: str, data: bytes) -> None:
        if relpath in self._produced:
            raise ValueError(f"{relpath} is produced twice")
        if not self.owns(relpath.partition("/")[0]):
            raise ValueError(f"{relpath} is outside this writer's share of {self.base}")
        self._produced.add(relpath)
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(target=self._work, name="tree-writer", daemon=True)
            self._thread.start()
        self._queue.put((relpath, data))

    def _work(self) -> None:
        assert self._queue is not None
        while (item := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._store(*item)
                except BaseException as error:  # re-raised by drain() in the producing thread
                    self._failure = error

    def _store(self, relpath: str, data: bytes) -> None:
        target = os.path.join(self.base, relpath)
        size = self._on_disk.get(relpath)
        if size is None:  # new: no reader can be holding it, write it in place
            folder = relpath.rpartition("/")[0]
            if folder and folder not in self._folders:
                os.makedirs(os.path.join(self.base, folder), exist_ok=True)
                _add_folders(self._folders, relpath)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # less the umask, like open()
            try:
                _write_all(descriptor, data)
            finally:
                os.close(descriptor)
        else:
            if size == len(data):
                try:
                    with open(target, "rb") as handle:
                        if handle.read() == data:
                            self._unchanged += 1
                            return
                except OSError:
                    pass
            _write_atomically(target, data)
        self._written.append(relpath)

    def drain(self) -> None:
        """Wait until every file handed to `put` is on disk; raise what the writer thread met."""
        if self._thread is not None and self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue, self._thread = None, None
        if self._failure is not None:
            raise self._failure

    def abandon(self) -> None:
        """Stop the writer thread after a failed run, without raising (the run's error is the one to report)."""
        try:
            self.drain()
        except BaseException:
            pass

    def outcome(self) -> tuple[list[str], int, list[str]]:
        """(written, unchanged, produced) of this process, for the parent to `absorb`."""
        self.drain()
        return self._written, self._unchanged, sorted(self._produced)

    def absorb(self, outcome: tuple[list[str], int, list[str]]) -> None:
        written, unchanged, produced = outcome
        self._written.extend(written)
        self._unchanged += unchanged
        for relpath in produced:
            if relpath in self._produced:
                raise ValueError(f"{relpath} is produced twice")
            self._produced.add(relpath)

    def finish(self) -> WriteReport:
        """Remove what was not produced, then report."""
        self.drain()
        removed: list[str] = []
        for relpath in sorted(set(self._on_disk) - self._produced, reverse=True):
            os.unlink(os.path.join(self.base, relpath))
            removed.append(relpath)
        occupied: set[str] = set()
        for relpath in self._produced:
            _add_folders(occupied, relpath)
        for folder in sorted(self._folders - occupied, reverse=True):  # children sort after their parent
            try:
                os.rmdir(os.path.join(self.base, folder))
            except OSError:
                pass
        return WriteReport(tuple(sorted(self._written)), self._unchanged, tuple(sorted(removed)))


def _add_folders(folders: set[str], relpath: str) -> None:
    """Add the folders holding `relpath` to `folders`, stopping at the first one already there."""
    folder = relpath.rpartition("/")[0]
    while folder and folder not in folders:
        folders.add(folder)
        folder = folder.rpartition("/")[0]


def _write_all(descriptor: int, data: bytes) -> None:
    """os.write may take part of a large buffer; loop until all of it is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def write_tree(root: Path, files: Mapping[str, bytes]) -> WriteReport:
    """The folder holds exactly `files` afterwards (see TreeWriter)."""
    writer = TreeWriter(root)
    for relpath, data in files.items():
        writer.put(relpath, data)
    return writer.finish()


class TeeWriter:
    """Hands every file to each of several writers, for the same files in two places."""

    def __init__(self, *writers: TreeWriter) -> None:
        self.writers = writers

    def put(self, relpath: str, data: bytes) -> None:
        for writer in self.writers:
            writer.put(relpath, data)

    def finish(self) -> tuple[WriteReport, ...]:
        reports: list[WriteReport] = []
        try:
            for writer in self.writers:
                reports.append(writer.finish())
        except BaseException:
            for writer in self.writers[len(reports) + 1:]:
                writer.abandon()
            raise
        return tuple(reports)

    def abandon(self) -> None:
        for writer in self.writers:
            writer.abandon()
