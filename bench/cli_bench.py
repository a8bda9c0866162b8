"""The build and preview numbers of issue 14, measured through the CLI a user runs, in one run.

    python bench/cli_bench.py                            # 1,000 and 5,000 sources
    python bench/cli_bench.py --sizes 20000              # one size (repeatable: --sizes 1000 --sizes 5000)
    python bench/cli_bench.py --sizes 300 --compare 300  # a quick check, a few minutes
    python bench/cli_bench.py --skip serve --skip baseline --repeat 2 --json numbers.json

For each size a fresh corpus (bench/make_corpus.py, seed 1) is written into a temporary project
under bench/out/ with copies of the repository's mkdocs.yml and site_templates/, and committed to
a git repository of its own (fixed author and dates), as a real project is: the build reads the
history of every thesis from git and takes the publication's date from the last commit. Then,
each command in a child process (`python -m generator ...` = `thesis-site ...`), timed by the
wall clock from start to exit, imports included, its peak RSS from wait4 (the largest process of
its tree, Pagefind included):

  clean build       `build --clean` with no previous output (site/ and build/ set aside first;
                    without --clean in the CLI, setting them aside is what makes it clean)
  bare mkdocs       `python -m mkdocs build` of the docs tree the clean build wrote
  Pagefind alone    `python -m pagefind` over that bare mkdocs site, as the build runs it
  search            what a browser downloads for a first query of a word from a quote: the
                    modular UI, Pagefind's client and worker, and what Pagefind's own client
                    fetches for the word (bench/first_query.mjs, run with node on the built site):
                    entry, wasm, metadata, index chunks, the fragments of the first 5 results
  no-change rebuild `build` again, nothing changed
  one-edit rebuild  one thesis's summary edited and committed (an hour later, the same day),
                    then `build`
  baseline          `build` of the same content by the generator of --baseline (default the
                    commit before issue 14), extracted with `git archive`, with that commit's
                    templates and mkdocs.yml, its clean builds interleaved with the others
  compare           (at --compare sizes) the one-edit site set aside, a clean build of the same
                    commit, the two compared byte for byte
  serve             `serve --dev-addr`; once the edited thesis's page answers and the server is
                    back at its idle CPU (not zero: mkdocs' watcher polls), N edits
                    (--serve-edits, default 20) of that thesis's summary, each timed from
                    writing the file until a GET of the page (every 50 ms) returns the new text,
                    the server back at its idle level before the next. Latency: median and 90th
                    percentile (nearest rank) of the first 5; memory: VmRSS of the server's
                    process tree before the first edit and after the last, VmHWM, and its peak
                    RSS from wait4 when it is stopped.

Times are the best of --repeat runs. Nothing is deleted while anything is timed (see site_bench's
`set_aside`): old output is renamed aside and the whole folder removed at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import errno
import filecmp
import functools
import io
import itertools
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))  # this checkout's generator, as in the commands' PYTHONPATH
sys.path.insert(0, str(BENCH))

DEFAULT_SIZES = (1_000, 5_000)
DEFAULT_COMPARE = (1_000,)
DEFAULT_BASELINE = "9f7b930"
"""The generator before issue 14: the clean build's speed-up is measured against it."""
SEED = 1
STAGES = ("baseline", "mkdocs", "pagefind", "search", "compare", "serve")
SITE_URL = "https://bench.example.org/"
COMMIT_TIME = 1_767_600_000
"""2026-01-05 08:00 UTC: the corpus's commit; edit n is committed n hours later, the same day, so
the publication's date (the day of the last commit) stays what it was."""
PROJECT_GITIGNORE = "/site/\n/build/\n/.site-*\n/.thesis-site-lock\n/.cache/\n/.set-aside/\n/site-bare/\n/logs/\n"

EDIT_LIMIT = 0.10
NO_CHANGE_LIMIT = 0.05
SPEED_UP_TARGET = 1.5
P90_LIMIT = 4.0
LATENCY_EDITS = 5
SEARCH_RESULTS = 5
"""Results whose fragments a first query loads: the first page of Pagefind's result lists."""
AROUND_THE_CLIENT = ("pagefind-modular-ui.js", "pagefind-modular-ui.css", "shards.js", "pagefind.js", "pagefind-worker.js")
"""What a browser loads besides the files Pagefind's client fetches: the site's search box (the
modular UI and the list of the index's shards, on every page) and Pagefind's client and its web
worker (on the first query, from the first shard listed)."""


class BenchFailure(Exception):
    """A command failed or a wait ran out; the message says which and ends with its output."""


# ----------------------------------------------------------------------- commands, timed


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    output: str


def run_timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Run:
    """Run `command` to its end: wall-clock seconds, peak RSS (MB) of its process tree, its output."""
    os.sync()  # no earlier writes pending while this one runs
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w+b") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        sink.seek(0)
        output = sink.read().decode("utf-8", errors="replace")
    if child.returncode != 0:
        raise BenchFailure(f"{' '.join(command[1:])} exited with {child.returncode}:\n{tail(output)}")
    return Run(seconds, usage.ru_maxrss / 1024, output)


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def built_pages(output: str) -> int | None:
    """The page count `build` prints ("built N pages into ..."), if it does."""
    found = re.findall(r"built (\d+) pages?", output)
    return int(found[-1]) if found else None


def move_aside(path: Path) -> Path | None:
    """Rename `path` into the project's `.set-aside/` instead of deleting it (see site_bench's
    `set_aside`: deleting a large tree slows the file creations that follow it); its new place."""
    if not path.exists():
        return None
    aside = path.parent / ".set-aside"
    aside.mkdir(exist_ok=True)
    moved = aside / f"{path.name}-{sum(1 for _ in aside.iterdir())}"
    path.rename(moved)
    return moved


# ----------------------------------------------------------------------- a project in git


def git_environment(env: dict[str, str]) -> dict[str, str]:
    """No user or system git configuration, a fixed author: the same commits on every machine."""
    return dict(env, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="Bench Author",
                GIT_AUTHOR_EMAIL="bench@example.org", GIT_COMMITTER_NAME="Bench Author",
                GIT_COMMITTER_EMAIL="bench@example.org")


def child_environment(code: Path, parent: Path) -> dict[str, str]:
    """The environment of every command: the generator from `code`, git confined to the project,
    no SOURCE_DATE_EPOCH (a user's build takes the last commit's time), a published site address."""
    env = git_environment(dict(os.environ, PYTHONPATH=str(code), GIT_CEILING_DIRECTORIES=str(parent),
                               NO_MKDOCS_2_WARNING="1", SITE_URL=SITE_URL))
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    clean_option: bool
    """Whether this generator's `build` has --clean (the one before issue 14 has not)."""
    logs: list[Path] = field(default_factory=list)

    def log(self, name: str) -> Path:
        path = self.root / "logs" / f"{len(self.logs):03d}-{name}.log"
        self.logs.append(path)
        return path

    def git(self, *args: str) -> None:
        done = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchFailure(f"git {' '.join(args)}: {done.stderr.strip()}")

    def commit(self, message: str, when: int, *paths: str) -> None:
        self.git("add", "--", *paths)
        stamp = f"@{when} +0000"
        self.env = dict(self.env, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        self.git("commit", "-q", "--no-verify", "-m", message)

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "generator", *args, "--root", str(self.root)]

    def build(self, name: str) -> Run:
        return run_timed(self.cli("build"), self.root, self.env, self.log(name))

    def clean_build(self, name: str = "clean") -> Run:
        for output in ("site", "build", ".cache"):
            move_aside(self.root / output)
        command = self.cli("build", *(["--clean"] if self.clean_option else []))
        return run_timed(command, self.root, self.env, self.log(name))

    def bare_mkdocs(self) -> Run:
        """`mkdocs build` of the docs tree as the last build left it, into a folder of its own."""
        move_aside(self.root / "site-bare")
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(self.root / "mkdocs.yml"),
                   "-d", str(self.root / "site-bare")]
        return run_timed(command, self.root, self.env, self.log("bare-mkdocs"))

    def pagefind_alone(self) -> Run:
        """Pagefind over the bare mkdocs site, with the options the build gives it (`generator.search`)."""
        try:
            from generator.search import EXCLUDED, SEARCH_FOLDER
        except ImportError as error:
            raise BenchFailure(f"generator.search: {error}") from error
        command = [sys.executable, "-m", "pagefind", "--site", str(self.root / "site-bare"), "--output-subdir",
                   SEARCH_FOLDER, "--exclude-selectors", EXCLUDED, "--silent"]
        return run_timed(command, self.root, self.env, self.log("pagefind"))


def has_clean_option(env: dict[str, str], cwd: Path) -> bool:
    shown = subprocess.run([sys.executable, "-m", "generator", "build", "--help"], cwd=cwd, env=env,
                           capture_output=True, text=True, check=False)
    return "--clean" in shown.stdout


def new_project(root: Path, code: Path, parent: Path, content: Path | None, sources: int) -> Project:
    """A project at `root`: a fresh corpus (or a copy of `content`), `code`'s mkdocs.yml and
    site_templates/, committed at COMMIT_TIME."""
    from make_corpus import make_corpus

    root.mkdir(parents=True)
    if content is None:
        make_corpus(root, sources=sources, seed=SEED)
    else:
        shutil.copytree(content, root / "content")
    shutil.copytree(code / "site_templates", root / "site_templates")
    shutil.copy2(code / "mkdocs.yml", root / "mkdocs.yml")
    (root / ".gitignore").write_text(PROJECT_GITIGNORE, encoding="utf-8")
    env = child_environment(code, parent)
    project = Project(root, env, has_clean_option(env, root))
    project.git("init", "-q")
    project.commit("Content", COMMIT_TIME, "content", "site_templates", "mkdocs.yml", ".gitignore")
    return project


def extract_generator(ref: str, into: Path) -> Path:
    """The generator, templates and mkdocs.yml of commit `ref` of this repository, in `into`."""
    done = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "generator", "site_templates",
                           "mkdocs.yml"], capture_output=True, check=False)
    if done.returncode != 0:
        raise BenchFailure(f"git archive {ref}: {done.stderr.decode('utf-8', errors='replace').strip()}")
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(into, filter="data")
    # Compiled now, so that the first timed build does not compile it (the current code's is compiled already).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "generator")], capture_output=True, check=False)
    return into


# ----------------------------------------------------------------------- the edit


SUMMARY = re.compile(r"^summary:[ \t]*(.*)$", re.MULTILINE)
BLOCK_INDICATORS = re.compile(r"^[>|][-+]?\d?[ \t]*(#.*)?$")


def with_marker(text: str, marker: str) -> str:
    """A thesis file's text with `marker` (plain words) put at the start of its summary, whether the
    summary is a block scalar (`summary: >-` and indented lines) or a plain one on the key's line."""
    found = SUMMARY.search(text)
    if found is None:
        raise BenchFailure("the thesis to edit has no `summary:` line")
    value = found.group(1)
    if value and not BLOCK_INDICATORS.match(value):
        if value[0] in "'\"":
            raise BenchFailure("the thesis to edit has a quoted summary")
        return text[:found.start(1)] + f"{marker} " + text[found.start(1):]
    line_start = found.end() + 1
    indent = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
    return text[:line_start + indent] + f"{marker} " + text[line_start + indent:]


@dataclass(frozen=True)
class EditTarget:
    """The thesis the benchmark edits (the first by file name) and its text before the edits."""

    path: Path
    thesis: str
    original: str

    @classmethod
    def first_thesis(cls, root: Path) -> EditTarget:
        path = min((root / "content" / "theses").glob("*.*"))
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^id:[ \t]*(\S+)", text, re.MULTILINE)
        return cls(path, found.group(1) if found else path.stem, text)

    def write(self, number: int) -> str:
        """Edit number `number`: the marker the edited page shows."""
        marker = f"Revised in benchmark edit {number}."
        self.path.write_text(with_marker(self.original, marker), encoding="utf-8")
        return marker

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def quote_word(root: Path) -> str:
    """The query of the first search: the first word of five letters or more in the first quote of
    the first thesis (by file name) that has one."""
    for path in sorted((root / "content" / "theses").glob("*.*")):
        for quote in re.findall(r"^[ \t-]*quote:[ \t]*(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE):
            words = re.findall(r"[A-Za-z]{5,}", quote)
            if words:
                return words[0].lower()
    raise BenchFailure("no quote with a word of five letters in the corpus")


# ----------------------------------------------------------------------- search


def first_query(site: Path, word: str, results: int = SEARCH_RESULTS) -> dict:
    """What a browser downloads to answer a first query for `word` on the built `site`: bytes per
    site path, Pagefind's own fetches found by running its client (bench/first_query.mjs)."""
    node = shutil.which("node")
    if node is None:
        raise BenchFailure("node is not installed: it runs Pagefind's client")
    if not (site / "pagefind" / "shards.js").is_file():
        raise BenchFailure(f"no Pagefind index in {site.name}/ (an offline site, or another renderer?)")
    done = subprocess.run([node, str(BENCH / "first_query.mjs"), str(site), word, str(results)],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise BenchFailure(f"first_query.mjs exited with {done.returncode}:\n{tail(done.stderr)}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    primary = f"pagefind/{answer['shards'][0]}"
    files = {f"{folder}{name}": (site / folder / name).stat().st_size
             for folder in ("pagefind/", primary) for name in AROUND_THE_CLIENT if (site / folder / name).is_file()}
    files.update(answer["fetched"])
    return {"word": word, "results": answer["results"], "first": answer["first"], "files": files,
            "bytes": sum(files.values()), "shards": len(answer["shards"])}


# ----------------------------------------------------------------------- compare


def tree_size(root: Path) -> dict[str, int]:
    """Files and bytes under `root` (what a host stores and a runner's disk holds)."""
    sizes = [p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return {"files": len(sizes), "bytes": sum(sizes)}


def differing_paths(one: Path, other: Path) -> list[str]:
    """Site paths whose bytes differ between two trees, or that only one of them has."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}

    mine, theirs = files(one), files(other)
    differing = mine ^ theirs
    differing |= {name for name in mine & theirs if not filecmp.cmp(one / name, other / name, shallow=False)}
    return sorted(differing)


def compare_with_clean(project: Project) -> dict:
    """The incremental site as the last rebuild left it, against a clean build of the same commit."""
    incremental = move_aside(project.root / "site")
    if incremental is None:
        raise BenchFailure("no site to compare")
    run = project.clean_build("clean-of-the-edited-commit")
    differing = differing_paths(incremental, project.root / "site")
    return {"identical": not differing, "differing": differing, "clean_seconds": run.seconds}


# ----------------------------------------------------------------------- serve


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(parents.get(current, ()))
    return tree


def tree_memory(pid: int) -> dict[str, float]:
    """VmRSS summed over the tree and the largest VmHWM in it, in MB."""
    rss = hwm = 0.0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        rss += int(values.get("VmRSS", 0)) / 1024
        hwm = max(hwm, int(values.get("VmHWM", 0)) / 1024)
    return {"rss_mb": rss, "hwm_mb": hwm}


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of the tree so far, the children it has reaped included."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_rate(pid: int, window: float = 1.0) -> float:
    """Cores the tree used over the next `window` seconds."""
    before = tree_cpu_seconds(pid)
    time.sleep(window)
    return (tree_cpu_seconds(pid) - before) / window


def idle_rate(pid: int, seconds: float = 120) -> float:
    """What the server uses doing nothing, in cores: not zero, as mkdocs' live-reload watcher polls
    the docs tree twice a second. The level of three steady one-second windows below one core (a
    build keeps a core busy), else the least seen in `seconds`."""
    rates: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rates.append(cpu_rate(pid))
        last = rates[-3:]
        if len(last) == 3 and max(last) - min(last) <= 0.05 and max(last) < 0.9:
            return statistics.mean(last)
    return min(rates)


def settle(pid: int, idle: float, seconds: float = 600) -> None:
    """Wait until the server is back at its idle level for two seconds running (it has finished
    rebuilding and indexing after an edit), or `seconds` have passed."""
    threshold = idle * 1.25 + 0.1
    quiet = 0
    deadline = time.monotonic() + seconds
    while quiet < 2 and time.monotonic() < deadline:
        quiet = quiet + 1 if cpu_rate(pid) <= threshold else 0


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def exited_or_showing(child: subprocess.Popen, url: str, text: str) -> bool:
    """Whether the server has exited, or the page at `url` answers with `text` in it."""
    if child.poll() is not None:
        return True
    page = fetch(url)
    return page is not None and text in page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, seconds: float, interval: float) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def stop(child: subprocess.Popen) -> float | None:
    """Stop the server as Ctrl-C does (then harder); its peak RSS in MB from wait4, if reaped here."""
    for sent, grace in ((signal.SIGINT, 30), (signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        if child.returncode is not None:
            return None  # reaped already (it exited by itself): its rusage is gone
        os.kill(child.pid, sent)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                reaped, status, usage = os.wait4(child.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if reaped:
                child.returncode = os.waitstatus_to_exitcode(status)
                return usage.ru_maxrss / 1024
            time.sleep(0.1)
    return None


def start_preview(project: Project, page: str, ready_seconds: float) -> tuple[subprocess.Popen, str]:
    """`serve` on a free port, once the thesis page answers; a port another process takes
    between choosing and binding it is tried again elsewhere."""
    for _ in range(5):
        port = free_port()
        log = project.log("serve")
        sink = log.open("wb")
        child = subprocess.Popen(project.cli("serve", "--dev-addr", f"127.0.0.1:{port}"), cwd=project.root,
                                 env=project.env, stdout=sink, stderr=subprocess.STDOUT)
        sink.close()
        url = f"http://127.0.0.1:{port}/{page}"
        wait_until(functools.partial(exited_or_showing, child, url, ""), ready_seconds, 0.5)
        output = log.read_text(encoding="utf-8", errors="replace")
        if child.poll() is None and fetch(url) is not None:
            return child, url
        if child.poll() is None:
            stop(child)
            raise BenchFailure(f"serve did not answer at {url} within {ready_seconds:.0f} s:\n{tail(output)}")
        if os.strerror(errno.EADDRINUSE) not in output:
            raise BenchFailure(f"serve exited with {child.returncode}:\n{tail(output)}")
    raise BenchFailure("serve found no free port in 5 tries")


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure_serve(project: Project, edits: int, ready_seconds: float, edit_seconds: float) -> dict:
    target = EditTarget.first_thesis(project.root)  # as committed, the build's edits included
    start = time.perf_counter()
    child, url = start_preview(project, f"theses/{target.thesis}/", ready_seconds)
    try:
        ready = time.perf_counter() - start
        idle = idle_rate(child.pid)
        before = tree_memory(child.pid)
        latencies, samples = [], []
        for number in range(1, edits + 1):
            began = time.perf_counter()
            marker = target.write(1000 + number)
            shown = wait_until(functools.partial(exited_or_showing, child, url, marker), edit_seconds, 0.05)
            if not shown or child.poll() is not None:
                happened = f"serve exited with {child.returncode}" if child.poll() is not None else \
                    f"the page did not show it within {edit_seconds:.0f} s"
                raise BenchFailure(f"edit {number}: {happened}:\n"
                                   f"{tail(project.logs[-1].read_text(encoding='utf-8', errors='replace'))}")
            latencies.append(time.perf_counter() - began)
            settle(child.pid, idle)
            samples.append(tree_memory(child.pid))
    finally:
        target.restore()
        peak = stop(child)
    first = latencies[:LATENCY_EDITS]
    return {"ready_seconds": ready, "idle_cores": idle, "latencies": latencies, "median": statistics.median(first),
            "p90": percentile(first, 0.9), "rss_before_mb": before["rss_mb"], "rss_after_mb": samples[-1]["rss_mb"],
            "rss_by_edit_mb": [s["rss_mb"] for s in samples], "hwm_mb": max(s["hwm_mb"] for s in samples),
            "peak_mb": peak}


# ----------------------------------------------------------------------- one size


def failed(row: dict, key: str, failure: BenchFailure) -> None:
    """Note a stage's failure in the row (its first line; the whole message goes to stderr)."""
    row.setdefault("failed", {})[key] = str(failure).splitlines()[0]
    print(f"  {key} failed: {failure}", file=sys.stderr)


def optional(row: dict, key: str, measure) -> None:
    """row[key] = measure(), or the failure noted: one stage failing leaves the others' numbers."""
    try:
        row[key] = measure()
    except BenchFailure as failure:
        failed(row, key, failure)


def baseline_project(folder: Path, ref: str, content: Path, sources: int) -> Project:
    """The same content, committed the same way, with the generator, templates and mkdocs.yml of `ref`."""
    code = folder / "baseline-code"
    if not code.exists():
        extract_generator(ref, code)
    return new_project(folder / f"{sources}-baseline", code, folder, content, sources)


def best(runs: list[Run]) -> dict:
    fastest = min(runs, key=lambda run: run.seconds)
    return {"seconds": fastest.seconds, "all_seconds": [run.seconds for run in runs],
            "peak_mb": max(run.peak_mb for run in runs)}


def collected(row: dict, key: str, runs: list[Run], action) -> bool:
    """Append action()'s run to `runs`, or note its failure in the row; whether it ran."""
    try:
        runs.append(action())
        return True
    except BenchFailure as failure:
        failed(row, key, failure)
        return False


def time_builds(project: Project, baseline: Project | None, row: dict, options: argparse.Namespace) -> None:
    """The timed builds of one size, --repeat times: baseline and current clean builds in turn,
    bare mkdocs and Pagefind on the clean build's tree, then the no-change and one-edit rebuilds."""
    skip = set(options.skip)
    target = EditTarget.first_thesis(project.root)
    runs: dict[str, list[Run]] = {key: [] for key in ("baseline", "clean", "mkdocs", "pagefind", "no_change", "one_edit")}
    for attempt in range(1, options.repeat + 1):
        print(f"{row['sources']} sources, run {attempt}: builds", file=sys.stderr)
        if baseline is not None and not collected(row, "baseline", runs["baseline"],
                                                  functools.partial(baseline.clean_build, "baseline-clean")):
            baseline = None
        runs["clean"].append(project.clean_build())
        if attempt == 1:
            row["pages"] = built_pages(runs["clean"][-1].output)
            row["site"], row["docs_tree"] = tree_size(project.root / "site"), tree_size(project.root / "build" / "docs")
            if "search" not in skip:
                optional(row, "search", lambda: first_query(project.root / "site", quote_word(project.root)))
        if "mkdocs" not in skip and collected(row, "mkdocs", runs["mkdocs"], project.bare_mkdocs) \
                and "pagefind" not in skip:
            collected(row, "pagefind", runs["pagefind"], project.pagefind_alone)
        runs["no_change"].append(project.build("no-change"))
        target.write(attempt)
        project.commit(f"Edit {attempt}", COMMIT_TIME + 3600 * attempt, "content")
        runs["one_edit"].append(project.build("one-edit"))
    row.update({key: best(found) for key, found in runs.items() if found})


def measure_size(sources: int, folder: Path, options: argparse.Namespace) -> dict:
    skip = set(options.skip)
    print(f"{sources} sources: corpus and git", file=sys.stderr)
    project = new_project(folder / str(sources), REPO, folder, None, sources)
    row: dict = {"sources": sources, "clean_option": project.clean_option}
    baseline = None
    if "baseline" not in skip:
        try:
            baseline = baseline_project(folder, options.baseline, project.root / "content", sources)
            row["baseline_ref"] = options.baseline
        except BenchFailure as failure:
            failed(row, "baseline", failure)
    time_builds(project, baseline, row, options)
    if "compare" not in skip and sources in options.compare:
        print(f"{sources} sources: clean build of the edited commit, compared", file=sys.stderr)
        optional(row, "compare", lambda: compare_with_clean(project))
    if "serve" not in skip:
        print(f"{sources} sources: serve, {options.serve_edits} edits", file=sys.stderr)
        optional(row, "serve", lambda: measure_serve(project, options.serve_edits, options.ready_timeout,
                                                     options.edit_timeout))
    return row


# ----------------------------------------------------------------------- the table


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def cell(row: dict, key: str, show) -> str:
    if key in row:
        return show(row[key])
    if key in row.get("failed", {}):
        return "failed"
    return "–"


def ratios(row: dict) -> dict[str, float]:
    clean = row["clean"]["seconds"]
    found = {"edit": row["one_edit"]["seconds"] / clean, "no_change": row["no_change"]["seconds"] / clean}
    if "baseline" in row:
        found["speed_up"] = row["baseline"]["seconds"] / clean
    return found


def verdict(holds: bool) -> str:
    return "yes" if holds else "**no**"


def print_tables(rows: list[dict]) -> None:
    print("\n| sources | pages | clean build | no-change rebuild | one-edit rebuild | one-edit site = clean site "
          "| baseline clean build | bare mkdocs | Pagefind alone | preview latency, median / p90 | peak RSS, build / serve "
          "| serve RSS, before → after edits | first query downloads | site on disk |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        serve = row.get("serve")
        columns = [
            f"{row['sources']:,}", f"{row['pages']:,}" if row.get("pages") else "–",
            seconds(row["clean"]["seconds"]), seconds(row["no_change"]["seconds"]), seconds(row["one_edit"]["seconds"]),
            cell(row, "compare", lambda c: "yes" if c["identical"] else f"**no** ({len(c['differing'])} files)"),
            cell(row, "baseline", lambda b: seconds(b["seconds"])),
            cell(row, "mkdocs", lambda m: seconds(m["seconds"])),
            cell(row, "pagefind", lambda m: seconds(m["seconds"])),
            cell(row, "serve", lambda s: f"{s['median']:.2f} / {s['p90']:.2f} s"),
            f"{row['clean']['peak_mb']:,.0f} / " + (f"{serve['peak_mb'] or serve['hwm_mb']:,.0f} MB" if serve else "– MB"),
            cell(row, "serve", lambda s: f"{s['rss_before_mb']:,.0f} → {s['rss_after_mb']:,.0f} MB "
                                         f"({len(s['latencies'])} edits)"),
            cell(row, "search", lambda s: f"{s['bytes'] / 1000:,.0f} KB"),
            f"{row['site']['bytes'] / 1e6:,.0f} MB",
        ]
        print("| " + " | ".join(columns) + " |")

    print(f"\n| sources | one edit / clean (≤ {EDIT_LIMIT:.0%}) | no change / clean (≤ {NO_CHANGE_LIMIT:.0%}) "
          f"| clean build, speed-up over the baseline (≥ {SPEED_UP_TARGET}× at 5,000) "
          f"| preview p90 (≤ {P90_LIMIT:.0f} s) | serve memory over the edits |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        found = ratios(row)
        speed_up = found.get("speed_up")
        serve = row.get("serve")
        columns = [
            f"{row['sources']:,}",
            f"{found['edit']:.1%} {verdict(found['edit'] <= EDIT_LIMIT)}",
            f"{found['no_change']:.1%} {verdict(found['no_change'] <= NO_CHANGE_LIMIT)}",
            "–" if speed_up is None else f"{speed_up:.2f}× {verdict(speed_up >= SPEED_UP_TARGET)}",
            "–" if serve is None else f"{serve['p90']:.2f} s {verdict(serve['p90'] <= P90_LIMIT)}",
            "–" if serve is None else f"{serve['rss_after_mb'] - serve['rss_before_mb']:+,.0f} MB",
        ]
        print("| " + " | ".join(columns) + " |")
    print_details(rows)
    print_growth(rows)


def print_details(rows: list[dict]) -> None:
    print()
    for row in rows:
        n = f"{row['sources']:,} sources:"
        runs = ", ".join(f"{name} {' / '.join(seconds(s) for s in row[key]['all_seconds'])} "
                         f"(peak {row[key]['peak_mb']:,.0f} MB)"
                         for name, key in (("clean", "clean"), ("no-change", "no_change"), ("one-edit", "one_edit"),
                                           ("baseline", "baseline"), ("bare mkdocs", "mkdocs"),
                                           ("Pagefind", "pagefind")) if key in row)
        print(f"{n} {runs}; `build --clean` {'used' if row['clean_option'] else 'not in this CLI (output set aside)'}"
              + (f"; baseline {row['baseline_ref']}" if "baseline_ref" in row else ""))
        print(f"{n} the clean build's site holds {row['site']['files']:,} files, {row['site']['bytes'] / 1e6:,.1f} MB; "
              f"its docs tree {row['docs_tree']['files']:,} files, {row['docs_tree']['bytes'] / 1e6:,.1f} MB")
        if "compare" in row and row["compare"]["differing"]:
            shown = row["compare"]["differing"][:20]
            print(f"{n} the one-edit site differs from a clean build in {len(row['compare']['differing'])} files: "
                  + ", ".join(shown) + (" …" if len(row["compare"]["differing"]) > 20 else ""))
        if "serve" in row:
            serve = row["serve"]
            print(f"{n} serve answered after {seconds(serve['ready_seconds'])}, using {serve['idle_cores']:.2f} "
                  f"cores when idle; edit latencies "
                  + ", ".join(f"{s:.2f}" for s in serve["latencies"])
                  + f" s; median / p90 of all {len(serve['latencies'])}: {statistics.median(serve['latencies']):.2f} / "
                  f"{percentile(serve['latencies'], 0.9):.2f} s; RSS after each edit "
                  + ", ".join(f"{m:,.0f}" for m in serve["rss_by_edit_mb"]) + f" MB; VmHWM {serve['hwm_mb']:,.0f} MB")
        if "search" in row:
            search = row["search"]
            data = sum(size for name, size in search["files"].items() if name.split("/")[-1] not in AROUND_THE_CLIENT)
            print(f"{n} first query {search['word']!r}: {search['results']} results, {len(search['files'])} files, "
                  f"{search['bytes']:,} bytes ({search['bytes'] - data:,} the search box and Pagefind's client, "
                  f"{data:,} its entry, wasm, metadata, index chunks and {SEARCH_RESULTS} results' fragments)")
        for stage, reason in row.get("failed", {}).items():
            print(f"{n} {stage} failed: {reason}")


GROWTH = (("pages", lambda r: r.get("pages")), ("clean build", lambda r: r["clean"]["seconds"]),
          ("no-change rebuild", lambda r: r["no_change"]["seconds"]), ("one-edit rebuild", lambda r: r["one_edit"]["seconds"]),
          ("bare mkdocs", lambda r: r.get("mkdocs", {}).get("seconds")),
          ("Pagefind alone", lambda r: r.get("pagefind", {}).get("seconds")),
          ("peak RSS, bare mkdocs", lambda r: r.get("mkdocs", {}).get("peak_mb")),
          ("peak RSS, clean build", lambda r: r["clean"]["peak_mb"]),
          ("preview latency, median", lambda r: r.get("serve", {}).get("median")),
          ("serve RSS", lambda r: r.get("serve", {}).get("rss_after_mb")),
          ("first query bytes", lambda r: r.get("search", {}).get("bytes")),
          ("site on disk", lambda r: r["site"]["bytes"]))


def print_growth(rows: list[dict]) -> None:
    """How each number grows between consecutive sizes: k in value ∝ sources^k (1 = linear)."""
    rows = sorted(rows, key=lambda r: r["sources"])
    if len(rows) < 2:
        return
    print("\nGrowth with the corpus, k in value ∝ sources^k (1 linear, above 1 superlinear):\n")
    pairs = list(itertools.pairwise(rows))
    print("| number | " + " | ".join(f"{a['sources']:,} → {b['sources']:,}" for a, b in pairs) + " |")
    print("|---|" + "---:|" * len(pairs))
    for name, value in GROWTH:
        cells = []
        for a, b in pairs:
            va, vb = value(a), value(b)
            cells.append(f"{math.log(vb / va) / math.log(b['sources'] / a['sources']):.2f}" if va and vb else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")


# ----------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, action="append", help="corpus size in sources (repeatable; default 1000, 5000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each build, best kept (default 1)")
    parser.add_argument("--skip", action="append", default=[], choices=STAGES, help="leave a stage out (repeatable)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"commit of the earlier generator (default {DEFAULT_BASELINE})")
    parser.add_argument("--compare", type=int, action="append", help="sizes at which the one-edit site is compared "
                        "byte for byte with a clean build (repeatable; default 1000)")
    parser.add_argument("--serve-edits", type=int, default=20, help="edits while serve runs (default 20; the first 5 give the latency)")
    parser.add_argument("--ready-timeout", type=float, default=3600, help="seconds to wait for serve's first build (default 3600)")
    parser.add_argument("--edit-timeout", type=float, default=900, help="seconds to wait for one edit to show (default 900)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--tmp", type=Path, help="folder for the temporary projects (default bench/out/)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (and print where)")
    options = parser.parse_args(argv)
    options.compare = options.compare or list(DEFAULT_COMPARE)
    if options.serve_edits < LATENCY_EDITS:
        parser.error(f"--serve-edits must be at least {LATENCY_EDITS}")

    parent = options.tmp or BENCH / "out"
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="cli-bench-", dir=parent)).resolve()
    started = time.perf_counter()
    try:
        rows = [measure_size(size, folder, options) for size in options.sizes or DEFAULT_SIZES]
    except BenchFailure as failure:
        print(f"benchmark failed: {failure}", file=sys.stderr)
        return 1
    finally:
        if options.keep:
            print(f"kept the projects in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nthesis-site through its CLI, {'one run' if options.repeat == 1 else f'best of {options.repeat} runs'} "
          f"of each build, {time.perf_counter() - started:.0f} s in all:")
    print_tables(rows)
    if options.json:
        options.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
