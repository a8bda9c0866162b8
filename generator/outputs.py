"""Output folders: the one place that decides whether a command may replace a folder, and the
build's temporary siblings of its output.

SPEC §6 "Nothing lost": no command removes or replaces a folder it did not make. Every folder
`build` and `export` make carries MARKER at its root; a later run replaces a folder only when it
is new, empty or marked, and never when it is (or holds, or lies inside) the project, its
content, generator, templates, docs tree or git folder, whatever a marker says. Folders are
compared by what they are on disk (device and inode, so symlinks, `..` and letter case on a
case-insensitive disk do not hide them) and by their resolved names compared case-insensitively
(for folders not made yet); a name differing only in case from a protected one is refused too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from .settings import ProjectPaths

MARKER = ".thesis-site-build"
"""File at the root of every folder `build` or `export` makes. Fixed bytes: builds stay byte-identical."""

MARKER_FORMAT = "thesis-site output, format 1"
MARKER_BYTES = (f"{MARKER_FORMAT}\n"
                "Made by thesis-site build or export; the next one may replace this folder whole.\n").encode()
_MARKER_PREFIX = b"thesis-site output, format "

TEMPORARY_PURPOSES = ("build", "files", "old")
"""A build's temporaries are siblings of its output named `.<output name>-<purpose>-<random>`:
`build` (mkdocs' output), `old` (the replaced site while it is removed), and `files`, which
builds no longer make but earlier versions left when killed (the next build removes them)."""


LOCK_NAME = ".thesis-site-lock"
"""The lock a build holds in the folder that holds its output (see `output_lock`)."""

_TEMPORARY_NAME = re.compile(rf"\..+-({'|'.join(TEMPORARY_PURPOSES)})-.+", re.DOTALL)


class OutputRefused(Exception):
    """A command was asked to replace a folder it may not replace; the CLI exits 2 with the message."""


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _identities_up(path: Path) -> set[tuple[int, int]]:
    """What `path` and every folder above it are on disk (those that exist)."""
    resolved = path.resolve()
    return {identity for identity in map(_identity, (resolved, *resolved.parents)) if identity is not None}


def _folded(path: Path) -> tuple[str, ...]:
    return tuple(part.casefold() for part in path.resolve().parts)


def _within(inner: Path, outer: Path) -> bool:
    """`inner` is `outer` or lies inside it, on disk or by name."""
    outer_identity = _identity(outer)
    if outer_identity is not None and outer_identity in _identities_up(inner):
        return True
    inner_parts, outer_parts = _folded(inner), _folded(outer)
    return inner_parts[:len(outer_parts)] == outer_parts


def protected_folders(paths: ProjectPaths) -> dict[str, Path]:
    """What no output may be, hold or lie inside: name shown → folder."""
    package = Path(__file__).resolve().parent
    return {"content/": paths.content, "generator/": paths.root / "generator", "the generator package": package,
            "site_templates/": paths.templates, "the docs tree build/docs/": paths.docs_tree, ".git": paths.root / ".git"}


def is_marked(folder: Path) -> bool:
    """The folder carries the marker of an earlier thesis-site build or export (a plain file, not a link)."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return False
    try:
        with open(marker, "rb") as handle:
            return handle.read(len(_MARKER_PREFIX)) == _MARKER_PREFIX
    except OSError:
        return False


def _location_refusal(paths: ProjectPaths, target: Path, protected: dict[str, Path]) -> str | None:
    if _within(paths.root, target):
        return f"it {'is' if _within(target, paths.root) else 'holds'} the project folder {paths.root}"
    for name, folder in protected.items():
        if _within(target, folder):
            return f"it is {name} or lies inside it"
        if _within(folder, target):
            return f"it holds {name}"
    return None


def output_refusal(paths: ProjectPaths, target: Path) -> str | None:
    """Why `target` may not be replaced by a build or export, or None when it may: it is new, an
    empty folder, or a folder an earlier build or export marked, and is none of the project's own."""
    resolved = target.resolve()
    if resolved.exists() and not resolved.is_dir():
        return "it is a file, not a folder"
    if _TEMPORARY_NAME.fullmatch(resolved.name) or resolved.name == LOCK_NAME:
        return "it is named like a build's temporary folder, which a later build beside it would remove"
    reason = _location_refusal(paths, resolved, protected_folders(paths))
    if reason is not None:
        return reason
    if resolved.is_dir() and not _empty(resolved) and not is_marked(resolved):
        return (f"it is not empty and was not made by thesis-site (it has no {MARKER} file); "
                "choose a new or empty folder, or, if it is a site built before thesis-site marked its "
                "output, delete it once")
    return None


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def ensure_replaceable(paths: ProjectPaths, target: Path, option: str = "--out") -> Path:
    """`target` resolved, or OutputRefused saying why the command will not replace it."""
    reason = output_refusal(paths, target)
    if reason is not None:
        raise OutputRefused(f"refusing {option} {target}: {reason}")
    return target.resolve()


def ensure_outside_the_project_folders(paths: ProjectPaths, target: Path, option: str = "--out") -> Path:
    """For a command that adds files to a folder without replacing it (`schema`): `target`
    resolved, unless it is the project, holds it, or is one of the project's own folders."""
    resolved = target.resolve()
    reason = _location_refusal(paths, resolved, protected_folders(paths))
    if reason is not None:
        raise OutputRefused(f"refusing {option} {target}: {reason}")
    return resolved


def ensure_docs_tree_placed(paths: ProjectPaths) -> None:
    """The docs tree, which every write empties of what it did not write, is written only where
    thesis-site makes it: `build/docs` inside the project, not reached through a link (`build` or
    `build/docs` linked elsewhere could point at anything, the project's own folders included)."""
    expected = paths.root.resolve() / paths.docs_tree.relative_to(paths.root)
    actual = paths.docs_tree.resolve()
    if actual != expected:
        raise OutputRefused(f"refusing to write the docs tree {paths.docs_tree}: it is a link to {actual}; "
                            "remove the link and thesis-site makes the folder")


def mark(folder: Path) -> None:
    """Mark `folder` as made by thesis-site (see MARKER). A marker already there is replaced, not
    written into: it may be a link (an update's copy shares its files with the previous site)."""
    marker = folder / MARKER
    marker.unlink(missing_ok=True)
    marker.write_bytes(MARKER_BYTES)


# ----------------------------------------------------------------------- temporaries


def temporary_sibling(out: Path, purpose: str) -> Path:
    """A new empty folder beside `out`, named so that a later build recognises it (see TEMPORARY_PURPOSES)."""
    assert purpose in TEMPORARY_PURPOSES
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-{purpose}-", dir=out.parent))


def _temporaries(out: Path) -> list[tuple[str, Path]]:
    pattern = re.compile(rf"\.{re.escape(out.name)}-({'|'.join(TEMPORARY_PURPOSES)})-.+", re.DOTALL)
    found = []
    with contextlib.suppress(OSError), os.scandir(out.parent) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match and entry.is_dir(follow_symlinks=False):  # a build never makes a link
                found.append((match.group(1), Path(entry.path)))
    return sorted(found)


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the temporaries a killed build left beside `out`; call only while holding `output_lock`.

    A site set aside by a build killed between its two renames (`out` missing, an `old` temporary
    marked) is put back instead of removed."""
    removed = []
    for purpose, folder in _temporaries(out):
        if purpose == "old" and not os.path.lexists(out) and is_marked(folder):
            os.rename(folder, out)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def lock_path(out: Path) -> Path:
    return out.parent / LOCK_NAME


@contextlib.contextmanager
def output_lock(out: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Held for a whole build into `out`: an exclusive `fcntl.flock` on LOCK_NAME in the folder
    holding `out` (one lock per folder, not per output, since the names of two outputs' temporaries
    can overlap: `.site-build-x` may be output `site`'s or output `site-build`'s).

    Two builds into one folder take turns (the second waits, calling `waiting` once), so a build
    that finds temporaries beside `out` while holding the lock knows no running build owns them.
    flock's lock goes when the last process holding it (the build, or a worker it forked) has
    exited, so a killed build never blocks the next one for longer than its own processes live.
    The holder removes the lock file before releasing it; a waiter that then gets
    a lock on the removed file tries again. Without `fcntl` (not POSIX) nothing is locked and
    stale temporaries are left, never guessed at.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX has it
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(out)
    told = False
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not told:
                    waiting()
                    told = True
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            held = os.fstat(descriptor)
            current = os.stat(path)
        except FileNotFoundError:
            os.close(descriptor)
            continue
        except BaseException:
            os.close(descriptor)
            raise
        if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
            break
        os.close(descriptor)
    try:
        remove_stale_temporaries(out)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        fcntl.flock(descriptor, fcntl.LOCK_UN)  # also for any forked child still holding a copy
        os.close(descriptor)
