"""Where a project's files live and the limits the loader enforces.

One frozen value built from the project root; every stage receives it instead of guessing paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KIND_FOLDERS: dict[str, str] = {
    "source": "sources",
    "thesis": "theses",
    "asset": "assets",
    "person": "people",
}
"""Content kind → its folder under `content/` (SPEC §1)."""

MAX_FILE_BYTES = 1_048_576
"""Larger files are refused: no honest source summary or thesis is a megabyte of YAML."""

MAX_CLAIMS_PER_THESIS = 250
"""More claims than this make a thesis page no reader can use (about 2 KB of page per claim):
`check` warns, so `--strict` refuses it. Below it, build time grows linearly with the claims
(bench/claims_scale.py)."""

MAX_NESTING = 16
"""Deeper YAML nesting is refused; the deepest model (source → insights → points) needs 4."""


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "site_templates"

    @property
    def mkdocs_config(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs_tree(self) -> Path:
        """The generated Markdown tree mkdocs builds from (git-ignored)."""
        return self.root / "build" / "docs"

    @property
    def cache(self) -> Path:
        """What one build keeps for the next (`caches`; git-ignored with `build/`)."""
        return self.root / "build" / "cache"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def relative(self, path: Path) -> str:
        """Project-relative POSIX path, as diagnostics print it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
