"""The Zensical renderer (`pip install -e ".[zensical]"`), run as `python -m zensical` in a child
process: PATH does not matter, and a panic in its Rust core cannot take the generator down.

Zensical 0.0.73 takes no docs_dir or site_dir on its command line, resolves both against the
folder of its config file and refuses either outside it (an absolute docs_dir even panics). So
each run writes a small config next to the docs tree (`build/.zensical-<pid>-*.yml`) that
INHERITs the project's mkdocs.yml and sets docs_dir to the tree, site_dir to a folder beside it,
the theme's custom_dir to where the project has it, and no version selector (mike's, as in a
plain mkdocs build); the built site is then moved into the folder asked for, and both are
removed. What a killed run left is removed by the next run. Zensical keeps its cache in
`build/.cache`.

What differs from mkdocs-material: the search index is `search.json` (no `search/`, no
`sitemap.xml.gz`), and templates get no build date, so the footer leaves the date out.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import sys
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Iterator

import yaml

from ..settings import ProjectPaths
from .base import RendererError, refuse_taken_address

PREFIX = ".zensical-"
"""Names of the temporary config and site folder beside the docs tree."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LOCATION = re.compile(r"─\[\s*(.+?)\s*\]")


def zensical_config(paths: ProjectPaths, site_dir: Path) -> dict[str, Any]:
    """The config Zensical is run with, to be written next to the docs tree."""
    from mkdocs.utils.yaml import yaml_load  # follows INHERIT and !ENV as mkdocs does

    with open(paths.mkdocs_config, "rb") as handle:
        project = yaml_load(handle)
    if not isinstance(project, Mapping):
        raise ValueError("mkdocs.yml is not a mapping")
    config: dict[str, Any] = {"INHERIT": str(paths.mkdocs_config), "docs_dir": paths.docs_tree.name,
                    "site_dir": str(site_dir), "extra": {"version": None}}
    theme = project.get("theme")
    if isinstance(theme, Mapping) and theme.get("custom_dir"):
        config["theme"] = {"custom_dir": str(paths.root / str(theme["custom_dir"]))}
    return config


@contextlib.contextmanager
def _run_folder(paths: ProjectPaths, site_dir: Path | None) -> Iterator[tuple[Path, Path]]:
    """(config file, the folder Zensical builds into), both beside the docs tree, removed afterwards."""
    beside = paths.docs_tree.parent
    paths.docs_tree.mkdir(parents=True, exist_ok=True)
    remove_stale(beside)
    work = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=beside))
    config_file = work.with_name(work.name + ".yml")
    try:
        built = site_dir if site_dir is not None and _inside(site_dir, beside) else work / "site"
        config_file.write_text(yaml.safe_dump(zensical_config(paths, built), sort_keys=False), encoding="utf-8")
        yield config_file, built
    finally:
        config_file.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def remove_stale(beside: Path) -> None:
    """Remove the configs and site folders of Zensical runs whose process is gone."""
    with contextlib.suppress(OSError), os.scandir(beside) as entries:
        for entry in list(entries):
            match = re.fullmatch(rf"{re.escape(PREFIX)}(\d+)-.+", entry.name)
            if match is None or _alive(int(match.group(1))):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def messages_from(output: str) -> list[str]:
    """Zensical's warnings ("Warning: X" then a box naming file:line:col) as one line each."""
    messages: list[str] = []
    located = True
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        if line.startswith(("Warning:", "Error:")):
            level, _, text = line.partition(":")
            messages.append(f"zensical: {level.upper()}: {text.strip()}")
            located = False
        elif not located and (where := _LOCATION.search(line)):
            messages[-1] += f" ({where.group(1)})"
            located = True
    return messages


def _move_contents(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(os.listdir(source)):
        shutil.move(str(source / name), str(target / name))  # a rename on one filesystem


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


class ZensicalRenderer:
    name = "zensical"
    supports_offline = False

    def build(self, paths: ProjectPaths, site_dir: Path, strict: bool, offline: bool = False) -> tuple[bool, list[str]]:
        if offline:
            raise RendererError("--offline uses mkdocs-material's offline plugin, which Zensical does not run; "
                                "build it with --renderer mkdocs")
        try:
            with _run_folder(paths, site_dir) as (config_file, built):
                command = [sys.executable, "-m", "zensical", "build", "--config-file", str(config_file)]
                if strict:
                    command.append("--strict")
                completed = subprocess.run(command, cwd=paths.root, capture_output=True, text=True,
                                           encoding="utf-8", errors="replace", stdin=subprocess.DEVNULL)
                messages = messages_from(completed.stdout + "\n" + completed.stderr)
                if completed.returncode != 0:
                    last = next((_ANSI.sub("", line).strip() for line in reversed(completed.stderr.splitlines())
                                 if line.strip()), f"exit code {completed.returncode}")
                    return False, [*messages, f"zensical: ERROR: {last}"]
                if built != site_dir:
                    _move_contents(built, site_dir)
        except Exception as error:  # noqa: BLE001 - mkdocs.yml unreadable (ConfigurationError, YAMLError), disk trouble
            return False, [f"zensical: ERROR: {error}"]
        return True, messages

    def incremental_key(self, paths: ProjectPaths, strict: bool, offline: bool = False) -> str | None:
        """None: Zensical builds the whole tree (it keeps its own cache in `build/.cache`) and
        has no way to render a chosen set of pages into an existing site."""
        return None

    def kept_warm(self) -> ZensicalRenderer:
        return self  # it keeps no key, so it never updates a site

    def update(self, paths: ProjectPaths, site_dir: Path, changed: Collection[str], strict: bool,
               key: str) -> tuple[bool, list[str]]:
        raise RendererError("the zensical renderer builds whole sites only")

    def serve_folder(self, paths: ProjectPaths, dev_addr: str, site_dir: Path, rebuild: Callable[[], None],
                     watched: Sequence[Path]) -> None:
        raise RendererError("the zensical renderer serves with its own server (`serve`)")

    def serve(self, paths: ProjectPaths, dev_addr: str) -> None:
        """`zensical serve`: it watches the docs tree, rebuilds and reloads the browser (a script
        it injects into served pages listens on a WebSocket). A SIGTERM to this process stops the
        server and removes its config, as Ctrl-C does."""
        refuse_taken_address(dev_addr)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        with _run_folder(paths, None) as (config_file, _):
            server = subprocess.Popen([sys.executable, "-m", "zensical", "serve", "--config-file", str(config_file),
                                       "--dev-addr", dev_addr], cwd=paths.root, stdin=subprocess.DEVNULL)
            try:
                server.wait()
            finally:
                if server.poll() is None:
                    server.terminate()
                    try:
                        server.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        server.kill()
                        server.wait()
