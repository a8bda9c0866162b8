"""Build time against the number of claims in one thesis: does cost grow with the content, no faster?

    python bench/claims_scale.py                          # 500, 2,000 and 8,000 claims
    python bench/claims_scale.py --claims 500 --claims 1000

For each size, a project is made from the repository's shipped content, `mkdocs.yml` and
`site_templates/`, plus one thesis `big` with that many claims, each quoting a shipped source
and all resting under one long position (the file stays under the loader's 1 MB limit up to
about 8,000 claims). Each size is built once with `thesis-site build` (not `--strict`: past
`MAX_CLAIMS_PER_THESIS` the check warns, and a strict build would refuse), in a fresh process,
as a user runs it. The table gives the thesis file, the largest pages it makes, the generator's
time (`write_docs_tree`, in-process), the full build, and the cost per claim beyond the shipped
content: flat when cost grows linearly.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED = ("content", "site_templates", "mkdocs.yml")


def big_thesis(claims: int) -> str:
    """One thesis with `claims` claims in flow style (about 105 bytes a claim)."""
    lines = ["id: big", "title: One thesis with many claims", "status: active", "style: thematic",
             "horizon: long-term", "actionability: moderate", "opened: 2026-05-28",
             "authors: [thesis-site-research]", "summary: Every claim quotes the same source.", "claims:"]
    lines += [f"- {{id: c{n}, text: Claim {n}., confidence: low, evidence: "
              f"[{{source: altman-stanford-cs153, at: tldr, quote: compute}}]}}" for n in range(claims)]
    because = ", ".join(f"c{n}" for n in range(claims))
    lines += ["assets:", f"- {{asset: NVDA, direction: long, role: GPUs, rationale: Sells them., because: [{because}]}}",
              "risks: [Demand could fade.]"]
    return "\n".join(lines) + "\n"


def make_project(root: Path, claims: int) -> Path:
    for name in SHIPPED:
        source = REPOSITORY / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    thesis = root / "content" / "theses" / "big.yaml"
    if claims:
        thesis.write_text(big_thesis(claims), encoding="utf-8")
    return thesis


def time_generator(root: Path) -> float:
    """write_docs_tree in a child process (check, pages, render, write), as the build runs it."""
    code = ("import sys, time; from pathlib import Path; from generator.build import write_docs_tree;"
            "from generator.settings import ProjectPaths; start = time.perf_counter();"
            "write_docs_tree(ProjectPaths(Path(sys.argv[1]))); print(time.perf_counter() - start)")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def time_build(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root)],
                   capture_output=True, text=True, check=True)
    return time.perf_counter() - start


def measure(claims: int, parent: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        root = Path(folder)
        thesis = make_project(root, claims)
        generator = time_generator(root)
        if not (root / "build" / "docs" / "theses" / "big").is_dir() and claims:
            raise SystemExit(f"{claims:,} claims: the check refused the thesis (run thesis-site check in a copy)")
        shutil.rmtree(root / "build")
        build = time_build(root)
        site = root / "site"
        page = site / "theses" / "big" / "index.html"
        evidence = site / "theses" / "big" / "evidence" / "index.html"
        return {"claims": claims, "file": thesis.stat().st_size if claims else 0,
                "page": page.stat().st_size if claims else 0, "evidence": evidence.stat().st_size if claims else 0,
                "generator": generator, "build": build}


def print_table(rows: list[dict]) -> None:
    base = rows[0]
    print("| claims in one thesis | thesis file | thesis page | evidence page | generator | full build | build per 1,000 claims over the shipped site |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        extra = row["claims"] - base["claims"]
        per = f"{(row['build'] - base['build']) / extra * 1000:.1f} s" if extra else "–"
        print(f"| {row['claims']:,} | {row['file'] / 1024:,.0f} KB | {row['page'] / 1024:,.0f} KB | "
              f"{row['evidence'] / 1024:,.0f} KB | {row['generator']:.1f} s | {row['build']:.1f} s | {per} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, action="append", help="claims in the big thesis (repeatable)")
    args = parser.parse_args(argv)
    sizes = [0, *(args.claims or [500, 2000, 8000])]
    parent = REPOSITORY / "bench" / "out"
    parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for claims in sizes:
        rows.append(measure(claims, parent))
        print(f"measured {claims:,} claims", file=sys.stderr)
    print_table(rows)


if __name__ == "__main__":
    main()
