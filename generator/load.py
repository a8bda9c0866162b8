"""Load: bytes of one content file → a plain data tree with a line/column for every key path.

YAML is read as a stream of parser events (libyaml's C parser when present) and built here, so
that duplicate keys, anchors, aliases, foreign tags, non-string keys and deep nesting become
diagnostics instead of silently changed data, and so that every node keeps its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .settings import MAX_FILE_BYTES, MAX_NESTING
from .yamlscalars import PlainScalar

try:  # libyaml's parser is several times faster; the pure-Python one behaves the same.
    _EventSource = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _EventSource = yaml.SafeLoader

KeyPath = tuple[str | int, ...]

_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
_CORE_TAGS = {f"{_CORE_TAG_PREFIX}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_NON_STRING_KEYS = {"true", "True", "TRUE", "false", "False", "FALSE"} | _NULLS


@dataclass(frozen=True)
class LoadedDocument:
    """One file's data, its Markdown body, and where every value and key was written."""

    relpath: str
    kind: str
    stem: str
    data: dict[str, Any]
    body: str | None
    value_positions: dict[KeyPath, tuple[int, int]] = field(repr=False)
    key_positions: dict[KeyPath, tuple[int, int]] = field(repr=False)
    body_line: int | None = None

    def locate(self, path: KeyPath, *, at_key: bool = False) -> tuple[int, int]:
        """Position of `path`, or of its longest known prefix (a missing key points at its parent)."""
        if at_key and path in self.key_positions:
            return self.key_positions[path]
        probe = tuple(path)
        while probe:
            if probe in self.value_positions:
                return self.value_positions[probe]
            probe = probe[:-1]
        return self.value_positions.get((), (1, 1))


class _Refused(Exception):
    """Stops building one file; the diagnostic already says why."""


def load_document(relpath: str, kind: str, stem: str, raw: bytes, fmt: str) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """Decode, split front matter, and build the data tree of one file."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [Diagnostic(relpath, 1, 1, "file.too-large", "",
                                 f"file is {len(raw):,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                                 "split it or shorten the body")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Diagnostic(relpath, line, column, "file.not-utf8", "",
                                 f"byte 0x{raw[error.start]:02x} is not valid UTF-8", "save the file as UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]

    body: str | None = None
    body_line: int | None = None
    line_offset = 0
    if fmt == "markdown":
        split = _split_front_matter(relpath, text)
        if isinstance(split, Diagnostic):
            return None, [split]
        text, body, body_line = split
        line_offset = 1

    builder = _TreeBuilder(relpath, line_offset)
    try:
        data = builder.build(text)
    except _Refused:
        return None, builder.diagnostics
    if data is None:
        return None, [Diagnostic(relpath, 1 + line_offset, 1, "file.empty", "", "the file holds no fields",
                                 f"run `thesis-site new {kind} {stem}` for a skeleton")]
    if not isinstance(data, dict):
        line, column = builder.value_positions.get((), (1, 1))
        return None, [*builder.diagnostics, Diagnostic(relpath, line, column, "yaml.not-mapping", "",
                                                       f"the document is a {type(data).__name__ if not isinstance(data, str) else 'text'}, not a mapping of fields",
                                                       "write `field: value` lines")]
    if body is not None and body.strip():
        data = {**data, "body": body}
    document = LoadedDocument(relpath, kind, stem, data, body, builder.value_positions, builder.key_positions, body_line)
    return document, builder.diagnostics


def _split_front_matter(relpath: str, text: str) -> tuple[str, str, int] | Diagnostic:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return Diagnostic(relpath, 1, 1, "frontmatter.missing", "", "a Markdown content file must start with a '---' line",
                          "put the YAML fields between two '---' lines at the top")
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return front, body, index + 2
    return Diagnostic(relpath, 1, 1, "frontmatter.unclosed", "", "the front matter opened on line 1 is never closed",
                      "add a '---' line after the last field")


class _TreeBuilder:
    """Builds Python data from parser events, recording positions and refusing unsafe YAML."""

    def __init__(self, relpath: str, line_offset: int) -> None:
        self.relpath = relpath
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}
        self.key_positions: dict[KeyPath, tuple[int, int]] = {}

    def build(self, text: str) -> Any:
        parser = _EventSource(text)
        try:
            self._events = parser
            self._next()  # StreamStart
            event = self._next()
            if isinstance(event, yaml.StreamEndEvent):
                return None
            data = self._node(self._next(), (), 0)
            self._next()  # DocumentEnd
            event = self._next()
            if isinstance(event, yaml.DocumentStartEvent):
                self._refuse(event, "yaml.multiple-documents", "the file holds more than one YAML document",
                             "remove the second '---' or split the file")
            return data
        finally:
            parser.dispose()

    def _next(self) -> Any:
        try:
            return self._events.get_event()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = error.problem or error.context or "invalid YAML"
            self.diagnostics.append(Diagnostic(self.relpath, line + self.line_offset, column, "yaml.syntax", "", problem))
            raise _Refused from error
        except yaml.YAMLError as error:
            self.diagnostics.append(Diagnostic(self.relpath, 1 + self.line_offset, 1, "yaml.syntax", "", str(error)))
            raise _Refused from error

    def _position(self, event: Any) -> tuple[int, int]:
        mark = event.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1

    def _report(self, event: Any, code: str, path: KeyPath, message: str, hint: str = "") -> None:
        line, column = self._position(event)
        self.diagnostics.append(Diagnostic(self.relpath, line, column, code, dotted_path(path), message, hint))

    def _refuse(self, event: Any, code: str, message: str, hint: str = "") -> None:
        self._report(event, code, (), message, hint)
        raise _Refused

    def _check_anchor_and_tag(self, event: Any, path: KeyPath) -> None:
        if getattr(event, "anchor", None):
            self._report(event, "yaml.alias", path, f"anchor '&{event.anchor}' is not allowed", "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag and tag != "!" and tag not in _CORE_TAGS:
            self._report(event, "yaml.tag", path, f"tag '{tag}' is outside the YAML core schema", "remove the tag")

    def _node(self, event: Any, path: KeyPath, depth: int) -> Any:
        if depth > MAX_NESTING:
            self._refuse(event, "yaml.too-deep", f"nesting is deeper than {MAX_NESTING} levels", "flatten the structure")
        self.value_positions[path] = self._position(event)
        if isinstance(event, yaml.AliasEvent):
            self._report(event, "yaml.alias", path, f"alias '*{event.anchor}' is not allowed", "write the value out in full")
            return None
        self._check_anchor_and_tag(event, path)
        if isinstance(event, yaml.ScalarEvent):
            return _scalar(event)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(event := self._next(), yaml.SequenceEndEvent):
                items.append(self._node(event, (*path, len(items)), depth + 1))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not isinstance(key_event := self._next(), yaml.MappingEndEvent):
                key = self._key(key_event, path, depth)
                value_event = self._next()
                if key is None:
                    self._skip(value_event, path, depth)
                    continue
                child = (*path, key)
                if key in mapping:
                    first_line = self.key_positions[child][0]
                    self._report(key_event, "yaml.duplicate-key", child, f"key '{key}' appears twice in this mapping",
                                 f"first written on line {first_line}")
                    self._skip(value_event, path, depth)
                    continue
                self.key_positions[child] = self._position(key_event)
                mapping[key] = self._node(value_event, child, depth + 1)
            return mapping
        self._refuse(event, "yaml.syntax", f"unexpected YAML event {type(event).__name__}")
        return None

    def _key(self, event: Any, path: KeyPath, depth: int) -> str | None:
        if isinstance(event, yaml.ScalarEvent):
            self._check_anchor_and_tag(event, path)
            if not event.style and (event.value in _NON_STRING_KEYS or _looks_numeric(event.value)):
                self._report(event, "yaml.non-string-key", path, f"key '{event.value}' is not a field name",
                             "field names are lower-case words")
                return None
            return event.value
        if isinstance(event, yaml.AliasEvent):
            self._report(event, "yaml.alias", path, f"alias '*{event.anchor}' is not allowed", "write the key out")
            return None
        self._report(event, "yaml.non-string-key", path, "a mapping or list is used as a key", "field names are plain words")
        self._skip(event, path, depth, started=True)
        return None

    def _skip(self, event: Any, path: KeyPath, depth: int, started: bool = False) -> None:
        """Consume a node without keeping it (its problems are still reported)."""
        scratch = _TreeBuilder(self.relpath, self.line_offset)
        scratch._events = self._events
        try:
            scratch._node(event, path, depth + 1)
        finally:
            self.diagnostics.extend(scratch.diagnostics)


def _scalar(event: Any) -> Any:
    if not event.style and event.tag is None:  # libyaml reports plain style as "", PyYAML as None
        return None if event.value in _NULLS else PlainScalar(event.value)
    if event.tag in _CORE_TAGS and event.tag != f"{_CORE_TAG_PREFIX}str":
        return PlainScalar(event.value)  # an explicit core tag: the model's field type decides
    return event.value


def _looks_numeric(value: str) -> bool:
    try:
        float(value.replace("_", "x"))
    except ValueError:
        return False
    return True


def dotted_path(path: KeyPath) -> str:
    """Field path as diagnostics print it: `claims[1].evidence[0].quote`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_and_load(path: Path, relpath: str, kind: str, stem: str, fmt: str) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """Read a file (refusing oversized ones before reading them whole) and load it."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [Diagnostic(relpath, 1, 1, "file.too-large", "",
                                 f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}", "split it or shorten the body")]
    return load_document(relpath, kind, stem, path.read_bytes(), fmt)
