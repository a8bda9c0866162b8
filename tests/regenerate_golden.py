"""Regenerate the golden docs tree of the sample content after an intended change:

    python -m tests.regenerate_golden

then review `git diff tests/samples/basic/expected_docs` before committing it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.site_support import EXPECTED_DOCS, golden_files, make_project, render_docs


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = golden_files(render_docs(make_project(Path(folder) / "project")))
    if EXPECTED_DOCS.exists():
        shutil.rmtree(EXPECTED_DOCS)
    for relpath, data in files.items():
        target = EXPECTED_DOCS / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(files)} files into {EXPECTED_DOCS}")


if __name__ == "__main__":
    main()
