"""The one place text reaches a terminal, a CI log or a machine-read stream: escaping per output.

File names, field paths and values come from contributors; printed as they are, a newline or a
carriage return would let one diagnostic print as several (or forge one), an ANSI escape would
repaint the terminal, a bidi override would reorder the line. Each output escapes in its own way:

- terminal text (`printable`): control characters shown as `\\n`, `\\x1b`, `\\u2028`, so one value
  stays one line and reads as typed;
- GitHub workflow commands (`github_data`, `github_property`): GitHub's own percent escapes for
  what GitHub defines (`%`, CR, LF; `:` and `,` in properties), so the runner parses back the
  text and properties that were meant; every other character `printable` escapes is shown the
  same way, since the log is itself a terminal (it renders ANSI escapes);
- JSON (`json_text`): valid JSON whose strings decode to the original values, with nothing in it
  that a terminal would act on.
"""

from __future__ import annotations

import json
import re

from .characters import BIDI_OVERRIDES, json_escape

_SHOWN_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f" + BIDI_OVERRIDES +  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff]"  # lone surrogates: undecodable bytes of a file name, which no stream can encode
)
"""Characters that may move the cursor, break a line, reorder it or fail to encode."""

_JSON_SHOWN_ESCAPED = re.compile("[\x7f-\x9f\u061c\u200e\u200f" + BIDI_OVERRIDES + "\u2028\u2029\ud800-\udfff]")
"""The same set without C0, which json.dumps escapes itself."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` as one terminal line: every character that could act on the terminal, break the line
    or reorder it is shown escaped (`\\x1b`, `\\n`, `\\u202e`)."""
    return _SHOWN_ESCAPED.sub(_escape, text)


def github_data(text: str) -> str:
    """The message of a workflow command (`::error ...::<data>`), escaped as GitHub specifies;
    the other characters `printable` escapes (ESC, BEL, bidi controls, lone surrogates...) are
    shown escaped as there, so nothing in the log acts on its reader's terminal."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _SHOWN_ESCAPED.sub(_escape, text)


def github_property(text: str) -> str:
    """A property value of a workflow command (`file=<value>,line=...`): GitHub's data escapes
    plus `:` and `,`, which would otherwise end the value or the property list."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(command: str, properties: dict[str, object], message: str) -> str:
    """One workflow command line, e.g. `::error file=...,line=3,col=1,title=...::message`."""
    listed = ",".join(f"{name}={github_property(str(value))}" for name, value in properties.items())
    return f"::{command} {listed}::{github_data(message)}"


def json_text(value: object) -> str:
    """Indented JSON, non-ASCII text kept readable; what `printable` escapes is written as a
    `\\uXXXX` escape (json.dumps already escapes C0), so the decoded values are unchanged."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_SHOWN_ESCAPED.sub(json_escape, text)
