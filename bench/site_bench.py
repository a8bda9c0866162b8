"""Benchmark the site build: the generator's share beside mkdocs-material, page sizes, search index.

    python bench/site_bench.py                      # 1,000 and 5,000 sources, one run of each stage
    python bench/site_bench.py --repeat 2 --detail  # best of 2; index and page sizes by page kind
    python bench/site_bench.py --sizes 1000         # one size (repeatable: --sizes 1000 --sizes 5000)
    python bench/site_bench.py --profile 5000       # cProfile of the generator (write_docs_tree), top 30 by own time
    python bench/run.py --site                      # the check table, then this one

For each size a fresh corpus (bench/make_corpus.py, seed 1) is written into a temporary folder,
next to copies of the repository's mkdocs.yml and site_templates/, so the folder is a project.
Each size runs in its own worker process, so peak memory is that size's alone. In one worker:

  (a) generator: the stages `build_site` runs before mkdocs, into an empty docs tree, called one
      by one through their public functions (check_project, site_settings, publication_history,
      plan_docs, render_docs, write_tree) and timed each; rendering is timed as `write_tree`
      pulls each file from `render_docs`, by kind (pages, export, feeds), the rest is the write;
  (b) full build: `build_site` from an empty docs tree (what `thesis-site build` does), in a
      fresh child process each time, as a user runs it; the moments mkdocs starts and ends are
      marked, which gives the generator's time inside the full build (before mkdocs, and the
      swap after it);
  (c) bare mkdocs: `python -m mkdocs build` of the tree (a) wrote, in a child process: the same
      tree the mkdocs of (b) builds.

Generator share = (a) / (b). Times are wall-clock seconds, the best of --repeat runs of each
stage, Python imports excluded (mkdocs, material and jinja2 are imported before the clock
starts); (a) is also broken down by stage (check, git history, pages + render, export, feeds,
write). Peak memory is ru_maxrss of the full build's process (generator and in-process mkdocs)
and of the bare mkdocs child. Largest page and search index are read from
the full build's site: entity pages are thesis, evidence, source, asset and person pages
(listings are paged, see generator/pages/paging.py). The temporary project is no git
repository, so git history falls back to `opened` dates.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_SIZES = (1_000, 5_000)
SEED = 1
ENTITY_LIMIT = 100_000
"""No entity page may exceed this many bytes of HTML (issue 3, item 10)."""
INDEX_LIMIT = 5_000_000
"""The search index at 5,000 sources stays under this many bytes (issue 3, item 10)."""
SHARE_LIMIT = 10.0
"""The generator's share of a full build, in percent (issue 3, item 10)."""


# ----------------------------------------------------------------------- a project to build


def make_project(root: Path, sources: int) -> None:
    """A corpus under root/content plus the repository's mkdocs.yml and site templates."""
    from make_corpus import make_corpus

    make_corpus(root, sources=sources, seed=SEED)
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")


def page_kind(relpath: str) -> str:
    """The kind of a built page or index location, from its URL: 'thesis', 'evidence', 'source', ..."""
    parts = relpath.strip("/").split("/")
    if parts == [""] or parts[0] in ("index.html", ""):
        return "home"
    section = parts[0]
    folder = [p for p in parts[1:] if p != "index.html" and not p.startswith("#")]
    if not folder or folder[0].startswith("page_"):
        listing = section in ("theses", "sources", "assets", "claims", "people", "tags")
        return f"{section} {'listing' if listing else 'page'}"
    if section == "theses":
        return "evidence" if len(folder) > 1 and folder[1] == "evidence" else "thesis"
    return {"sources": "source", "assets": "asset", "people": "person", "tags": "tag listing"}.get(section, section)


ENTITY_KINDS = ("thesis", "evidence", "source", "asset", "person")

def page_sizes(site: Path) -> dict[str, tuple[int, str, int]]:
    """Page kind → (largest HTML bytes, its site path, pages over ENTITY_LIMIT)."""
    largest: dict[str, tuple[int, str, int]] = {}
    for path in site.rglob("index.html"):
        relpath = path.relative_to(site).as_posix()
        if relpath.startswith(("search/", "api/", "feeds/")):
            continue
        kind = page_kind(relpath)
        size = path.stat().st_size
        best, where, over = largest.get(kind, (0, "", 0))
        over += size > ENTITY_LIMIT
        largest[kind] = (size, relpath, over) if size > best else (best, where, over)
    return largest


def index_breakdown(index: Path) -> dict[str, tuple[int, int]]:
    """Page kind → (entries, bytes) of the search index."""
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry in docs:
        kind = page_kind(entry["location"].split("#")[0] or "/")
        kinds[kind][0] += 1
        kinds[kind][1] += len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return {k: (v[0], v[1]) for k, v in kinds.items()}


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


# ----------------------------------------------------------------------- one size, in a worker


def set_aside(path: Path) -> None:
    """Move a previous run's output out of the way without deleting it.

    On the dev machine (ext4 mounted with `discard`), creating files within seconds of deleting a
    large tree cost ten to twenty times the kernel time of creating them otherwise, whoever
    created them: a stage timed after `rmtree` measured the deletion, not the stage (this is the
    1.4-18 s spread of earlier runs). So nothing is deleted while anything is timed: old output
    is renamed into the project's set-aside folder, and the whole benchmark folder is removed
    once every size has run.
    """
    if path.exists():
        aside = path.parent / ".set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{path.name}-{len(list(aside.iterdir()))}")


def work_parent() -> Path:
    """Temporary projects go under bench/out/ (git-ignored) rather than /tmp: a real build writes
    into the repository's build/ and site/, so the benchmark writes on that filesystem too."""
    parent = REPO / "bench" / "out"
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def work_folder(parent: Path | None) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="site-bench-", dir=parent or work_parent())


def time_generator(paths) -> tuple[float, dict[str, float]]:
    """(a): the generator's stages, as `build_site` calls them, into an empty docs tree. Returns
    (seconds, stage → seconds)."""
    from generator.build import plan_docs, render_docs, site_settings
    from generator.history import publication_history
    from generator.pipeline import check_project
    from generator.siteconfig import SiteSettings
    from generator.write import write_tree

    set_aside(paths.docs_tree)
    stages: dict[str, float] = defaultdict(float)

    def rendered(files):
        """`files`, with the time spent making each added to its kind."""
        while True:
            begin = time.perf_counter()
            try:
                relpath, data = next(files)
            except StopIteration:
                return
            kind = "export" if relpath.startswith("api/") else "feeds" if relpath.startswith("feeds/") else "pages + render"
            stages[kind] += time.perf_counter() - begin
            yield relpath, data

    os.sync()  # each stage starts with no other stage's writes pending
    start = time.perf_counter()
    checked = check_project(paths)
    stages["check"] = time.perf_counter() - start
    if checked.publication is None or checked.errors:
        raise SystemExit(f"the corpus does not check: {[d.format_text() for d in checked.errors][:3]}")
    settings = site_settings(paths)
    if not isinstance(settings, SiteSettings):
        raise SystemExit(f"mkdocs.yml cannot be read: {settings.format_text()}")
    begin = time.perf_counter()
    history = publication_history(paths.root, checked.publication.graph)
    stages["git history"] = time.perf_counter() - begin
    plan = plan_docs(paths, checked.publication, settings, history)
    begin = time.perf_counter()
    write_tree(paths.docs_tree, rendered(render_docs(plan)))
    stages["write"] = time.perf_counter() - begin - sum(stages[k] for k in ("pages + render", "export", "feeds"))
    seconds = time.perf_counter() - start
    stages["other"] = seconds - sum(stages.values())  # reading mkdocs.yml, planning, compiling templates
    return seconds, dict(stages)


def time_bare_mkdocs(paths) -> tuple[float, float]:
    """(c): `python -m mkdocs build` of the docs tree as (a) left it, in a child process.
    Returns (seconds, that child's peak RSS in MB), the latter from wait4 on the child alone."""
    bare_site = paths.root / "site-bare"
    os.sync()
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(paths.mkdocs_config),
                              "-d", str(bare_site)], cwd=paths.root, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bare mkdocs build failed ({child.returncode})")
    set_aside(bare_site)
    return seconds, usage.ru_maxrss / 1024


def time_full_build(paths) -> tuple[float, float, float]:
    """(b): `build_site` from an empty docs tree, in a fresh Python process as `thesis-site build`
    runs it (a process that has already built several times is not what a user runs). Returns
    (seconds, seconds outside mkdocs, that process's peak RSS in MB); its imports are excluded
    like everywhere here."""
    set_aside(paths.docs_tree)
    set_aside(paths.site)
    os.sync()
    child = subprocess.Popen([sys.executable, __file__, "--full-build", str(paths.root)], stdout=subprocess.PIPE,
                             text=True)
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("full build failed")
    timed = json.loads(output.strip().splitlines()[-1])
    return timed["seconds"], timed["generator"], usage.ru_maxrss / 1024


def full_build_child(root: Path) -> None:
    """The body of (b), in its own process: imports, then `build_site` with the moments mkdocs starts and ends marked."""
    import jinja2  # noqa: F401
    import material  # noqa: F401
    import mkdocs.commands.build
    import mkdocs.config  # noqa: F401

    import generator.build as build
    from generator.settings import ProjectPaths

    paths = ProjectPaths(root)
    marks: list[float] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "mkdocs build":
            marks.append(time.perf_counter())

    start = time.perf_counter()
    result = build.build_site(paths, paths.site, progress=progress)
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"build failed: {[d.format_text() for d in result.diagnostics][-3:]}")
    mkdocs_start, mkdocs_end = marks
    print(json.dumps({"seconds": seconds, "generator": seconds - (mkdocs_end - mkdocs_start)}))


def measure(sources: int, detail: bool, parent: Path | None = None, repeat: int = 1) -> dict:
    # Imports before the clock starts: a CLI run pays them once, not per stage.
    import jinja2  # noqa: F401
    import material  # noqa: F401
    import mkdocs.commands.build
    import mkdocs.config  # noqa: F401

    import generator.build
    from generator.settings import ProjectPaths

    # The caller removes the folder after every size has run (see set_aside).
    root = Path(tempfile.mkdtemp(prefix=f"{sources}-", dir=parent or work_parent()))
    make_project(root, sources)
    os.sync()
    paths = ProjectPaths(root)
    # Best of `repeat` runs of each stage, like bench/run.py: the dev machine's disk and
    # memory make single runs vary by several seconds.
    generator, breakdown = min((time_generator(paths) for _ in range(repeat)), key=lambda r: r[0])
    generator_mb = peak_mb(resource.RUSAGE_SELF)
    bare, mkdocs_mb = min(time_bare_mkdocs(paths) for _ in range(repeat))
    full, in_build_generator, build_mb = min((time_full_build(paths) for _ in range(repeat)), key=lambda r: r[0])
    pages = sum(1 for _ in paths.docs_tree.rglob("*.md"))

    sizes = page_sizes(paths.site)
    entity = max((sizes[k][0], sizes[k][1]) for k in ENTITY_KINDS if k in sizes)
    index = paths.site / "search" / "search_index.json"
    row = {
        "sources": sources, "pages": pages, "generator": generator, "in_build_generator": in_build_generator,
        "mkdocs": bare, "full": full, "share": 100 * generator / full, "pages_per_s": pages / full,
        "process_mb": build_mb, "generator_mb": generator_mb, "children_mb": mkdocs_mb,
        "largest_entity": entity, "entities_over": sum(sizes[k][2] for k in ENTITY_KINDS if k in sizes),
        "index_bytes": index.stat().st_size, "breakdown": breakdown, "repeat": repeat,
    }
    if detail:
        row["sizes"] = sizes
        row["index"] = index_breakdown(index)
    return row


def profile(sources: int, parent: Path | None = None, top: int = 30) -> None:
    """cProfile of the generator (`write_docs_tree`: check, history, plan, render, write) on a fresh corpus."""
    import cProfile
    import pstats

    from generator.build import write_docs_tree
    from generator.settings import ProjectPaths

    os.environ.update(worker_environment(parent))
    with work_folder(parent) as folder:
        root = Path(folder)
        make_project(root, sources)
        write_docs_tree(ProjectPaths(root))  # warm: imports and the first template compilation
        set_aside(ProjectPaths(root).docs_tree)
        profiler = cProfile.Profile()
        profiler.enable()
        write_docs_tree(ProjectPaths(root))
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# ----------------------------------------------------------------------- the table


def mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


def print_table(rows: list[dict]) -> None:
    header = (f"{'sources':>7} | {'pages':>6} | {'generator':>9} | {'bare mkdocs':>11} | {'full build':>10} | "
              f"{'gen. share':>10} | {'pages/s':>7} | {'peak RSS: build / mkdocs child':>30} | "
              f"{'largest entity page':<52} | {'search index':>12}")
    print(header)
    print("-" * len(header))
    for r in rows:
        size, where = r["largest_entity"]
        largest = f"{size / 1000:.0f} KB {where.removesuffix('index.html')}"
        if len(largest) > 52:
            largest = largest[:51] + "…"
        print(f"{r['sources']:>7} | {r['pages']:>6} | {r['generator']:>7.1f} s | {r['mkdocs']:>9.1f} s | "
              f"{r['full']:>8.1f} s | {r['share']:>8.1f} % | {r['pages_per_s']:>7.0f} | "
              f"{r['process_mb']:>13.0f} MB / {r['children_mb']:>7.0f} MB | {largest:<52} | "
              f"{mb(r['index_bytes']):>12}")
    print()
    for r in rows:
        verdicts = [
            f"share {r['share']:.1f}% {'≤' if r['share'] <= SHARE_LIMIT else '>'} {SHARE_LIMIT:.0f}%",
            f"{r['entities_over']} entity pages over {ENTITY_LIMIT // 1000} KB",
        ]
        if r["sources"] >= 5_000:
            verdicts.append(f"search index {mb(r['index_bytes'])} {'≤' if r['index_bytes'] <= INDEX_LIMIT else '>'} "
                            f"{mb(INDEX_LIMIT)}")
        print(f"{r['sources']:>7} sources: " + "; ".join(verdicts) +
              f" (inside the full build: generator {r['in_build_generator']:.1f} s, "
              f"mkdocs {r['full'] - r['in_build_generator']:.1f} s)")
    for r in rows:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in r["breakdown"].items())
        print(f"{r['sources']:>7} sources, generator: {parts}; peak RSS {r['generator_mb']:.0f} MB")
    for r in rows:
        if "index" not in r:
            continue
        print(f"\n{r['sources']} sources, by page kind: largest HTML page; search index entries and bytes")
        for kind in sorted(set(r["sizes"]) | set(r["index"])):
            size, where, over = r["sizes"].get(kind, (0, "", 0))
            entries, nbytes = r["index"].get(kind, (0, 0))
            print(f"  {kind:<16} {size / 1000:>7.0f} KB ({over} over {ENTITY_LIMIT // 1000} KB) | "
                  f"{entries:>7} entries {mb(nbytes):>10}")


def worker_environment(parent: Path | None) -> dict[str, str]:
    """Dates from a fixed SOURCE_DATE_EPOCH, and git confined to the temporary project (which is no
    repository: history falls back to `opened`) instead of finding this repository around bench/out/."""
    parent = (parent or REPO / "bench" / "out").resolve()
    return dict(os.environ, SOURCE_DATE_EPOCH="1700000000", GIT_CEILING_DIRECTORIES=str(parent),
                NO_MKDOCS_2_WARNING="1")


def run_worker(sources: int, detail: bool, parent: Path | None, repeat: int) -> dict:
    """Measure one size in a fresh Python process, so ru_maxrss is that size's peak alone."""
    command = [sys.executable, __file__, "--worker", str(sources), "--repeat", str(repeat)]
    command += (["--detail"] if detail else []) + (["--tmp", str(parent)] if parent else [])
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               env=worker_environment(parent))
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"site benchmark worker for {sources} sources failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, action="append", help="corpus size in sources (repeatable)")
    parser.add_argument("--detail", action="store_true", help="also break index and page sizes down by page kind")
    parser.add_argument("--profile", type=int, metavar="SOURCES", help="profile write_docs_tree at this size")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each stage, best kept (default: 1)")
    parser.add_argument("--tmp", type=Path, help="folder for the temporary projects (default: bench/out/)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--full-build", type=Path, help=argparse.SUPPRESS)
    # Called from bench/run.py --site, sys.argv holds run.py's options: ignore what is not ours.
    args, _ = parser.parse_known_args(argv)
    if args.full_build:
        full_build_child(args.full_build)
        return
    if args.worker:
        print(json.dumps(measure(args.worker, args.detail, args.tmp, args.repeat)))
        return
    if args.profile:
        profile(args.profile, args.tmp)
        return
    runs = "one run" if args.repeat == 1 else f"best of {args.repeat} runs"
    print(f"\nSite build (the generator's stages, build_site and a bare `mkdocs build` of the same tree, {runs}):\n")
    with work_folder(args.tmp) as folder:  # removed only after every size has run
        rows = [run_worker(size, args.detail, Path(folder), args.repeat) for size in args.sizes or DEFAULT_SIZES]
    print_table(rows)


if __name__ == "__main__":
    main()
