"""Property tests for the loader and its line map (hypothesis).

Whatever bytes or YAML a contributor writes, `load_document` returns a document or diagnostics —
never an exception — and every diagnostic points at a line that exists in the file. A line
break is what an editor counts: `\\r\\n`, `\\r` or `\\n` (YAML 1.1 also breaks lines at U+0085,
U+2028 and U+2029; editors and GitHub annotations do not, so neither may the diagnostics).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.diagnostics import CODES, Diagnostic
from generator.load import LoadedDocument, load_document
from generator.models import CONTENT_MODELS
from generator.pipeline import check_snapshot
from generator.validate import partial_view, validate_document

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ("source", "thesis", "asset", "person")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def lines_in(raw: bytes) -> int:
    """How many lines an editor shows for `raw` (a trailing newline opens an empty last line)."""
    return len(_LINE_BREAK.split(raw))


def load_and_check(raw: bytes, fmt: str, kind: str = "person") -> list[Diagnostic]:
    """Load (and, when a document comes out, validate) `raw`; assert the loader's contract."""
    document, diagnostics = load_document("content/x.yaml", kind, "x", raw, fmt)
    assert document is None or isinstance(document, LoadedDocument)
    if document is None:
        assert diagnostics, "a refused file must say why"
    else:
        assert isinstance(document.data, dict)
        _, more = validate_document(document)
        diagnostics = [*diagnostics, *more]
    last_line = lines_in(raw)
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.code in CODES
        assert diagnostic.file == "content/x.yaml"
        assert 1 <= diagnostic.line <= last_line, (diagnostic, last_line)
        assert diagnostic.column >= 1, diagnostic
    return diagnostics


# --------------------------------------------------------------------------- strategies

YAMLISH_SNIPPETS = [
    "id", "title", "name", "claims", "evidence", "quote", "paraphrase", "links", "x",
    ": ", ":", "- ", "-", "? ", "  ", "    ", "\t", "\n", "\r\n", "\r", "\n\n",
    "[", "]", "{", "}", ", ", "'", '"', "\\", "#", "# comment\n", "|\n", ">-\n", "|2\n",
    "&a ", "*a", "&b ", "*b", "!!str ", "!!int ", "!!bool ", "!!python/object ", "!tag ", "!<tag:x> ",
    "---\n", "--- ", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "NO", "yes", "on", "~", "null", "1.10", "01234", "0x1F", "1:20", "1_000", ".nan", "-.inf",
    "2024-01-02", "2024-13-45", "https://example.org", "javascript:alert(1)",
    "é", "\u00a0", "\ufeff", "\u0085", "\u2028", "\u2029", "\x00", "\x07", "\x0c", "\x1b", "\ufffe", "😀",
]
yamlish_text = st.lists(st.sampled_from(YAMLISH_SNIPPETS), max_size=40).map("".join)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
nested_data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.integers() | st.booleans(), children, max_size=4),
    max_leaves=20,
)
dumped_yaml = st.builds(
    lambda data, unicode, flow: yaml.safe_dump(data, allow_unicode=unicode, default_flow_style=flow),
    nested_data, st.booleans(), st.sampled_from([False, True, None]),
)
formats = st.sampled_from(["yaml", "markdown"])
kinds = st.sampled_from(KINDS)


def as_markdown(text: str) -> str:
    return f"---\n{text}\n---\n\nSome narrative.\n"


# --------------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=300), fmt=formats)
@example(raw=b"id: x\nname: a\x07b\n", fmt="yaml")
@example(raw=b"a: 1\n\xff", fmt="yaml")
@example(raw="a: 'x\u2028y'\nb: [\n".encode(), fmt="yaml")
@example(raw=b"---\x0c---", fmt="markdown")
def test_arbitrary_bytes_never_crash_the_loader(raw: bytes, fmt: str) -> None:
    load_and_check(raw, fmt)


@PROPERTY_SETTINGS
@given(text=yamlish_text, fmt=formats, kind=kinds)
def test_yamlish_text_never_crashes_the_loader(text: str, fmt: str, kind: str) -> None:
    load_and_check(text.encode("utf-8"), fmt, kind)


@PROPERTY_SETTINGS
@given(text=dumped_yaml, markdown=st.booleans(), kind=kinds)
def test_dumped_yaml_never_crashes_the_loader(text: str, markdown: bool, kind: str) -> None:
    raw = (as_markdown(text) if markdown else text).encode("utf-8")
    load_and_check(raw, "markdown" if markdown else "yaml", kind)


@PROPERTY_SETTINGS
@given(lines=st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=30), min_size=1, max_size=8),
       bad_line=st.integers(min_value=0, max_value=7), newline=st.sampled_from(["\n", "\r\n", "\r"]))
@example(lines=["\ufeff"], bad_line=0, newline="\n")
def test_invalid_utf8_is_reported_where_it_is(lines: list[str], bad_line: int, newline: str) -> None:
    """The line and column of the first undecodable byte, counted in characters as an editor shows
    them: a byte-order mark that starts the file is not shown, and not counted."""
    lines = [re.sub(r"[\r\n\x85\u2028\u2029]", "", line) for line in lines]
    bad_line = min(bad_line, len(lines) - 1)
    raw = newline.join(lines[:bad_line] + [lines[bad_line] + "\udcff"] + lines[bad_line + 1:])
    encoded = raw.encode("utf-8", "surrogateescape")
    document, diagnostics = load_document("content/x.yaml", "person", "x", encoded, "yaml")
    assert document is None
    shown = lines[bad_line].removeprefix("\ufeff") if bad_line == 0 else lines[bad_line]
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("file.not-utf8", bad_line + 1, len(shown) + 1)
    ]


@PROPERTY_SETTINGS
@given(data=st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                            st.text(max_size=30) | st.lists(st.text(max_size=10), max_size=3), min_size=1, max_size=6))
def test_every_key_is_located_where_it_was_written(data: dict) -> None:
    """The line map agrees with the text: the key of each top-level field sits on its recorded line."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    document, diagnostics = load_document("content/x.yaml", "person", "x", text.encode("utf-8"), "yaml")
    assert document is not None, diagnostics
    lines = re.split(r"\r\n|\r|\n", text)
    for key in data:
        line, column = document.key_positions[(key,)]
        written = lines[line - 1][column - 1:]
        assert written.startswith((key, f"'{key}'", f'"{key}"')), (key, line, column, text)  # `no` is dumped quoted


# --------------------------------------------------------------------------- documents with errors, linked


FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "valid" / "content"
SHIPPED_CONTENT = Path(__file__).parent.parent / "content"


def _content_files(root: Path) -> dict[str, bytes]:
    return {f"content/{path.relative_to(root).as_posix()}": path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _paths_in(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a data tree, the root excluded."""
    found = []
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in children:
        found.append((*prefix, key))
        found.extend(_paths_in(value, (*prefix, key)))
    return found


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(copy[path[0]], path[1:], value)
    return copy


@pytest.mark.parametrize("root", [FIXTURE_CONTENT, SHIPPED_CONTENT], ids=["fixture", "shipped"])
def test_the_partial_view_of_a_valid_document_is_the_model(root: Path) -> None:
    """Fields validated one by one (for documents with errors) agree with the whole model."""
    for relpath, raw in _content_files(root).items():
        kind = {"sources": "source", "theses": "thesis", "assets": "asset", "people": "person"}[relpath.split("/")[1]]
        stem, suffix = relpath.rsplit("/", 1)[1].rsplit(".", 1)
        document, _ = load_document(relpath, kind, stem, raw, "markdown" if suffix == "md" else "yaml")
        assert document is not None, relpath
        model = CONTENT_MODELS[kind].model_validate(document.data)
        view = partial_view(CONTENT_MODELS[kind], document.data)
        assert dict(view.fields) == {name: getattr(model, name) for name in CONTENT_MODELS[kind].model_fields}, relpath


@PROPERTY_SETTINGS
@given(data=st.data(), junk=nested_data)
def test_any_broken_part_of_a_file_leaves_the_rest_checked(data: st.DataObject, junk: Any) -> None:
    """Any value of any valid file replaced by anything: the check never fails, every diagnostic
    points into its file, and no reference to a file that exists is called unknown."""
    files = _content_files(FIXTURE_CONTENT)
    relpath = data.draw(st.sampled_from(sorted(files)))
    tree = yaml.safe_load(files[relpath])
    path = data.draw(st.sampled_from(_paths_in(tree)))
    files[relpath] = yaml.safe_dump(_replaced(tree, path, junk), allow_unicode=True).encode("utf-8")
    result = check_snapshot(files)
    stems = {relpath.rsplit("/", 1)[1].rsplit(".", 1)[0] for relpath in files}
    for diagnostic in result.diagnostics:
        assert 1 <= diagnostic.line <= lines_in(files[diagnostic.file]), diagnostic
        assert diagnostic.column >= 1, diagnostic
        if diagnostic.code in ("ref.unknown-source", "ref.unknown-asset", "ref.unknown-person"):
            assert diagnostic.message.split("'")[1] not in stems, diagnostic
