"""Diagnostics as values: every stage returns them, only the CLI prints them.

The registry of codes is closed: a stage can only emit a code listed in `CODES`, and the docs
page of codes is generated from this table (a test keeps the two in sync).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]

CODES: dict[str, tuple[Severity, str]] = {
    # files and YAML (discover, load)
    "file.not-regular": ("error", "A content entry is a symlink, directory or other non-regular file."),
    "file.bad-name": ("error", "A file name breaks the id rules or does not end in `.yaml` or `.md`."),
    "file.too-large": ("error", "A file is larger than the size limit."),
    "file.not-utf8": ("error", "A file is not valid UTF-8."),
    "file.empty": ("error", "A file holds no document."),
    "frontmatter.missing": ("error", "A Markdown file does not start with a `---` front matter block."),
    "frontmatter.unclosed": ("error", "A Markdown file's front matter has no closing `---` line."),
    "yaml.syntax": ("error", "The YAML cannot be parsed."),
    "yaml.multiple-documents": ("error", "A file holds more than one YAML document."),
    "yaml.duplicate-key": ("error", "A mapping has the same key twice."),
    "yaml.alias": ("error", "YAML anchors and aliases are not allowed in content."),
    "yaml.tag": ("error", "A YAML tag outside the core schema is used."),
    "yaml.non-string-key": ("error", "A mapping key is not a string."),
    "yaml.too-deep": ("error", "Nesting is deeper than the limit."),
    "yaml.not-mapping": ("error", "The document is not a mapping of fields."),
    "id.mismatch": ("error", "The `id` field differs from the file name stem."),
    "id.collision": ("error", "Two files of one kind have ids equal ignoring case (or the same id twice)."),
    # fields (validate)
    "field.unknown": ("error", "A field that the content model does not define."),
    "field.missing": ("error", "A required field is absent."),
    "field.type": ("error", "A field has the wrong type (text, list, mapping, number, boolean)."),
    "field.enum": ("error", "A field's value is not one of the allowed choices."),
    "field.format": ("error", "A field's value does not match its format (id, ticker, date, URL, timestamp, locator)."),
    "field.value": ("error", "A field's value breaks a rule (empty text, too few items, row length)."),
    "field.duplicate-id": ("error", "Two items of one list share an id that must be unique (claims, insight points, tables)."),
    # references and quotes (link)
    "ref.unknown-source": ("error", "Evidence cites a source that does not exist."),
    "ref.unknown-asset": ("error", "A position names an asset that does not exist."),
    "ref.unknown-person": ("error", "A speaker, author or reviewer is not a known person."),
    "ref.unknown-claim": ("error", "A position's `because` names a claim the thesis does not have."),
    "ref.unknown-locator": ("error", "An evidence locator points at a part the source does not have."),
    "quote.not-found": ("error", "A quote (not marked `paraphrase`) is not in the located part of its source."),
    "ref.duplicate-position": ("warning", "A thesis holds two positions on the same asset."),
    "claim.no-evidence": ("warning", "A claim has no evidence; it counts as unsupported."),
    "claim.unused": ("warning", "A claim that no position rests on, in a thesis with directional positions."),
    # review gate (check --require-review)
    "review.missing": ("error", "An active thesis is unreviewed (only with `--require-review`)."),
    "review.stale": ("error", "A thesis review is older than its last claim change (only with `--require-review`)."),
    # build
    "build.mkdocs": ("error", "The renderer (mkdocs-material, or Zensical when chosen) failed to build the generated docs tree."),
    "internal.error": ("error", "An unexpected failure inside the generator; please report it."),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one place. Ordered by file, line, column so lists sort for output."""

    file: str
    line: int
    column: int
    code: str
    path: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def format_text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}] {where}{self.message}{hint}"

    def format_github(self) -> str:
        command = "error" if self.severity == "error" else "warning"
        where = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        text = f"{where}{self.message}{hint}"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{command} file={self.file},line={self.line},col={self.column},title={self.code}::{text}"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "severity": self.severity}


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line, column, code; exact duplicates dropped."""
    return sorted(set(diagnostics))


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity == "error" or strict for d in diagnostics)


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.format_github() for d in diagnostics)
    return "\n".join(d.format_text() for d in diagnostics)


def summary_line(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{files} files checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or '' when none is close."""
    candidates = list(candidates)
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean '{matches[0]}'?" if matches else ""
