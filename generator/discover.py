"""Discover: find every content file under `content/` and refuse what must never be read.

Input: the project paths. Output: the candidate files (kind, stem, format, path) plus
diagnostics for symlinks, non-regular entries, bad names, hidden files, files outside the kind
folders and case-insensitive id collisions. Nothing under `content/` is passed over in silence,
except the few `SKIPPED_NAMES`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .diagnostics import Diagnostic, did_you_mean
from .models import ASSET_ID_PATTERN, ID_PATTERN
from .settings import KIND_FOLDERS, ProjectPaths

_STEM_RULES = {
    "asset": re.compile(ASSET_ID_PATTERN),
    "source": re.compile(ID_PATTERN),
    "thesis": re.compile(ID_PATTERN),
    "person": re.compile(ID_PATTERN),
}
"""Applied with `fullmatch` (a stem ending in a newline is not an id)."""
_FORMATS = {".yaml": "yaml", ".md": "markdown"}
CONTENT_SUFFIXES = tuple(_FORMATS)
"""File name endings of content files (YAML, or Markdown with YAML front matter)."""
_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}

SKIPPED_NAMES = ("README.md", ".gitkeep", ".DS_Store")
"""The only files under `content/` that are neither read nor reported, in any folder: notes for
contributors, git's placeholder that keeps an empty folder, and macOS Finder's folder metadata.
Every other file is content or a diagnostic."""


@dataclass(frozen=True)
class ContentFile:
    kind: str
    stem: str
    format: str  # "yaml" | "markdown"
    path: Path
    relpath: str
    status: os.stat_result | None = field(default=None, compare=False, repr=False)
    """What discovery's walk found of the file (`stat`), so that loading it does not ask again;
    None for a file named by a git revision."""


def discover_content(paths: ProjectPaths) -> tuple[list[ContentFile], list[Diagnostic]]:
    """Walk the whole of `content/` without following symlinks: each regular file is content or
    a diagnostic (`classify_path`, the rule git revisions are read by too); symlinks and other
    non-regular entries, and folders inside a kind folder, are reported."""
    by_kind: dict[str, list[ContentFile]] = {kind: [] for kind in KIND_FOLDERS}
    diagnostics: list[Diagnostic] = []
    if not paths.content.is_dir():
        return [], []
    for path, relpath, status in _walk(paths.content, paths.relative(paths.content) + "/"):
        mode = status.st_mode
        parts = relpath.split("/")
        depth, name = len(parts) - 1, parts[-1]
        if name in SKIPPED_NAMES and not stat.S_ISDIR(mode):
            continue
        if stat.S_ISLNK(mode):
            top_folder = depth == 1 and name in _KINDS
            diagnostics.append(not_regular(relpath, "a symlinked content folder" if top_folder else "a symlink"))
        elif stat.S_ISDIR(mode):
            if depth == 2 and parts[1] in _KINDS:
                diagnostics.append(not_regular(relpath, "a directory"))
        elif not stat.S_ISREG(mode):
            diagnostics.append(not_regular(relpath, "not a regular file"))
        else:
            classified = classify_path(relpath, Path(path), status)
            if isinstance(classified, Diagnostic):
                diagnostics.append(classified)
            elif classified is not None:
                by_kind[classified.kind].append(classified)
    files: list[ContentFile] = []
    for kind_files in by_kind.values():
        kept, collisions = refuse_collisions(kind_files)
        files.extend(kept)
        diagnostics.extend(collisions)
    return files, diagnostics


def _walk(folder: Path | str, prefix: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(path, project-relative path, `lstat`) of every entry below `folder`, whose own relative path
    is `prefix` (with its slash), sorted, descending into real folders only. Paths stay strings:
    a `Path` for each of thousands of files cost a check more than the walk."""
    with os.scandir(folder) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    for entry in listed:
        status = entry.stat(follow_symlinks=False)
        relpath = prefix + entry.name
        yield entry.path, relpath, status
        if stat.S_ISDIR(status.st_mode):
            yield from _walk(entry.path, relpath + "/")


def classify_path(relpath: str, path: Path | None = None, status: os.stat_result | None = None) -> ContentFile | Diagnostic | None:
    """Discovery's naming rules for one regular file, given by its project-relative path (also
    for files read from a git revision). None: outside `content/`, or one of `SKIPPED_NAMES`.
    `status`: what the walk found of it (`ContentFile.status`)."""
    parts = relpath.split("/")
    if len(parts) < 2 or parts[0] != "content" or parts[-1] in SKIPPED_NAMES:
        return None
    name = parts[-1]
    hidden = next((part for part in parts[1:] if part.startswith(".")), None)
    if hidden is not None:
        if hidden == name:
            return Diagnostic(relpath, 1, 1, "file.hidden", "", f"'{name}' is a hidden file; hidden files are not read as content",
                              "delete it, or rename it without the leading '.'")
        return Diagnostic(relpath, 1, 1, "file.hidden", "", f"'{hidden}' is a hidden folder; files in it are not read as content",
                          f"move it out of '{hidden}', or delete it")
    if len(parts) != 3 or parts[1] not in _KINDS:
        return _stray(relpath, parts)
    kind = _KINDS[parts[1]]
    stem, suffix = os.path.splitext(name)
    if suffix not in _FORMATS:
        return Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{name}' is not a .yaml or .md file",
                          f"rename it to '{stem}.yaml'" if suffix in (".yml", ".json") else "")
    if not _STEM_RULES[kind].fullmatch(stem):
        rule = "an upper-case ticker like 'NVDA'" if kind == "asset" else "lower-case letters, digits and '-'"
        return Diagnostic(relpath, 1, 1, "file.bad-name", "", f"'{stem}' is not a valid {kind} id", f"use {rule}")
    return ContentFile(kind, stem, _FORMATS[suffix], path if path is not None else Path(relpath), relpath, status)


_FOLDERS = [f"{folder}/" for folder in KIND_FOLDERS.values()]
_FOLDER_LIST = ", ".join(_FOLDERS[:-1]) + f" or {_FOLDERS[-1]}"


def _stray(relpath: str, parts: list[str]) -> Diagnostic:
    """A file outside the four kind folders: directly in content/, in another folder, or in a
    folder inside a kind folder."""
    if len(parts) == 2:
        message = f"a file directly in content/ is not read; content files go in {_FOLDER_LIST}"
        hint = ""
    elif parts[1] in _KINDS:
        message = f"'{'/'.join(parts[2:-1])}' is a folder inside {parts[1]}/; content files go directly in {parts[1]}/"
        hint = f"move it to content/{parts[1]}/{parts[-1]}"
    else:
        message = f"'{parts[1]}' is not a content folder; content files go in {_FOLDER_LIST}"
        hint = did_you_mean(parts[1], KIND_FOLDERS.values())
    return Diagnostic(relpath, 1, 1, "file.stray", "", message, hint)


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


def not_regular(relpath: str, what: str) -> Diagnostic:
    """A symlink, folder or special file where content files are read: never followed or opened."""
    return Diagnostic(relpath, 1, 1, "file.not-regular", "", f"{what} is not read as content", "replace it with a regular file")
