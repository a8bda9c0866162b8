"""The docs page of diagnostic codes, generated from the closed registry `diagnostics.CODES`.

Input: the registry. Output: Markdown (`DIAGNOSTICS.md` at the repository root; a test keeps the
committed file equal to this output). Regenerate with `python -m generator.codes_doc > DIAGNOSTICS.md`.
"""

from __future__ import annotations

from .diagnostics import CODES

REGENERATE = "python -m generator.codes_doc > DIAGNOSTICS.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def diagnostic_codes_markdown() -> str:
    """Every registered code with its severity and description, in registry order."""
    lines = [
        f"<!-- Generated from generator/diagnostics.py (CODES); do not edit. Regenerate: {REGENERATE} -->",
        "",
        "# Diagnostic codes",
        "",
        "`thesis-site check` prints every problem in one run, sorted by file and line, one a line:",
        "",
        "```",
        "content/theses/x.yaml:14:7: error[ref.unknown-asset] assets[2].asset: no asset 'NVDAA' (did you mean 'NVDA'?)",
        "```",
        "",
        "An `error` fails the check (exit 1); a `warning` fails it only under `--strict`.",
        "",
        "| code | severity | description |",
        "|---|---|---|",
    ]
    lines += [f"| `{code}` | {severity} | {_cell(description)} |" for code, (severity, description) in CODES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(diagnostic_codes_markdown(), end="")
