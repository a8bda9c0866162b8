"""Quote verification: find a quote in the part of a source that its locator points at.

Comparison ignores whitespace runs, letter case, typographic quotes and Unicode compatibility
forms (non-breaking hyphens, ligatures); nothing else. Used by `graph` when linking evidence.
"""

from __future__ import annotations

import re
import unicodedata

from .models import Source

_TYPOGRAPHIC = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2011": "-",
})
_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The form in which quotes and source text are compared."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return _WHITESPACE.sub(" ", text).strip().casefold()


def locator_parts(source: Source) -> dict[str, str]:
    """Every locator the source offers → the text a quote at it must come from."""
    parts: dict[str, str] = {"tldr": source.tldr}
    if source.bottom_line:
        parts["bottom-line"] = source.bottom_line
    if source.body:
        parts["body"] = source.body
    for group in source.insights:
        for point in group.points:
            parts[f"insight/{point.id}"] = f"{point.title}\n{point.text}"
    for moment in source.moments:
        parts[f"moment/{moment.at}"] = moment.text
    for table in source.tables:
        cells = [table.title, *table.columns, *(cell for row in table.rows for cell in row)]
        parts[f"table/{table.id}"] = "\n".join(cells)
    return parts


def quote_is_in(quote: str, located_text: str) -> bool:
    return normalise_text(quote) in normalise_text(located_text)
