"""Characters that no output can carry: the one definition the check refuses and every writer
replaces (SPEC §6, "Text stays text").

XML 1.0 cannot hold C0 controls (other than tab, newline and carriage return), surrogates,
U+FFFE or U+FFFF; YAML refuses DEL and the C1 controls in a stream (mkdocs then drops the
page's front matter); UTF-8 cannot encode a lone surrogate; Unicode's noncharacters are not for
interchange. A text field may hold none of them, nor a carriage return (YAML turns written line
breaks into newlines, so one only comes from a `\\r` escape); a Markdown body may hold carriage
returns, as line ends.
"""

from __future__ import annotations

import re

NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000))
"""U+FDD0-U+FDEF and the last two code points of every plane, as the inside of a regex class."""
UNCARRIABLE_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + NONCHARACTERS

UNCARRIABLE = re.compile(f"[{UNCARRIABLE_CLASS}]")
"""What a writer replaces when the check was bypassed (a publication built in code)."""
BIDI_OVERRIDES = "\u202a-\u202e\u2066-\u2069"
"""Embeddings, overrides and isolates: they reorder what a reader sees (`12` drawn as `21`, a
link's text spelling another address) while the text, and so quote matching, keeps its order.
Refused in content; the writers could carry them, but nothing a reader sees may differ from
what was checked."""
FORBIDDEN_IN_FIELD = re.compile(f"[\r{UNCARRIABLE_CLASS}{BIDI_OVERRIDES}]")
"""What `check` refuses in a YAML value or key."""
FORBIDDEN_IN_BODY = re.compile(f"[{UNCARRIABLE_CLASS}{BIDI_OVERRIDES}]")
"""What `check` refuses in a Markdown body (a carriage return there ends a line)."""

REPLACEMENT = "\ufffd"


def replace_uncarriable(text: str) -> str:
    """`text` with every character no output can carry replaced by U+FFFD."""
    return UNCARRIABLE.sub(REPLACEMENT, text)


def describe(character: str) -> str:
    """A character named without printing it: `control character U+001B`."""
    code = ord(character)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        kind = "bidirectional control"
    else:
        kind = "noncharacter"
    return f"{kind} U+{code:04X}"


JSON_UNCARRIABLE_CLASS = "\x7f-\x9f\ud800-\udfff" + NONCHARACTERS
"""What JSON output writes as `\\uXXXX` escapes (`json.dumps` escapes the C0 controls itself)."""


def json_escape(match: re.Match[str]) -> str:
    """The JSON escape of one matched character; the JSON text reads back as the same string."""
    code = ord(match.group())
    if code > 0xFFFF:  # a supplementary noncharacter: JSON escapes it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
