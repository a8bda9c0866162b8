"""Benchmark `thesis-site check` against the floor: parsing the same files with PyYAML's C loader.

    python bench/run.py                 # 1,000 and 10,000 files
    python bench/run.py --files 2000    # one size
    python bench/run.py --site          # also time full site builds (see bench/README.md)

Each size gets a freshly generated corpus (bench/make_corpus.py) in a temporary folder. Times are
the best of --repeat runs, in seconds, measured in this one process run so they are comparable.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import make_corpus

from generator.pipeline import check_project
from generator.settings import ProjectPaths

# A generated corpus holds 1.5 files per source (a thesis for every second source) plus 500 fixed
# files (200 assets, 300 people); see bench/README.md.
FILES_PER_SOURCE = 1.5
FIXED_FILES = 500


def parse_floor(root: Path) -> int:
    """Read and parse every content file with the C loader: the least any checker must do."""
    count = 0
    for path in sorted((root / "content").glob("*/*")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("\n---", 1)[0].removeprefix("---\n")
        yaml.load(text, Loader=yaml.CSafeLoader)
        count += 1
    return count


def best_of(repeat: int, action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(files: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="thesis-bench-") as folder:
        root = Path(folder)
        make_corpus(root, sources=max(10, round((files - FIXED_FILES) / FILES_PER_SOURCE)), seed=1)
        count = sum(1 for _ in (root / "content").glob("*/*"))
        floor, _ = best_of(repeat, lambda: parse_floor(root))
        serial, result = best_of(repeat, lambda: check_project(ProjectPaths(root), jobs=1))
        parallel, _ = best_of(repeat, lambda: check_project(ProjectPaths(root), jobs=2))
        errors = len(result.errors)
    return {"files": count, "floor": floor, "serial": serial, "parallel": parallel, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, action="append", help="corpus size in files (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--site", action="store_true", help="also run the site build benchmark")
    args = parser.parse_args()
    sizes = args.files or [1_000, 10_000]
    print(f"{'files':>7} | {'C-loader parse (floor)':>22} | {'check, 1 process':>16} | {'check, 2 processes':>18} | "
          f"{'best / floor':>12} | errors")
    print("-" * 100)
    for size in sizes:
        row = measure(size, args.repeat)
        best = min(row["serial"], row["parallel"])
        print(f"{row['files']:>7} | {row['floor']:>20.2f} s | {row['serial']:>14.2f} s | {row['parallel']:>16.2f} s | "
              f"{best / row['floor']:>11.2f}× | {row['errors']}")
    if args.site:
        from site_bench import main as site_main

        site_main()


if __name__ == "__main__":
    main()
