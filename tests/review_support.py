"""Helpers for the git-based tests (review, history, review gate): deterministic temporary
repositories built from `tests/fixtures/review/base/`.

Every commit gets a fixed author, committer and date, and git ignores the user's global and
system configuration, so commit hashes (and therefore every report) are the same on every run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from generator.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "review" / "base"
GOLDEN = Path(__file__).parent / "golden"
"""Golden review reports; UPDATE_EXPECTED=1 rewrites them (conftest.py, `update_expected`)."""

PEOPLE = {
    "ana": ("Ana Analyst", "ana@example.org"),
    "bo": ("Bo Speaker", "bo@example.org"),
    "cy": ("Cy Reviewer", "cy@example.org"),
}


def git_env(root: Path) -> dict[str, str]:
    """An environment in which git reads no user configuration and never looks above `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(root.parent),
        "LC_ALL": "C",
        "TZ": "UTC",
    })
    return env


def isolate_git(monkeypatch, root: Path) -> None:
    """For the generator's own git calls in-process: no inherited GIT_DIR/GIT_INDEX_FILE (as inside a
    git hook), no user or system configuration, and no repository found above `root`."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root))


class Repo:
    """A temporary project folder under git, with commits made at fixed dates by fixed people."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def create(cls, root: Path, *, from_fixture: bool = True) -> Repo:
        root.mkdir(parents=True, exist_ok=True)
        if from_fixture:
            shutil.copytree(FIXTURE / "content", root / "content")
        repo = cls(root)
        repo.git("init", "--quiet", "--initial-branch=main")
        return repo

    def git(self, *args: str, who: str = "ana", date: str = "2026-01-01", time: str = "12:00:00") -> str:
        name, email = PEOPLE[who]
        stamp = f"{date}T{time}+0000"
        env = git_env(self.root)
        env.update({
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp,
        })
        completed = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{completed.stderr}")
        return completed.stdout

    def commit(self, message: str, *, date: str, who: str = "ana", tag: str | None = None, time: str = "12:00:00") -> str:
        self.git("add", "--all", "content")
        self.git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, who=who, date=date, time=time)
        if tag:
            self.git("tag", tag)
        return self.sha("HEAD")

    def sha(self, revision: str) -> str:
        return self.git("rev-parse", revision).strip()

    def show(self, revision: str, path: str) -> str:
        return self.git("show", f"{revision}:{path}")

    # ---------------------------------------------------------------- editing content

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def read(self, relpath: str) -> str:
        return self.path(relpath).read_text(encoding="utf-8")

    def write(self, relpath: str, text: str) -> None:
        target = self.path(relpath)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def replace(self, relpath: str, old: str, new: str) -> None:
        """Replace exactly one occurrence of `old` (the edit must be unambiguous)."""
        text = self.read(relpath)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relpath}"
        self.write(relpath, text.replace(old, new))

    def remove(self, relpath: str) -> None:
        self.path(relpath).unlink()

    # ---------------------------------------------------------------- observing

    def status(self) -> str:
        return self.git("status", "--porcelain=v1", "--untracked-files=all")

    def fingerprint(self) -> dict[str, str]:
        """Hash of every file in the work tree and of the index, to prove a command changed nothing."""
        prints = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and ".git" not in path.relative_to(self.root).parts:
                prints[path.relative_to(self.root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        prints[".git/index"] = hashlib.sha256((self.root / ".git" / "index").read_bytes()).hexdigest()
        prints[".git/HEAD"] = (self.root / ".git" / "HEAD").read_text()
        return prints


def run_cli(*args: str) -> Result:
    """Run `thesis-site ARGS` in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def line_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the `occurrence`-th line containing `needle`, column of its first character."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not found {occurrence} time(s)")


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file, or rewrite it when `update` (the `update_expected` fixture)."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; UPDATE_EXPECTED=1 python -m pytest -m expected_files creates it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path.name} (UPDATE_EXPECTED=1 rewrites it: README, \"Tests\")"
