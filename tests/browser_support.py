"""Helpers for the browser tests: build the default site once, serve it on 127.0.0.1, drive
Debian's chromium through playwright, inject axe-core from node_modules.

Nothing here touches the network beyond 127.0.0.1: axe-core is installed beforehand by
`npm ci` (package.json / package-lock.json at the repository root; `.ci/run` does it), and
chromium is Debian's, never a browser downloaded by playwright.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"
LOCAL_HOST = "127.0.0.1"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

BLOCKING_IMPACTS = ("serious", "critical")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip locally when a browser-test prerequisite is missing; fail under CI=true, where a
    skipped browser suite would silently hide the site's only end-to-end check."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def check_prerequisites() -> None:
    require(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
            f"{CHROMIUM} is missing (install Debian's chromium: apt-get install chromium)")
    require(AXE.is_file(), f"{AXE.relative_to(REPO)} is missing (run `npm ci` at the repository root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is a test dependency
        require(False, "the playwright Python package is not installed (pip install -e '.[test]')")


# --------------------------------------------------------------------------- build and serve


def build_default_site(out: Path, *options: str) -> Path:
    """`thesis-site build --out OUT [OPTIONS]` from the repository root: the README's site, the
    shipped content, the repository's own history."""
    exe = shutil.which("thesis-site")
    command = [exe] if exe else [sys.executable, "-m", "generator"]
    completed = subprocess.run(command + ["build", "--out", str(out), *options], cwd=REPO,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, (
        f"thesis-site build failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    assert (out / "index.html").is_file(), f"no index.html in {out}"
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """A browser that closes a connection mid-response is normal; the stdlib would print its
    traceback to whatever stderr is current, which may be another test's captured output."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


@dataclass
class Server:
    httpd: http.server.ThreadingHTTPServer
    thread: threading.Thread

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def serve(directory: Path) -> Server:
    """A threaded static server on 127.0.0.1 and a free port (port 0: the OS picks one)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = _QuietServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    return Server(httpd, thread)


# --------------------------------------------------------------------------- page watching


def is_local(url: str) -> bool:
    """True for requests to 127.0.0.1 and for URLs that name no host at all (data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss", "ftp"):
        return parts.hostname == LOCAL_HOST
    return parts.scheme in ("data", "blob", "about")


@dataclass
class Watch:
    """Everything a page did that a test must look at: console errors, uncaught exceptions,
    failed responses and every request's URL."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)

    def attach(self, page) -> Watch:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", self._response)
        return self

    def _console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]

    def problems(self) -> list[str]:
        out = [f"console error: {m}" for m in self.console_errors]
        out += [f"uncaught exception: {m}" for m in self.page_errors]
        out += [f"HTTP error: {m}" for m in self.http_errors]
        out += [f"request leaving {LOCAL_HOST}: {u}" for u in self.foreign_requests()]
        return out


def block_foreign(context) -> None:
    """Abort any request to another host before it leaves the machine; the `request` event has
    already recorded it, so the test still fails on it."""
    def handle(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")
    context.route("**/*", handle)


# --------------------------------------------------------------------------- axe-core


def run_axe(page) -> list[dict]:
    """Inject axe-core from node_modules and return its violations (wcag2a/aa, 21a/aa, best
    practice), each reduced to what a failure message needs."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                resultTypes: ['violations'],
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                          summary: (n.failureSummary || '').slice(0, 400)})),
            }));
        }"""
    )


THEME_EXCEPTIONS = {("aria-dialog-name", ".md-search")}
"""(rule, selector) pairs in mkdocs-material's own markup that the project does not override: the
search dialog is hidden until opened and its input carries an aria-label; overriding the theme's
partial to name the dialog would mean maintaining a copy of it."""


def blocking(violations: list[dict]) -> list[dict]:
    kept = []
    for violation in violations:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        nodes = [n for n in violation["nodes"] if (violation["id"], n["target"]) not in THEME_EXCEPTIONS]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}\n      {node['html']}\n      {node['summary']}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more nodes")
    return "\n".join(lines)


# --------------------------------------------------------------------------- content


def thesis_front_matter(thesis_id: str) -> dict:
    """A shipped thesis's YAML (a .yaml file, or the front matter of a .md file)."""
    folder = REPO / "content" / "theses"
    for suffix in (".md", ".yaml", ".yml"):
        path = folder / f"{thesis_id}{suffix}"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if suffix == ".md":
                match = re.match(r"^---\r?\n(.*?)\r?\n---\r?\n", text, re.S)
                assert match, f"{path}: no front matter"
                text = match.group(1)
            return yaml.safe_load(text)
    raise FileNotFoundError(f"no thesis {thesis_id} under {folder}")


def squash(text: str) -> str:
    """Whitespace-normalised text, for comparing YAML folded scalars with rendered text."""
    return " ".join(text.split())
