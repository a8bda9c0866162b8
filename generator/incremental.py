"""Incremental builds: what a site was built from, so the next build renders only what changed.

After each build the record of its output folder is written to `build/records/` (outside the
site, so a site's bytes do not depend on how it was built): the renderer's key (a fingerprint of
everything it reads besides the docs tree: its configuration, theme, templates, nav, build date
and the generator's code, see `Renderer.incremental_key`), the size and modification time of
every docs-tree file it rendered, and which folder it describes.

The next build writes the docs tree as always (only files whose bytes changed are rewritten, see
`write`). When the renderer gives the same key and the output folder is the one recorded, the
docs files whose size or time differ are the ones to render again (`docs_changes`): the renderer
updates a linked copy of the previous site (`linked_copy`) in a temporary folder, which is swapped
in as a clean build's would be. Anything else (no record, another key, another folder) is a
clean build. A file rewritten with the same bytes only costs a page rendered again; a changed
file always has a new time, since the docs tree is written only by this generator.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .caches import code_fingerprint
from .diagnostics import Diagnostic
from .digests import folder_digest
from .history import head_of
from .settings import ProjectPaths
from .write import WriteReport, scan_tree

RECORD_FORMAT = 1

Stamp = tuple[int, int]
"""A file's (size, modification time in nanoseconds)."""


@dataclass(frozen=True)
class BuildRecord:
    renderer: str
    key: str
    folder: Stamp
    """(device, inode) of the output folder the record describes: a folder replaced by anything
    else (removed, restored, another build) no longer matches."""
    docs: Mapping[str, Stamp]
    """Docs-tree path → stamp of every file the site was rendered from."""
    inputs: str
    """`input_fingerprint` of the build: the same inputs make the same docs tree, diagnostics and site."""
    diagnostics: tuple[Diagnostic, ...]
    pages: int
    unindexed: Mapping[str, Stamp] | None = None
    """The site's pages its search index leaves out (`search.IndexState.unmarked`), with their
    stamps: the next update need not read them to know it; None when unknown."""


@dataclass(frozen=True)
class DocsChanges:
    changed: frozenset[str]
    """Docs-tree paths added or rewritten since the recorded build."""
    removed: frozenset[str]
    """Docs-tree paths the recorded build had and the tree has no more: their outputs go."""

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)


def input_fingerprint(paths: ProjectPaths, *settings: object) -> str:
    """Everything a build reads: every file under `content/` and the templates (paths and bytes),
    mkdocs.yml as read (with its `!ENV` values), the commit git's history ends at, the
    SOURCE_DATE_EPOCH asked for, the generator's code, and the build's own `settings` (renderer,
    --strict, --offline). Two builds with one fingerprint make the same docs tree, diagnostics and site."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(paths.mkdocs_config, "rb") as handle:
            config: object = yaml_load(handle)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - the check reports it; the fingerprint only differs
        config = f"unreadable: {error}"
    inputs = [folder_digest(paths.content), folder_digest(paths.templates), config, head_of(paths.root),
              os.environ.get("SOURCE_DATE_EPOCH"), code_fingerprint().hex(), *map(repr, settings)]
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=repr).encode()).hexdigest()


def record_path(paths: ProjectPaths, out: Path) -> Path:
    name = hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:24]
    return paths.docs_tree.parent / "records" / f"{name}.json"


def folder_identity(folder: Path) -> Stamp | None:
    try:
        status = os.stat(folder)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def read_record(paths: ProjectPaths, out: Path) -> BuildRecord | None:
    """The record of the build that made `out`, or None: none kept, unreadable, or `out` is no longer that folder."""
    try:
        data = json.loads(record_path(paths, out).read_text(encoding="utf-8"))
        if data.get("format") != RECORD_FORMAT:
            return None
        record = BuildRecord(str(data["renderer"]), str(data["key"]), (int(data["folder"][0]), int(data["folder"][1])),
                             _stamps(data["docs"]),
                             str(data["inputs"]), tuple(Diagnostic(**item) for item in data["diagnostics"]),
                             int(data["pages"]), None if data.get("unindexed") is None else _stamps(data["unindexed"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    return record if record.folder == folder_identity(out) else None


def _stamps(data: Mapping[str, list[int]]) -> dict[str, Stamp]:
    return {str(path): (int(size), int(time)) for path, (size, time) in data.items()}


def _listed(stamps: Mapping[str, Stamp]) -> dict[str, list[int]]:
    return {path: list(stamp) for path, stamp in sorted(stamps.items())}


def write_record(paths: ProjectPaths, out: Path, record: BuildRecord) -> None:
    target = record_path(paths, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": RECORD_FORMAT, "renderer": record.renderer, "key": record.key, "folder": list(record.folder),
            "docs": _listed(record.docs), "inputs": record.inputs,
            "diagnostics": [dataclasses.asdict(diagnostic) for diagnostic in record.diagnostics], "pages": record.pages,
            "unindexed": None if record.unindexed is None else _listed(record.unindexed)}
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, target)


def forget_record(paths: ProjectPaths, out: Path) -> None:
    record_path(paths, out).unlink(missing_ok=True)


def docs_state(docs_tree: Path) -> dict[str, Stamp]:
    """Docs-tree path → stamp of every file under `docs_tree` (none when it is not there yet)."""
    return scan_tree(docs_tree).stamps


def state_after_writing(docs_tree: Path, before: Mapping[str, Stamp], report: WriteReport) -> dict[str, Stamp]:
    """`docs_state` after `write_tree` made `report` on a tree whose state was `before`: only the
    files it wrote are looked at again (the generator is the docs tree's only writer)."""
    removed = set(report.removed)
    state = {path: stamp for path, stamp in before.items() if path not in removed}
    for path in report.written:
        status = os.stat(docs_tree / path, follow_symlinks=False)
        state[path] = (status.st_size, status.st_mtime_ns)
    return state


def docs_changes(record: BuildRecord, state: Mapping[str, Stamp]) -> DocsChanges:
    changed = frozenset(path for path, stamp in state.items() if record.docs.get(path) != stamp)
    return DocsChanges(changed, frozenset(record.docs.keys() - state.keys()))


# ----------------------------------------------------------------------- the docs tree's pages

DOCS_RECORD = "docs-record.json"
"""Beside the docs tree: the digest (`pages.inputs`) and stamp of every page it holds a digest of."""


def read_docs_record(paths: ProjectPaths) -> dict[str, tuple[str, Stamp]]:
    """Docs-tree path → (page digest, stamp of the file written for it); empty when none is kept or it cannot be read."""
    try:
        data = json.loads((paths.docs_tree.parent / DOCS_RECORD).read_text(encoding="utf-8"))
        if data.get("format") != RECORD_FORMAT:
            return {}
        return {str(path): (str(digest), (int(size), int(time))) for path, (digest, size, time) in data["pages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_docs_record(paths: ProjectPaths, digests: Mapping[str, str], state: Mapping[str, Stamp]) -> None:
    pages = {path: [digest, *state[path]] for path, digest in sorted(digests.items()) if path in state}
    target = paths.docs_tree.parent / DOCS_RECORD
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps({"format": RECORD_FORMAT, "pages": pages}, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, target)


def forget_docs_record(paths: ProjectPaths) -> None:
    (paths.docs_tree.parent / DOCS_RECORD).unlink(missing_ok=True)


def current_pages(paths: ProjectPaths, digests: Mapping[str, str], state: Mapping[str, Stamp]) -> frozenset[str]:
    """Pages (those with a digest, `pages.inputs`) whose file in the docs tree was written for the
    digest they have now: they need not be made again."""
    recorded = read_docs_record(paths)
    return frozenset(path for path, digest in digests.items()
                     if (entry := recorded.get(path)) is not None and entry[0] == digest and state.get(path) == entry[1])
