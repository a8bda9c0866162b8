"""Read content straight from git objects: no checkout, no change to the work tree.

A few long-lived git processes (`ls-tree`, one `cat-file --batch`, one `log --raw`) serve
review and history, instead of one git call per file.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONTENT_PREFIX = "content/"


def default_source_date_epoch(root: Path) -> str | None:
    """The time of the last commit, so a commit always builds with the same dates (SOURCE_DATE_EPOCH)."""
    try:
        completed = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                                   capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = completed.stdout.strip()
    return stamp if completed.returncode == 0 and stamp.isdigit() else None


def blob_id(data: bytes) -> str:
    """The id git gives a file of these bytes (a SHA-1 repository's: in one using SHA-256 no id
    matches, which only costs what the id saves)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class GitError(Exception):
    """A revision cannot be read, or the folder is not a git repository."""


@dataclass(frozen=True)
class FileChange:
    path: str
    old_blob: str | None
    new_blob: str | None
    old_path: str | None = None


@dataclass(frozen=True)
class Commit:
    sha: str
    timestamp: int
    author: str
    email: str
    subject: str
    changes: tuple[FileChange, ...]

    @property
    def short(self) -> str:
        return self.sha[:7]


_NULL_SHA = "0" * 40


class GitRepository:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _git(self, *args: str, input_bytes: bytes | None = None) -> bytes:
        try:
            completed = subprocess.run(
                ["git", "-C", str(self.root), *args], input=input_bytes, capture_output=True, check=False,
            )
        except FileNotFoundError as error:
            raise GitError("git is not installed") from error
        if completed.returncode != 0:
            raise GitError(completed.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
        return completed.stdout

    def is_repository(self) -> bool:
        try:
            self._git("rev-parse", "--git-dir")
        except GitError:
            return False
        return True

    def resolve(self, revision: str) -> str:
        if revision.startswith("-"):
            raise GitError(f"'{revision}' is not a revision")
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
        except GitError as error:
            raise GitError(f"unknown revision '{revision}'") from error

    def uncommitted(self, *pathspecs: str) -> list[str]:
        """Paths under `pathspecs` that differ from HEAD, staged or not, or are untracked
        (ignored files excepted), as git prints them relative to the repository."""
        raw = self._git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs)
        entries = iter(raw.decode("utf-8", "replace").split("\0"))
        changed = []
        for entry in entries:
            if not entry:
                continue
            status, path = entry[:2], entry[3:]
            changed.append(path)
            if "R" in status or "C" in status:
                next(entries, None)  # a rename or copy is followed by its source path
        return changed

    def content_blobs(self, revision: str) -> dict[str, str]:
        """Path → blob sha of every regular file under content/ at `revision` (symlinks are kept
        with their own mode so the loader can refuse them)."""
        sha = self.resolve(revision)
        output = self._git("ls-tree", "-r", "-z", "--full-tree", sha, "--", CONTENT_PREFIX)
        blobs: dict[str, str] = {}
        for record in output.split(b"\0"):
            if not record:
                continue
            meta, path = record.split(b"\t", 1)
            mode, kind, blob = meta.decode().split()
            if kind == "blob":
                blobs[path.decode("utf-8", "surrogateescape")] = blob if mode in ("100644", "100755") else f"symlink:{blob}"
        return blobs

    def read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """Contents of many blobs through one `cat-file --batch` process."""
        wanted = sorted({sha for sha in shas if sha and not sha.startswith("symlink:")})
        if not wanted:
            return {}
        output = self._git("cat-file", "--batch", input_bytes="".join(f"{sha}\n" for sha in wanted).encode())
        contents: dict[str, bytes] = {}
        offset = 0
        for sha in wanted:
            newline = output.index(b"\n", offset)
            header = output[offset:newline].decode().split()
            if len(header) < 3 or header[1] == "missing":
                raise GitError(f"blob {sha} is missing")
            size = int(header[2])
            contents[sha] = output[newline + 1: newline + 1 + size]
            offset = newline + 1 + size + 1
        return contents

    def content_log(self) -> list[Commit]:
        """Every commit touching content/, oldest first, with old and new blob of each changed file."""
        try:
            output = self._git("log", "--reverse", "--raw", "-z", "--no-renames", "--no-abbrev", "--first-parent",
                               "--format=%x01%H%x00%ct%x00%an%x00%ae%x00%s", "--", CONTENT_PREFIX)
        except GitError:
            return []  # no commits yet
        commits: list[Commit] = []
        for chunk in output.split(b"\x01")[1:]:
            fields = chunk.split(b"\0")
            sha, timestamp, author, email, subject = (f.decode("utf-8", "replace") for f in fields[:5])
            changes: list[FileChange] = []
            raw = [f for f in fields[5:] if f.strip(b"\n")]
            index = 0
            while index + 1 < len(raw):
                meta = raw[index].decode().strip().lstrip(":").split()
                path = raw[index + 1].decode("utf-8", "surrogateescape")
                old_blob, new_blob = meta[2], meta[3]
                changes.append(FileChange(path, None if old_blob == _NULL_SHA else old_blob,
                                          None if new_blob == _NULL_SHA else new_blob))
                index += 2
            commits.append(Commit(sha, int(timestamp), author, email, subject, tuple(changes)))
        return commits
