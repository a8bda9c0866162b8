"""Write: rendered pages → the docs tree on disk, touching only what changed.

Input: a mapping of docs-tree relative path → bytes. Output: the folder holds exactly those
files; unchanged files keep their mtime (so mkdocs' live reload rebuilds only for real
changes), stale files and emptied folders are removed.

Cheap by design (bench/site_bench.py): one scandir pass lists what is on disk with its size, so
a new file is written without probing it, a file whose size changed is replaced without reading
it, and only a file of the same size is read back to compare. Folders are created once each.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def _write_atomically(path: str, data: bytes) -> None:
    """Replace an existing file in one rename, so a watcher never reads it half-written."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _scan(root: str) -> tuple[dict[str, int], set[str]]:
    """Relative path → size of every file (-1 for a symlink), and every folder, under `root`."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    pending = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relpath = prefix + entry.name
                if entry.is_symlink():
                    files[relpath] = -1
                elif entry.is_dir():
                    folders.add(relpath)
                    pending.append((relpath + "/", entry.path))
                else:
                    files[relpath] = entry.stat().st_size
    return files, folders


def write_tree(root: Path, files: Mapping[str, bytes]) -> WriteReport:
    root.mkdir(parents=True, exist_ok=True)
    base = str(root)
    on_disk, folders = _scan(base)
    written: list[str] = []
    unchanged = 0
    for relpath in sorted(files):
        data = files[relpath]
        target = os.path.join(base, relpath)
        size = on_disk.get(relpath)
        if size is None:  # new: no reader can be holding it, write it in place
            folder = relpath.rpartition("/")[0]
            if folder and folder not in folders:
                os.makedirs(os.path.join(base, folder), exist_ok=True)
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = folder.rpartition("/")[0]
            with open(target, "wb") as handle:
                handle.write(data)
        else:
            if size == len(data):
                try:
                    with open(target, "rb") as handle:
                        if handle.read() == data:
                            unchanged += 1
                            continue
                except OSError:
                    pass
            _write_atomically(target, data)
        written.append(relpath)
    removed: list[str] = []
    for relpath in sorted(set(on_disk) - set(files), reverse=True):
        os.unlink(os.path.join(base, relpath))
        removed.append(relpath)
    occupied: set[str] = set()
    for relpath in files:
        folder = relpath.rpartition("/")[0]
        while folder and folder not in occupied:
            occupied.add(folder)
            folder = folder.rpartition("/")[0]
    for folder in sorted(folders - occupied, reverse=True):  # children sort after their parent
        try:
            os.rmdir(os.path.join(base, folder))
        except OSError:
            pass
    return WriteReport(tuple(written), unchanged, tuple(sorted(removed)))
