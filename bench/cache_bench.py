"""What the caches between runs save (`generator/caches.py`): check, share cards and the whole
docs tree, cold against warm, each timed in a fresh process as the next `thesis-site build` runs.

    python bench/make_corpus.py p5000 --sources 5000 && cp -r mkdocs.yml site_templates p5000/
    python bench/cache_bench.py p5000      # any project folder: content/, mkdocs.yml, site_templates/

The project's `build/cache` is removed first and rebuilt by the runs, and its `build/docs`
before each docs tree run (so both write every file); one content file gets a line appended for
the "one file edited" run and is restored at the end.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

PRELUDE = """
import sys, time
from pathlib import Path
from generator.build import build_address, site_settings, write_docs_tree
from generator.caches import CardCache, project_caches
from generator.machine_readable import card_files
from generator.pipeline import check_project
from generator.settings import ProjectPaths
paths = ProjectPaths(Path(sys.argv[1]))
"""

RUNS = {
    "check, no cache": "start, cpu = time.perf_counter(), time.process_time(); check_project(paths)",
    "check, cache": "start, cpu = time.perf_counter(), time.process_time(); check_project(paths, cache=project_caches(paths).load)",
    "cards": """
checked = check_project(paths, cache=project_caches(paths).load)
settings = site_settings(paths)
theses = sorted(checked.publication.graph.theses)
start, cpu = time.perf_counter(), time.process_time()
card_files(checked.publication, theses, build_address(settings), CardCache(paths.cache / "cards") if CACHED else None)""",
    "write_docs_tree": "start, cpu = time.perf_counter(), time.process_time(); write_docs_tree(paths, use_cache=CACHED)",
}


def timed(name: str, root: Path, cached: bool = True) -> tuple[float, float]:
    """(wall, CPU) seconds of one run in a fresh process: on a shared machine the CPU time is the steadier."""
    code = f"{PRELUDE}\nCACHED = {cached}\n{RUNS[name]}\nprint(time.perf_counter() - start, time.process_time() - cpu)"
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    root = parser.parse_args().project.resolve()
    shutil.rmtree(root / "build" / "cache", ignore_errors=True)
    edited = sorted((root / "content" / "theses").iterdir())[0]
    original = edited.read_bytes()
    rows = [("check, no cache", timed("check, no cache", root))]
    rows.append(("check, empty cache (writes it)", timed("check, cache", root)))
    rows.append(("check, warm", timed("check, cache", root)))
    try:
        edited.write_bytes(original + (b"\n" if edited.suffix == ".md" else b"# edited\n"))
        rows.append(("check, warm, one file edited", timed("check, cache", root)))
    finally:
        edited.write_bytes(original)
    timed("check, cache", root)  # the cache back to the unedited file
    rows.append(("share cards, no cache", timed("cards", root, cached=False)))
    rows.append(("share cards, empty cache (writes it)", timed("cards", root)))
    rows.append(("share cards, warm", timed("cards", root)))
    for name, cached in (("write_docs_tree, no cache", False), ("write_docs_tree, warm", True)):
        shutil.rmtree(root / "build" / "docs", ignore_errors=True)  # both write every file
        rows.append((name, timed("write_docs_tree", root, cached)))
    print("| run | wall s | CPU s |\n|---|---:|---:|")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
