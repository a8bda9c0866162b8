"""Load: bytes of one content file → a plain data tree with a line/column for every key path.

YAML is read as a stream of parser events (libyaml's C parser when present) and built here, so
that duplicate keys, anchors, aliases, foreign tags, non-string keys and deep nesting become
diagnostics instead of silently changed data, and so that every node keeps its position.
"""

from __future__ import annotations

import bisect
import dataclasses
import io
import pickle
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .characters import FORBIDDEN_IN_BODY, FORBIDDEN_IN_FIELD, describe
from .diagnostics import Diagnostic
from .settings import MAX_FILE_BYTES, MAX_NESTING
from .yamlscalars import PlainScalar

_EventSource: type[yaml.CSafeLoader] | type[yaml.SafeLoader]
try:  # libyaml's parser is several times faster; the pure-Python one behaves the same.
    _EventSource = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _EventSource = yaml.SafeLoader

KeyPath = tuple[str | int, ...]


_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
_CORE_TAGS = {f"{_CORE_TAG_PREFIX}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_NON_STRING_KEYS = {"true", "True", "TRUE", "false", "False", "FALSE"} | _NULLS
# Editors, git and GitHub annotations break lines at \r\n, \r and \n only; YAML 1.1 also at these.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# The YAML reader refuses these; finding them first gives their real position instead of 1:1.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


Position = tuple[int, int]


@dataclass(eq=False)
class Positions(Mapping[KeyPath, Position]):
    """Key path → (line, column) in one document. The load cache keeps it as one pickled blob,
    unpickled at its first read: positions were half of what a build spent unpickling the cache
    (0.67 of 1.33 s at 5,000 sources), and only a document with a diagnostic made after loading
    (by linking, or a stale thesis) is ever located (bench/README.md, "Seventeenth round")."""

    _positions: dict[KeyPath, Position] | None
    _packed: bytes | None = None

    def _decoded(self) -> dict[KeyPath, Position]:
        if self._positions is None:
            assert self._packed is not None
            self._positions = _PlainData(io.BytesIO(self._packed)).load()
            self._packed = None
        return self._positions

    def __getstate__(self) -> dict[str, object]:
        packed = self._packed if self._positions is None else pickle.dumps(self._positions, pickle.HIGHEST_PROTOCOL)
        return {"_positions": None, "_packed": packed}

    def __getitem__(self, path: KeyPath) -> Position:
        return self._decoded()[path]

    def __contains__(self, path: object) -> bool:
        return path in self._decoded()

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


class _PlainData(pickle.Unpickler):
    """Positions are tuples of text and numbers: any global in their blob refuses it."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"{module}.{name} in a document's positions")


@dataclass(frozen=True)
class LoadedDocument:
    """One file's data, its Markdown body, and where every value and key was written."""

    relpath: str
    kind: str
    stem: str
    data: dict[str, Any]
    body: str | None
    value_positions: Mapping[KeyPath, Position] = field(repr=False)
    key_positions: Mapping[KeyPath, Position] = field(repr=False)
    body_line: int | None = None
    unresolved: frozenset[KeyPath] = field(default=frozenset(), repr=False)
    """Paths whose value was an alias: already reported, so validation must not report them again."""

    def validated(self) -> LoadedDocument:
        """This document as kept beside what validated of it (`validate.check_document`): its
        positions and body without the data tree, which the model or partial view now holds. The
        tree is a third of a checked file's cache entry, and no later stage reads it."""
        return dataclasses.replace(self, data={})

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
        before = raw[:error.start].decode("utf-8").removeprefix("\ufeff")
        line, column = _LineMap(before).at_index(len(before))
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
                                                       f"the document is a {type(data).__name__ if not isinstance(data, str) else 'text'}, "
                                                       "not a mapping of fields",
                                                       "write `field: value` lines")]
    forbidden = _forbidden_in_fields(relpath, text, data, builder)
    if body is not None:
        forbidden += _forbidden_in_body(relpath, body, body_line)
    if body is not None and body.strip():
        data = _with_body(relpath, data, body, body_line or 1, builder)
    document = LoadedDocument(relpath, kind, stem, data, body, Positions(builder.value_positions),
                              Positions(builder.key_positions), body_line,
                              frozenset(builder.unresolved))
    return document, builder.diagnostics + forbidden


_FORBIDDEN_HINT = "delete it; no page, feed or export can carry it"


def _forbidden_in_fields(relpath: str, text: str, data: dict[str, Any], builder: _TreeBuilder) -> list[Diagnostic]:
    """`text.forbidden-char` for every value and key holding a character no output can carry.

    The YAML reader already refuses such characters written raw (except noncharacters), so only
    an escape (`\\e`, `\\x7f`, `\\uFFFE`, `\\r`) or a non-ASCII file can bring one in: other files
    skip the walk (`check` stays near the cost of parsing)."""
    if "\\" not in text and (text.isascii() or FORBIDDEN_IN_FIELD.search(text) is None):
        return []
    found: list[Diagnostic] = []

    def report(value: str, path: KeyPath, where: tuple[int, int], what: str) -> None:
        matches = list(FORBIDDEN_IN_FIELD.finditer(value))
        if not matches:
            return
        first = matches[0]
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        found.append(Diagnostic(relpath, where[0], where[1], "text.forbidden-char", dotted_path(path),
                                f"{what} holds {describe(first.group())} at character {first.start() + 1}{more}",
                                _FORBIDDEN_HINT if first.group() != "\r" else "write line breaks as new lines, not as \\r"))

    def walk(value: Any, path: KeyPath) -> None:
        if isinstance(value, str):
            report(value, path, builder.value_positions.get(path, (1, 1)), "the text")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                child = (*path, key)
                report(key, child, builder.key_positions.get(child, (1, 1)), "the key")
                walk(item, child)

    walk(data, ())
    return found


def _forbidden_in_body(relpath: str, body: str, body_line: int | None) -> list[Diagnostic]:
    """`text.forbidden-char` at the body's first such character, at its own line and column."""
    first = FORBIDDEN_IN_BODY.search(body)
    if first is None:
        return []
    count = len(FORBIDDEN_IN_BODY.findall(body))
    line, column = _LineMap(body).at_index(first.start())
    more = f" (and {count - 1} more)" if count > 1 else ""
    return [Diagnostic(relpath, line + (body_line or 1) - 1, column, "text.forbidden-char", "body",
                       f"the Markdown body holds {describe(first.group())}{more}", _FORBIDDEN_HINT)]


def _with_body(relpath: str, data: dict[str, Any], body: str, body_line: int, builder: _TreeBuilder) -> dict[str, Any]:
    """The Markdown body becomes the field `body`, positioned where its text starts, so that a
    problem with it (a kind that has no body) points there rather than at the front matter."""
    start = len(body) - len(body.lstrip())
    line, column = _LineMap(body).at_index(start)
    position = (body_line + line - 1, column)
    if ("body",) in builder.key_positions:
        builder.diagnostics.append(Diagnostic(
            relpath, *position, "yaml.duplicate-key", "body",
            "the Markdown body repeats the field 'body' of the front matter",
            f"first written on line {builder.key_positions[('body',)][0]}; keep one of the two"))
    builder.value_positions[("body",)] = builder.key_positions[("body",)] = position
    return {**data, "body": body}


def _split_front_matter(relpath: str, text: str) -> tuple[str, str, int] | Diagnostic:
    lines = _LINE.findall(text)  # not str.splitlines: it also breaks at \f, \x1c and other characters
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


class _LineMap:
    """Turns parser marks into positions as an editor shows them (lines, then characters)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_count = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
        self.yaml_only_breaks = _YAML_ONLY_BREAKS.search(text) is not None
        self.trusted_lines = 0 if self.yaml_only_breaks else self.line_count
        """Marks on lines below this are already editor positions."""
        self._starts: list[int] | None = None

    def at_index(self, index: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0, *(match.end() for match in _LINE_BREAK.finditer(self.text))]
        line = bisect.bisect_right(self._starts, index) - 1
        return line + 1, index - self._starts[line] + 1

    def at_mark(self, mark: Any) -> tuple[int, int]:
        if self.yaml_only_breaks:
            return self.at_index(min(mark.index, len(self.text)))
        if mark.line >= self.line_count:  # libyaml starts a new line at the end of the stream
            return self.at_index(len(self.text))
        return mark.line + 1, mark.column + 1


class _TreeBuilder:
    """Builds Python data from parser events, recording positions and refusing unsafe YAML."""

    def __init__(self, relpath: str, line_offset: int) -> None:
        self.relpath = relpath
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}
        self.key_positions: dict[KeyPath, tuple[int, int]] = {}
        self.unresolved: set[KeyPath] = set()
        self.lines = _LineMap("")

    def build(self, text: str) -> Any:
        self.lines = _LineMap(text)
        try:
            return self._build_from_events(text)
        except _Refused:
            # The YAML reader refuses control characters with a poor position; find the first one
            # (only now, on the error path, so clean files never pay for the scan).
            unprintable = _NOT_PRINTABLE.search(text)
            if unprintable:
                line, column = self.lines.at_index(unprintable.start())
                self.diagnostics[:] = [Diagnostic(
                    self.relpath, line + self.line_offset, column, "yaml.syntax", "",
                    f"character U+{ord(unprintable.group()):04X} is not allowed in YAML",
                    "delete it, or write it as an escape in a double-quoted string")]
            raise

    def _admit_key(self, where: Any, key: str, plain: bool, mapping: dict[str, Any], path: KeyPath) -> KeyPath | None:
        """The key rule: a field name, not yet in the mapping. Returns the child's key path (its
        position recorded), or None after reporting why not."""
        if plain and (key in _NON_STRING_KEYS or _looks_numeric(key)):
            self._report(where, "yaml.non-string-key", path, f"key '{key}' is not a field name",
                         "field names are lower-case words")
            return None
        child = (*path, key)
        if key in mapping:
            self._report(where, "yaml.duplicate-key", child, f"key '{key}' appears twice in this mapping",
                         f"first written on line {self.key_positions[child][0]}")
            return None
        self.key_positions[child] = self._position(where)
        return child

    def _build_from_events(self, text: str) -> Any:
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
            line, column = self.lines.at_mark(mark) if mark else (1, 1)
            problem = error.problem or error.context or "invalid YAML"
            hint = ""
            if error.problem and error.context and error.context_mark:
                context_line = self.lines.at_mark(error.context_mark)[0]
                if context_line != line:
                    hint = f"{error.context} that starts on line {context_line + self.line_offset}"
            self.diagnostics.append(Diagnostic(self.relpath, line + self.line_offset, column, "yaml.syntax", "", problem, hint))
            raise _Refused from error
        except yaml.YAMLError as error:
            self.diagnostics.append(Diagnostic(self.relpath, 1 + self.line_offset, 1, "yaml.syntax", "", str(error)))
            raise _Refused from error

    def _position(self, event: Any) -> tuple[int, int]:
        mark = event.start_mark
        if mark.line < self.lines.trusted_lines:  # the common case, kept inline: it runs for every node
            return mark.line + 1 + self.line_offset, mark.column + 1
        line, column = self.lines.at_mark(mark)
        return line + self.line_offset, column

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
        """Builds one node from parser events, refusing anchors and aliases."""
        if depth > MAX_NESTING:
            self._refuse(event, "yaml.too-deep", f"nesting is deeper than {MAX_NESTING} levels", "flatten the structure")
        self.value_positions[path] = self._position(event)
        if isinstance(event, yaml.AliasEvent):
            self._report(event, "yaml.alias", path, f"alias '*{event.anchor}' is not allowed", "write the value out in full")
            self.unresolved.add(path)
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
                child = None if key is None else self._admit_key(key_event, key, not key_event.style, mapping, path)
                if key is None or child is None:
                    self._skip(value_event, path, depth)
                    continue
                mapping[key] = self._node(value_event, child, depth + 1)
            return mapping
        self._refuse(event, "yaml.syntax", f"unexpected YAML event {type(event).__name__}")
        return None

    def _key(self, event: Any, path: KeyPath, depth: int) -> str | None:
        if isinstance(event, yaml.ScalarEvent):
            self._check_anchor_and_tag(event, path)
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
        scratch.lines = self.lines
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
    if not value or value[0] not in "0123456789+-.":
        return False
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
