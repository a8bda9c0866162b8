"""Write: files → a folder on disk (the docs tree), touching only what changed.

Input: relative path → bytes, as pairs (the renderer hands them over one at a time, so no more
than one page is held) or a mapping. Output: the folder holds exactly those files; unchanged
files keep their mtime (so mkdocs' live reload rebuilds only for real changes), stale files and
emptied folders are removed.

One scandir pass (`scan_tree`) lists what is on disk with its size first, so a new file is written without
probing it, a file whose size changed is replaced without reading it, and only a file of the
same size is read back to compare.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    added: tuple[str, ...] = ()
    """Of `written`, the files that were not there before."""


def write_tree(root: Path, files: Iterable[tuple[str, bytes | None]] | Mapping[str, bytes],
               owns: Callable[[str], bool] | None = None, scanned: TreeScan | None = None) -> WriteReport:
    """The folder `root` holds exactly `files` afterwards. A path given twice is an error (two
    pages decided on one URL). If writing fails, the files written so far stay and nothing is removed.
    A path given with None is kept as it is on disk (its caller knows it is current); it must be there.
    `owns`: the paths this write decides (default: all); the folder's other files are left as they
    are, and a file given outside them is an error. `scanned`: the folder as its caller scanned it
    just before (`scan_tree`), so that it is walked once."""
    pairs = files.items() if isinstance(files, Mapping) else files
    scan = scanned or scan_tree(root)
    root.mkdir(parents=True, exist_ok=True)
    base = str(root)
    folders = set(scan.folders)
    on_disk = {relpath: stamp[0] for relpath, stamp in scan.stamps.items() if owns is None or owns(relpath)}
    others = [relpath for relpath in scan.stamps if relpath not in on_disk]  # left as they are: their folders stay
    links = {relpath for relpath in scan.links if relpath in on_disk}
    for relpath in links:
        os.unlink(os.path.join(base, relpath))  # a link is never written through: what it points at is not ours
        del on_disk[relpath]
    produced: set[str] = set()
    written: list[str] = []
    added: list[str] = []
    unchanged = 0
    for relpath, data in pairs:
        if relpath in produced:
            raise ValueError(f"{relpath} is produced twice")
        if owns is not None and not owns(relpath):
            raise ValueError(f"{relpath} is not a file this write decides")
        produced.add(relpath)
        target = os.path.join(base, relpath)
        size = on_disk.get(relpath)
        if data is None:
            if size is None or size < 0:
                raise ValueError(f"{relpath} is to be kept but is not a file of {root}")
            unchanged += 1
            continue
        if size is None:  # new: no reader can be holding it, write it in place
            folder = relpath.rpartition("/")[0]
            if folder and folder not in folders:
                os.makedirs(os.path.join(base, folder), exist_ok=True)
                _add_folders(folders, relpath)
            with open(target, "wb") as handle:
                handle.write(data)
            added.append(relpath)
        elif size == len(data) and _holds(target, data):
            unchanged += 1
            continue
        else:
            _write_atomically(target, data)
        written.append(relpath)
    for relpath in set(on_disk) - produced:
        os.unlink(os.path.join(base, relpath))
    removed = (set(on_disk) | links) - produced
    occupied: set[str] = set()
    for relpath in (*produced, *others):
        _add_folders(occupied, relpath)
    for folder in sorted(folders - occupied, reverse=True):  # children sort after their parent
        try:
            os.rmdir(os.path.join(base, folder))
        except OSError:
            pass
    return WriteReport(tuple(sorted(written)), unchanged, tuple(sorted(removed)), tuple(sorted(added)))


@dataclass(frozen=True)
class TreeScan:
    """What a folder holds, from one walk: what `write_tree` compares against, and the stamps the
    docs tree's record keeps (`incremental.docs_state`)."""

    stamps: dict[str, tuple[int, int]]
    """Relative path → (size, mtime in ns) of every file, and of every link itself."""
    links: frozenset[str]
    """Symbolic links (to a file or a folder), which a write always replaces."""
    folders: frozenset[str]


def scan_tree(root: Path, only: Callable[[str], bool] | None = None) -> TreeScan:
    """Every file, link and folder under `root` (nothing when it is not there); `only`: under the
    top-level entries whose name it accepts (what one `write_tree` with `owns` decides)."""
    stamps: dict[str, tuple[int, int]] = {}
    links: set[str] = set()
    folders: set[str] = set()
    if not root.is_dir():
        return TreeScan(stamps, frozenset(), frozenset())
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if only is not None and not prefix and not only(entry.name):
                    continue
                relpath = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(relpath)
                    pending.append((relpath + "/", entry.path))
                    continue
                if entry.is_symlink():
                    links.add(relpath)
                status = entry.stat(follow_symlinks=False)
                stamps[relpath] = (status.st_size, status.st_mtime_ns)
    return TreeScan(stamps, frozenset(links), frozenset(folders))


def _holds(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _write_atomically(path: str, data: bytes) -> None:
    """Replace an existing file in one rename, so a watcher never reads it half-written."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _add_folders(folders: set[str], relpath: str) -> None:
    """Add the folders holding `relpath` to `folders`, stopping at the first one already there."""
    folder = relpath.rpartition("/")[0]
    while folder and folder not in folders:
        folders.add(folder)
        folder = folder.rpartition("/")[0]
