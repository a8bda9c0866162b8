"""Discover: find every content file under `content/` and refuse what must never be read.

Input: the project paths. Output: the candidate files (kind, stem, format, path) plus
diagnostics for symlinks, non-regular entries, bad names and case-insensitive id collisions.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic
from .models import ASSET_ID_PATTERN, ID_PATTERN
from .settings import KIND_FOLDERS, ProjectPaths

_STEM_RULES = {
    "asset": re.compile(ASSET_ID_PATTERN),
    "source": re.compile(ID_PATTERN),
    "thesis": re.compile(ID_PATTERN),
    "person": re.compile(ID_PATTERN),
}
_FORMATS = {".yaml": "yaml", ".md": "markdown"}


@dataclass(frozen=True)
class ContentFile:
    kind: str
    stem: str
    format: str  # "yaml" | "markdown"
    path: Path
    relpath: str


def discover_content(paths: ProjectPaths) -> tuple[list[ContentFile], list[Diagnostic]]:
    files: list[ContentFile] = []
    diagnostics: list[Diagnostic] = []
    for kind, folder in KIND_FOLDERS.items():
        directory = paths.content / folder
        if not directory.is_dir() or directory.is_symlink():
            if directory.is_symlink():
                diagnostics.append(_not_regular(paths.relative(directory), "a symlinked content folder"))
            continue
        kind_files: list[ContentFile] = []
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                relpath = paths.relative(Path(entry.path))
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    diagnostics.append(_not_regular(relpath, "a symlink"))
                    continue
                if not stat.S_ISREG(mode):
                    kind_name = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
                    diagnostics.append(_not_regular(relpath, kind_name))
                    continue
                stem, suffix = os.path.splitext(entry.name)
                if suffix not in _FORMATS:
                    diagnostics.append(
                        Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{entry.name}' is not a .yaml or .md file",
                                   f"rename it to '{stem}.yaml'" if suffix in (".yml", ".json") else "")
                    )
                    continue
                if not _STEM_RULES[kind].match(stem):
                    rule = "an upper-case ticker like 'NVDA'" if kind == "asset" else "lower-case letters, digits and '-'"
                    diagnostics.append(
                        Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{stem}' is not a valid {kind} id", f"use {rule}")
                    )
                    continue
                kind_files.append(ContentFile(kind, stem, _FORMATS[suffix], Path(entry.path), relpath))
        kept, collisions = refuse_collisions(kind_files)
        files.extend(kept)
        diagnostics.extend(collisions)
    return files, diagnostics


def classify_path(relpath: str) -> ContentFile | Diagnostic | None:
    """Apply discovery's naming rules to a project-relative path read from somewhere other than
    the work tree (a git revision). None: not a content file at all."""
    parts = relpath.split("/")
    folders = {folder: kind for kind, folder in KIND_FOLDERS.items()}
    if len(parts) != 3 or parts[0] != "content" or parts[1] not in folders or parts[2].startswith("."):
        return None
    kind = folders[parts[1]]
    stem, suffix = os.path.splitext(parts[2])
    if suffix not in _FORMATS:
        return Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{parts[2]}' is not a .yaml or .md file")
    if not _STEM_RULES[kind].match(stem):
        return Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{stem}' is not a valid {kind} id")
    return ContentFile(kind, stem, _FORMATS[suffix], Path(relpath), relpath)


def refuse_collisions(files: list[ContentFile]) -> tuple[list[ContentFile], list[Diagnostic]]:
    """Ids equal ignoring case would overwrite each other on case-insensitive file systems and URLs."""
    by_folded: dict[str, list[ContentFile]] = {}
    for file in files:
        by_folded.setdefault(file.stem.casefold(), []).append(file)
    kept: list[ContentFile] = []
    diagnostics: list[Diagnostic] = []
    for group in by_folded.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        names = ", ".join(f.relpath for f in group)
        for file in group:
            diagnostics.append(
                Diagnostic(file.relpath, 1, 1, "id.collision", "", f"{file.kind} id '{file.stem}' collides with another file ({names})",
                           "keep one file per id")
            )
    return kept, diagnostics


def _not_regular(relpath: str, what: str) -> Diagnostic:
    return Diagnostic(relpath, 1, 1, "file.not-regular", "", f"{what} is not read as content", "replace it with a regular file")
