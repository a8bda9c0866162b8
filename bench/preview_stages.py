"""Where one preview save spends its time, stage by stage: the table behind bench/README.md's
"Sixth round". cli_bench.py measures what a user waits for (save → page shown, through the
CLI); this breaks one save down, in process, so the next round knows where to look.

    python bench/preview_stages.py                 # 1,000 sources, 5 edits
    python bench/preview_stages.py --sources 5000 --edits 8
    python bench/preview_stages.py --redraw        # the renderer draws the site again every save

`--redraw` serves with a renderer that keeps nothing between saves (`kept_warm` gives itself), so
each save goes through mkdocs' dirty build as it did before `renderers.mkdocs_drawn`: run with
and without it, on one machine, to see what keeping the drawing buys.

A fresh corpus (make_corpus, seed 1, with the repository's mkdocs.yml and site_templates/) is
served by `serve.Preview` as `thesis-site serve` serves it, in a temporary folder; after its
first (whole) build, each edit appends a sentence to the first thesis's summary and calls
`Preview.show`, as the live server does on a save. The first `--edits` saves are timed by the
wall clock twice: until `show` returns (the pages show the edit: the browser reloads then), and
until the rest of the save is done (`Preview.wait`: the files for programs, the collection), with
the process's RSS after each; as many again run under cProfile (`Preview.rebuild`, both parts in
one thread), whose cumulative time in each function of the table is given as a share of the whole
profiled save (nested stages are inside their parent: `write the files for programs` holds
`export` and `feeds`).
The profiler slows Python calls more than C work, so the shares are a guide, not a measurement.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from make_corpus import make_corpus  # noqa: E402

from generator.renderers import get_renderer  # noqa: E402
from generator.renderers.mkdocs import MkDocsRenderer  # noqa: E402
from generator.serve import Preview  # noqa: E402
from generator.settings import ProjectPaths  # noqa: E402

STAGES: tuple[tuple[str, str, str], ...] = (
    ("check", "generator/pipeline.py", "check_project"),
    ("— link and derive", "generator/graph.py", "resolve_references"),
    ("plan", "generator/build.py", "plan_docs"),
    ("— listings measured", "generator/pages/paging.py", "measured_pages"),
    ("— page digests", "generator/pages/inputs.py", "page_digests"),
    ("write the pages", "generator/build.py", "write_docs"),
    ("— pages rendered", "generator/render.py", "render_page"),
    ("write the files for programs (after the pages show)", "generator/build.py", "write_for_programs"),
    ("— export", "generator/machine_readable.py", "export_tree"),
    ("— feeds", "generator/machine_readable.py", "feed_tree"),
    ("— share cards", "generator/machine_readable.py", "card_files"),
    ("renderer update, mkdocs' dirty build", "generator/renderers/mkdocs.py", "update_with_mkdocs"),
    ("renderer update, from what it drew", "generator/renderers/mkdocs_drawn.py", "update_drawn"),
    ("renderer whole build", "generator/renderers/mkdocs.py", "run_mkdocs"),
)
"""(row, file, function): a stage is the cumulative time in that function of that file."""


class RedrawingMkDocs(MkDocsRenderer):
    """mkdocs-material keeping nothing between saves: every update is mkdocs' dirty build."""

    def kept_warm(self) -> MkDocsRenderer:
        return self


def rss_mb() -> int:
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def stage_seconds(profile: cProfile.Profile) -> dict[str, float]:
    """Cumulative seconds in each stage's function, from one profiled save."""
    found: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_calls, _primitive, _total, cumulative, _callers) in stats.items():
        for row, file, name in STAGES:
            if function == name and filename.replace("\\", "/").endswith(file):
                found[row] = found.get(row, 0.0) + cumulative
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--redraw", action="store_true", help="a renderer that draws the site again every save")
    options = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="preview-stages-"))
    try:
        make_corpus(folder, sources=options.sources, seed=1)
        shutil.copytree(REPO / "site_templates", folder / "site_templates")
        shutil.copy2(REPO / "mkdocs.yml", folder / "mkdocs.yml")
        paths = ProjectPaths(folder)
        preview = Preview(paths, RedrawingMkDocs() if options.redraw else get_renderer("mkdocs"), lambda line: None)
        try:
            started = time.perf_counter()
            preview.rebuild()
            print(f"{options.sources} sources: first build {time.perf_counter() - started:.1f} s, RSS {rss_mb()} MB",
                  file=sys.stderr)
            thesis = sorted((paths.content / "theses").iterdir())[0]
            text = thesis.read_text(encoding="utf-8")
            seconds: list[float] = []
            finished: list[float] = []
            memory: list[int] = []
            shares: list[dict[str, float]] = []
            for number in range(1, 2 * options.edits + 1):
                thesis.write_text(re.sub(r"^(summary: .+)$", rf"\1 Edited {number}.", text, count=1, flags=re.M),
                                  encoding="utf-8")
                if number <= options.edits:
                    started = time.perf_counter()
                    preview.show()
                    seconds.append(time.perf_counter() - started)
                    preview.wait()
                    finished.append(time.perf_counter() - started)
                    memory.append(rss_mb())
                    print(f"edit {number}: shown in {seconds[-1]:.2f} s, finished in {finished[-1]:.2f} s, "
                          f"RSS {memory[-1]} MB", file=sys.stderr)
                else:
                    profile = cProfile.Profile()
                    started = time.perf_counter()
                    profile.runcall(preview.rebuild)
                    whole = time.perf_counter() - started
                    shares.append({row: spent / whole for row, spent in stage_seconds(profile).items()})
        finally:
            preview.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"One preview save at {options.sources:,} sources{' (--redraw)' if options.redraw else ''}, over {options.edits} "
          f"edits: pages shown in {statistics.median(seconds):.2f} s median ({min(seconds):.2f}-{max(seconds):.2f} s), "
          f"save finished in {statistics.median(finished):.2f} s median ({min(finished):.2f}-{max(finished):.2f} s); "
          f"RSS after each, MB: {', '.join(map(str, memory))}\n")
    print("| stage | share of a profiled save, median |\n|---|---:|")
    for row, _, _ in STAGES:
        values = [share.get(row, 0.0) for share in shares]
        if any(values):
            print(f"| {row} | {100 * statistics.median(values):.0f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
