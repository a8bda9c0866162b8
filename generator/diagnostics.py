"""Diagnostics as values: every stage returns them, only the CLI prints them.

The registry of codes is closed: a stage can only emit a code listed in `CODES`, and the docs
page of codes is generated from this table (a test keeps the two in sync).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

from .console import github_command, json_text, printable

Severity = Literal["error", "warning"]

CODES: dict[str, tuple[Severity, str]] = {
    # files and YAML (discover, load)
    "file.not-regular": ("error", "A content entry is a symlink, directory or other non-regular file."),
    "file.bad-name": ("error", "A file name breaks the id rules or does not end in `.yaml` or `.md`."),
    "file.hidden": ("error", "A hidden file (or a file in a hidden folder) under `content/`; only `.gitkeep` and `.DS_Store` are passed over."),
    "file.stray": ("error", "A file under `content/` outside the four kind folders (`sources`, `theses`, `assets`, `people`), or in a folder inside one; only `README.md` is passed over."),
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
    "text.forbidden-char": ("error", "Text holds a character no output can carry: a control character other than tab and newline (a carriage return only as a body's line end), DEL, a C1 control, a lone surrogate, a noncharacter (U+FFFE, U+FDD0...) or a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which would reorder what a reader sees."),
    "id.mismatch": ("error", "The `id` field differs from the file name stem."),
    "id.collision": ("error", "Two files of one kind have ids equal ignoring case (or the same id twice)."),
    # fields (validate)
    "field.unknown": ("error", "A field that the content model does not define."),
    "field.missing": ("error", "A required field is absent."),
    "field.type": ("error", "A field has the wrong type (text, list, mapping, number, boolean)."),
    "field.enum": ("error", "A field's value is not one of the allowed choices."),
    "field.format": ("error", "A field's value does not match its format (id, ticker, date, URL, timestamp, locator)."),
    "field.value": ("error", "A field's value breaks a rule (empty text, too few items, row length)."),
    "thesis.too-many-claims": ("warning", "A thesis has more claims than one page can usefully show (`MAX_CLAIMS_PER_THESIS`); split it into several theses."),
    "field.duplicate-id": ("error", "Two items of one list share an id that must be unique (claims, insight points, tables)."),
    # references and quotes (link)
    "ref.unknown-source": ("error", "Evidence cites a source that does not exist."),
    "ref.unknown-asset": ("error", "A position names an asset that does not exist."),
    "ref.unknown-person": ("error", "A speaker, author or reviewer is not a known person."),
    "ref.unknown-claim": ("error", "A position's `because` names a claim the thesis does not have."),
    "ref.unknown-locator": ("error", "An evidence locator points at a part the source does not have."),
    "quote.not-found": ("error", "A quote (not marked `paraphrase`) is not in the located part of its source."),
    "rename.collision": ("error", "An old id in `renamed_from` is a live id of the same kind (its old URL would be taken)."),
    "rename.duplicate": ("error", "Two entities of one kind (or one entity twice) list the same old id in `renamed_from`."),
    "ref.invalid-target": ("warning", "A reference names a source, asset or person whose file has errors of its own (reported there); quotes are checked against the parts of it that are valid. A warning, since the error is already counted in that file."),
    "ref.duplicate-position": ("warning", "A thesis holds two positions on the same asset."),
    "claim.no-evidence": ("warning", "A claim has no evidence; it counts as unsupported."),
    "claim.unused": ("warning", "A claim that no position rests on, in a thesis with directional positions."),
    "thesis.no-outcome": ("warning", "A `closed` thesis records no `outcome` (`on`, `verdict`, `note`); the track record lists it as \"no outcome recorded\"."),
    "thesis.stale": ("warning", "An active or monitoring thesis was not changed or reviewed for more than `extra.thesis_site.stale_after_days` days (default 180) before the publication's date (SOURCE_DATE_EPOCH, else the last commit; never the wall clock)."),
    # review gate (check --require-review)
    "review.missing": ("error", "An active thesis is unreviewed (only with `--require-review`)."),
    "review.stale": ("error", "A thesis review is older than its last claim change (only with `--require-review`)."),
    # site settings (mkdocs.yml)
    "config.stale-after-days": ("error", "`extra.thesis_site.stale_after_days` in mkdocs.yml is not a whole number of days of at least 1."),
    "config.site-url": ("warning", "`site_url` in mkdocs.yml is unset, not an absolute http(s) URL, or the shipped placeholder; `publish` and `build --strict` refuse it."),
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

    def _sentence(self) -> str:
        where = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"

    def format_text(self) -> str:
        """One terminal line, whatever the file name, field path or values hold (`console.printable`)."""
        return printable(f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}] {self._sentence()}")

    def format_github(self) -> str:
        """One workflow command; the runner parses back exactly this file, position and text."""
        properties = {"file": self.file, "line": self.line, "col": self.column, "title": self.code}
        return github_command("error" if self.severity == "error" else "warning", properties, self._sentence())

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "severity": self.severity}


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line, column, code; exact duplicates dropped."""
    return sorted(set(diagnostics))


def has_errors(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity == "error" or strict for d in diagnostics)


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return json_text([d.as_dict() for d in diagnostics])
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
