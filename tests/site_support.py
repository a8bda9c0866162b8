"""Helpers for the site tests: a throw-away project holding some content plus the repository's
own mkdocs.yml and site templates, so tests build exactly what the shipped site builds."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

from generator.build import generate_docs
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from generator.siteconfig import DEFAULT_SITE_URL, read_site_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "samples" / "basic"
SAMPLE_CONTENT = SAMPLE / "content"
EXPECTED_DOCS = SAMPLE / "expected_docs"
TEST_SITE_URL = "https://theses.example.net/"
"""What the tests set SITE_URL to (conftest.py), so the shipped mkdocs.yml has a real site_url."""
EPOCH = "1700000000"
"""SOURCE_DATE_EPOCH for builds outside git (the `epoch` fixture in conftest.py sets it)."""


def make_project(root: Path, content: Path = SAMPLE_CONTENT) -> ProjectPaths:
    """A project at `root`: a copy of `content`, the repository's mkdocs.yml and templates."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(content, root / "content")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return ProjectPaths(root)


def sample_thesis(paths: ProjectPaths) -> Path:
    """The file of the sample's `memory-bound-inference` thesis in a project made by `make_project`."""
    return next(p for p in (paths.content / "theses").iterdir() if p.stem == "memory-bound-inference")


def render_docs(paths: ProjectPaths, site_url: str = DEFAULT_SITE_URL) -> dict[str, bytes]:
    """The docs tree the generator makes for a project, in memory (no mkdocs run), with the
    project's settings; absolute links start at `site_url` (default: the placeholder, as in the golden tree)."""
    result = check_project(paths, jobs=1)
    assert not result.errors, [d.format_text() for d in result.errors]
    assert result.publication is not None
    settings = dataclasses.replace(read_site_settings(paths), site_url=site_url)
    return generate_docs(paths, result.publication, settings)


NOT_GOLDEN = ("cards/",)
"""Docs-tree folders the golden tree leaves out: share cards are PNGs whose bytes follow the
installed Pillow (its zlib and FreeType), not the generator; tests/test_cards.py checks them."""


def golden_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The part of a docs tree the golden tree holds."""
    return {path: data for path, data in files.items() if not path.startswith(NOT_GOLDEN)}


def write_golden(files: dict[str, bytes]) -> None:
    """Replace the golden tree with `files` (the golden test does, under UPDATE_EXPECTED=1)."""
    if EXPECTED_DOCS.exists():
        shutil.rmtree(EXPECTED_DOCS)
    for relpath, data in golden_files(files).items():
        target = EXPECTED_DOCS / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` as relative path → bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def raising(message: str) -> Callable[[], None]:
    def fail() -> None:
        raise RuntimeError(message)
    return fail


# --------------------------------------------------------------------------- the live preview


def wait_for(predicate: Callable[[], bool], seconds: float, interval: float = 0.2) -> bool:
    """Poll `predicate` until it holds (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def fetch(url: str) -> str | None:
    """The page at `url`, or None while nothing (or an error status) answers there."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


PREVIEW_PORT_ATTEMPTS = 5
"""Ports tried before giving up when another process takes the chosen one first."""


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _exited_or_answering(server: subprocess.Popen[bytes], base: str, expect: str) -> bool:
    return server.poll() is not None or expect in (fetch(base) or "")


@contextlib.contextmanager
def preview(root: Path, log: Path, *options: str, expect: str, env: dict[str, str] | None = None,
            seconds: float = 120) -> Iterator[str]:
    """`thesis-site serve` of the project at `root` on 127.0.0.1, yielding its base URL once its home
    page answers with `expect` in it (what only this server injects, e.g. its reload script);
    stopped on exit, its stderr in `log`.

    The server must be told its port, so a port is chosen free and may be taken by another process
    before the server binds it: then the server exits with "Address already in use" and the
    preview starts again on another port."""
    for attempt in range(1, PREVIEW_PORT_ATTEMPTS + 1):
        port = _unused_port()
        base = f"http://127.0.0.1:{port}/"
        with log.open("w", encoding="utf-8") as sink:
            server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root),
                                       "--dev-addr", f"127.0.0.1:{port}", *options],
                                      env=env, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            ready = wait_for(functools.partial(_exited_or_answering, server, base, expect), seconds)
            if server.poll() is not None:
                output = log.read_text(encoding="utf-8", errors="replace")
                if os.strerror(errno.EADDRINUSE) in output and attempt < PREVIEW_PORT_ATTEMPTS:
                    continue
                raise AssertionError(f"the preview exited with status {server.returncode}:\n{output}")
            assert ready, f"the preview never answered at {base}:\n{log.read_text(encoding='utf-8', errors='replace')}"
            yield base
            return
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def search_shards(site: Path) -> list[Path]:
    """The shards of a built site's Pagefind index, as `pagefind/shards.js` lists them for the
    search box; each holds Pagefind's client and an index."""
    import json

    text = (site / "pagefind" / "shards.js").read_text(encoding="utf-8")
    listed = json.loads(text.removeprefix("window.thesisSiteSearchShards = ").rstrip().removesuffix(";"))
    shards = [site / "pagefind" / name for name in listed]
    for shard in shards:
        assert (shard / "pagefind.js").is_file() and (shard / "pagefind-entry.json").is_file(), shard
        assert any((shard / "index").iterdir()) and any((shard / "fragment").iterdir()), shard
    assert shards, "no shard listed"
    return shards


def search_records(site: Path) -> list[dict[str, object]]:
    """What Pagefind indexed of a built site: one record (url, content, meta) per page it keeps,
    read from its fragments (gzip, a `pagefind_dcd` header, then JSON)."""
    import gzip
    import json

    records = []
    for fragment in sorted(f for shard in search_shards(site) for f in (shard / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd"), fragment
        records.append(json.loads(data[len(b"pagefind_dcd"):]))
    return records

