"""Write: rendered pages → the docs tree on disk, touching only what changed.

Input: a mapping of docs-tree relative path → bytes. Output: the folder holds exactly those
files; unchanged files keep their mtime (so mkdocs' live reload rebuilds only for real
changes), stale files and emptied folders are removed.
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


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_tree(root: Path, files: Mapping[str, bytes]) -> WriteReport:
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    unchanged = 0
    for relpath in sorted(files):
        target = root / relpath
        data = files[relpath]
        try:
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                unchanged += 1
                continue
        except OSError:
            pass
        _write_atomically(target, data)
        written.append(relpath)
    removed: list[str] = []
    for path in sorted(root.rglob("*"), reverse=True):
        relpath = path.relative_to(root).as_posix()
        if path.is_symlink() or path.is_file():
            if relpath not in files:
                path.unlink()
                removed.append(relpath)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return WriteReport(tuple(written), unchanged, tuple(sorted(removed)))
