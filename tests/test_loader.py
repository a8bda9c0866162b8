"""Loader and validator behaviour that one broken fixture per code does not pin down:
YAML 1.1 surprises, the line map (positions as an editor shows them), front matter, and
problems that must be reported once, where they are written.
"""

from __future__ import annotations

import textwrap

import pytest

from generator.diagnostics import Diagnostic
from generator.load import LoadedDocument, dotted_path, load_document
from generator.models import Person, Source, Thesis
from generator.settings import MAX_FILE_BYTES, MAX_NESTING
from generator.validate import validate_document

SOURCE = """\
id: talk
title: A talk about chips
kind: lecture
publisher: Example University
published: 2024-05-01
coverage: transcript
tldr: Demand keeps growing.
"""

THESIS = """\
id: bet
title: Accelerator demand outruns supply
status: active
style: thematic
horizon: medium-term
actionability: moderate
opened: 2024-06-01
summary: Labs want more GPUs than exist.
claims:
  - id: demand
    text: Demand exceeds supply.
    evidence:
      - source: talk
        at: tldr
        quote: Demand keeps growing.
        paraphrase: false
    confidence: high
"""


def load(text: str | bytes, kind: str = "person", stem: str = "ann-lee", fmt: str = "yaml",
         relpath: str = "content/x.yaml") -> tuple[LoadedDocument | None, list[Diagnostic]]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_document(relpath, kind, stem, raw, fmt)


def check(text: str | bytes, kind: str = "person", stem: str = "ann-lee", fmt: str = "yaml"):
    """Load and validate; returns (model or None, every diagnostic)."""
    document, diagnostics = load(text, kind, stem, fmt)
    if document is None:
        return None, diagnostics
    valid, more = validate_document(document)
    return (valid.model if valid else None), diagnostics + more


def where(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.column, d.path) for d in diagnostics]


# --------------------------------------------------------------------------- YAML 1.1 surprises


@pytest.mark.parametrize("written", [
    "NO", "no", "Yes", "off", "On", "y", "n", "1.10", "01234", "0o17", "0x1F", "1_000", "1e3", ".inf", "-.inf",
    ".nan", "1:20", "12:30:45", "2024-01-02", "+1", "0",
])
def test_plain_scalars_in_text_fields_stay_text_exactly_as_written(written: str) -> None:
    model, diagnostics = check(f"id: ann-lee\nname: {written}\nrole: {written}\n")
    assert diagnostics == []
    assert isinstance(model, Person)
    assert (model.name, model.role) == (written, written)
    assert type(model.name) is str


def test_title_no_and_version_like_title_stay_text() -> None:
    model, diagnostics = check(SOURCE.replace("title: A talk about chips", "title: NO") + "series: 1.10\n",
                               kind="source", stem="talk")
    assert diagnostics == []
    assert isinstance(model, Source)
    assert (model.title, model.series) == ("NO", "1.10")


def test_numeric_looking_id_stays_text() -> None:
    model, diagnostics = check(SOURCE.replace("id: talk", "id: 01234"), kind="source", stem="01234")
    assert diagnostics == []
    assert model.id == "01234"


def test_sexagesimal_duration_stays_text() -> None:
    model, diagnostics = check(SOURCE + "duration: 1:20\nmoments:\n  - at: 1:20:05\n    text: A chart.\n",
                               kind="source", stem="talk")
    assert diagnostics == []
    assert model.duration == "1:20"
    assert model.moments[0].at == "1:20:05"


def test_paraphrase_yes_is_a_type_error_not_silently_true() -> None:
    model, diagnostics = check(THESIS.replace("paraphrase: false", "paraphrase: yes"), kind="thesis", stem="bet")
    assert model is None
    assert where(diagnostics) == [("field.type", 16, 21, "claims[0].evidence[0].paraphrase")]
    assert diagnostics[0].message == "expected true or false, got 'yes'"
    assert diagnostics[0].hint == "write true or false"


@pytest.mark.parametrize(("written", "expected"), [("true", True), ("false", False), ("True", True), ("FALSE", False)])
def test_core_schema_booleans_are_booleans(written: str, expected: bool) -> None:
    model, diagnostics = check(THESIS.replace("paraphrase: false", f"paraphrase: {written}"), kind="thesis", stem="bet")
    assert diagnostics == []
    assert isinstance(model, Thesis)
    assert model.claims[0].evidence[0].paraphrase is expected


def test_a_quoted_true_is_text_not_a_boolean() -> None:
    model, diagnostics = check(THESIS.replace("paraphrase: false", "paraphrase: 'true'"), kind="thesis", stem="bet")
    assert model is None
    assert where(diagnostics) == [("field.type", 16, 21, "claims[0].evidence[0].paraphrase")]


@pytest.mark.parametrize("written", ["~", "null", ""])
def test_null_in_an_optional_field_is_absent(written: str) -> None:
    model, diagnostics = check(f"id: ann-lee\nname: Ann\nrole: {written}\n")
    assert diagnostics == []
    assert model.role is None


def test_null_in_a_required_text_field_is_a_type_error() -> None:
    _, diagnostics = check("id: ann-lee\nname: ~\n")
    assert where(diagnostics) == [("field.type", 2, 7, "name")]
    assert diagnostics[0].message == "expected text, got nothing"


def test_an_impossible_date_is_a_format_error() -> None:
    _, diagnostics = check(SOURCE.replace("2024-05-01", "2024-02-30"), kind="source", stem="talk")
    assert where(diagnostics) == [("field.format", 5, 12, "published")]


# --------------------------------------------------------------------------- the line map


def test_every_key_and_value_is_located() -> None:
    document, diagnostics = load(THESIS, kind="thesis", stem="bet")
    assert diagnostics == []
    assert document.key_positions[("claims",)] == (9, 1)
    assert document.value_positions[("claims", 0)] == (10, 5)
    assert document.key_positions[("claims", 0, "evidence", 0, "quote")] == (15, 9)
    assert document.value_positions[("claims", 0, "evidence", 0, "quote")] == (15, 16)


def test_a_missing_path_points_at_its_longest_known_prefix() -> None:
    document, _ = load(THESIS, kind="thesis", stem="bet")
    assert document.locate(("claims", 0, "evidence", 3, "quote")) == (13, 7)  # claims[0].evidence (the first "-")
    assert document.locate(("nothing", "here")) == (1, 1)


def test_dotted_path() -> None:
    assert dotted_path(("claims", 1, "evidence", 0, "quote")) == "claims[1].evidence[0].quote"
    assert dotted_path(()) == ""


def test_crlf_and_cr_line_endings_keep_line_numbers() -> None:
    for newline in ("\r\n", "\r"):
        _, diagnostics = check(f"id: ann-lee{newline}name: Ann{newline}nmae: Ann{newline}")
        assert where(diagnostics) == [("field.unknown", 3, 1, "nmae")]


def test_yaml_only_line_breaks_do_not_shift_line_numbers() -> None:
    """YAML 1.1 breaks lines at U+2028; editors and GitHub do not, so neither may the diagnostics."""
    _, diagnostics = check("id: ann-lee\nname: 'Ann\u2028Lee'\nnmae: x\n")
    assert where(diagnostics) == [("field.unknown", 3, 1, "nmae")]
    _, diagnostics = check("name: 'Ann\u2028Lee' \u2028 \u2028\nid: [ann-lee\n")
    assert [(d.code, d.line) for d in diagnostics] == [("yaml.syntax", 3)]


def test_columns_count_characters_not_bytes() -> None:
    _, diagnostics = check("id: ann-lee\nname: 'Zoë 😀'\nrole: [x]\n")
    assert where(diagnostics) == [("field.type", 3, 7, "role")]
    _, diagnostics = check("id: ann-lee\nname: 'Zoë 😀' ] \n")
    assert where(diagnostics)[0][:3] == ("yaml.syntax", 2, 15)


def test_an_error_at_the_end_of_the_stream_points_at_the_last_line() -> None:
    """libyaml starts a fresh line at the end of the stream; that line is not in the file."""
    _, diagnostics = check("id: ann-lee\nname: [Ann")
    assert where(diagnostics) == [("yaml.syntax", 2, 11, "")]


def test_a_syntax_error_names_where_the_broken_construct_starts() -> None:
    _, diagnostics = check('id: ann-lee\nname: "Ann\nrole: x\n')
    assert where(diagnostics) == [("yaml.syntax", 4, 1, "")]
    assert diagnostics[0].hint == "while scanning a quoted scalar that starts on line 2"


def test_control_characters_are_reported_where_they_are() -> None:
    _, diagnostics = check("id: ann-lee\nname: Ann\x07Lee\n")
    assert where(diagnostics) == [("yaml.syntax", 2, 10, "")]
    assert diagnostics[0].message == "character U+0007 is not allowed in YAML"


def test_byte_order_mark_is_ignored() -> None:
    model, diagnostics = check("\ufeffid: ann-lee\nname: Ann\n")
    assert diagnostics == []
    assert model.id == "ann-lee"


def test_invalid_utf8_column_counts_characters() -> None:
    _, diagnostics = check("id: ann-lee\nname: Zoë ".encode() + b"\xff\n")
    assert where(diagnostics) == [("file.not-utf8", 2, 11, "")]
    _, diagnostics = check(b"\xef\xbb\xbfid: \xff")
    assert where(diagnostics) == [("file.not-utf8", 1, 5, "")]


# --------------------------------------------------------------------------- front matter


MARKDOWN_THESIS = "---\n# yaml-language-server: $schema=../../schemas/thesis.schema.json\n" + THESIS + "---\n\n## Narrative\n\nText.\n"


def test_front_matter_positions_count_the_opening_line() -> None:
    document, diagnostics = load(MARKDOWN_THESIS, kind="thesis", stem="bet", fmt="markdown")
    assert diagnostics == []
    assert document.key_positions[("id",)] == (3, 1)
    assert document.key_positions[("claims", 0, "evidence", 0, "quote")] == (17, 9)
    assert document.body == "\n## Narrative\n\nText.\n"
    assert document.data["body"] == document.body
    assert document.body_line == 21


def test_front_matter_errors_point_into_the_markdown_file() -> None:
    text = MARKDOWN_THESIS.replace("status: active", "status: activ")
    _, diagnostics = check(text, kind="thesis", stem="bet", fmt="markdown")
    assert where(diagnostics) == [("field.enum", 5, 9, "status")]


def test_front_matter_closed_by_dots_and_crlf() -> None:
    document, diagnostics = load("---\r\nid: ann-lee\r\nname: Ann\r\n...\r\nBody\r\n", fmt="markdown")
    assert diagnostics == []
    assert document.data["name"] == "Ann"
    assert document.body_line == 5


def test_a_form_feed_is_not_a_line_break_for_front_matter() -> None:
    _, diagnostics = load("---\x0c---\n", fmt="markdown")
    assert where(diagnostics) == [("frontmatter.missing", 1, 1, "")]


@pytest.mark.parametrize("kind, stem, front", [
    ("person", "ann-lee", "id: ann-lee\nname: Ann Lee\n"),
    ("asset", "NVDA", "id: NVDA\nname: NVIDIA\nkind: equity\nsector: Chips\ndescription: GPUs.\n"),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_body_where_none_is_allowed_is_reported_where_it_starts(kind: str, stem: str, front: str, newline: str) -> None:
    text = ("---\n" + front + "---\n\n   \n  Ann writes about chips.\n").replace("\n", newline)
    _, diagnostics = check(text, kind=kind, stem=stem, fmt="markdown")
    body_line = front.count("\n") + 5
    assert where(diagnostics) == [("field.unknown", body_line, 3, "body")]
    assert diagnostics[0].message == f"a {kind} file has no Markdown body"


def test_a_body_written_both_as_a_field_and_after_the_front_matter_is_a_duplicate() -> None:
    text = MARKDOWN_THESIS.replace("summary:", "body: Field text.\nsummary:")
    _document, diagnostics = load(text, kind="thesis", stem="bet", fmt="markdown")
    assert where(diagnostics) == [("yaml.duplicate-key", 23, 1, "body")]
    assert diagnostics[0].hint.startswith("first written on line 10")


def test_empty_front_matter_points_at_its_closing_line() -> None:
    _, diagnostics = load("---\n---\nBody\n", fmt="markdown")
    assert where(diagnostics) == [("file.empty", 2, 1, "")]


# --------------------------------------------------------------------------- reported once, where written


def test_an_alias_is_reported_once_not_again_as_a_missing_value() -> None:
    _, diagnostics = check("id: ann-lee\naffiliation: &org Example\nname: *org\nlinks: [*org]\n")
    assert where(diagnostics) == [
        ("yaml.alias", 2, 14, "affiliation"), ("yaml.alias", 3, 7, "name"), ("yaml.alias", 4, 9, "links[0]"),
    ]


def test_duplicate_key_in_a_nested_mapping_names_its_path() -> None:
    text = THESIS.replace("    text: Demand exceeds supply.\n", "    text: Demand exceeds supply.\n    text: Again.\n")
    model, diagnostics = check(text, kind="thesis", stem="bet")
    assert where(diagnostics) == [("yaml.duplicate-key", 12, 5, "claims[0].text")]
    assert diagnostics[0].hint == "first written on line 11"
    assert model is not None and model.claims[0].text == "Demand exceeds supply."


def test_quoted_keys_that_look_like_booleans_are_field_names() -> None:
    _, diagnostics = check("id: ann-lee\nname: Ann\n'true': x\n")
    assert where(diagnostics) == [("field.unknown", 3, 1, "true")]


@pytest.mark.parametrize(("depth", "refused"), [(MAX_NESTING - 1, False), (MAX_NESTING, True)])
def test_nesting_limit(depth: int, refused: bool) -> None:
    document, diagnostics = load("links: " + "[" * depth + "x" + "]" * depth + "\n")
    assert (document is None) is refused
    assert [d.code for d in diagnostics] == (["yaml.too-deep"] if refused else [])


def test_oversized_input_is_refused_before_parsing() -> None:
    raw = b"id: ann-lee\n" + b"#" * MAX_FILE_BYTES
    document, diagnostics = load(raw)
    assert document is None
    assert where(diagnostics) == [("file.too-large", 1, 1, "")]


def test_a_file_with_every_kind_of_problem_reports_them_all() -> None:
    text = textwrap.dedent("""\
        id: ann-lee
        name: &n Ann
        name: Bob
        role: !custom x
        1: one
        links: [ftp://x]
        """)
    _, diagnostics = check(text)
    assert [(d.code, d.line) for d in diagnostics] == [
        ("yaml.alias", 2), ("yaml.duplicate-key", 3), ("yaml.tag", 4), ("yaml.non-string-key", 5), ("field.format", 6),
    ]


@pytest.mark.parametrize("elsewhere", ["", "note: &n z\n"], ids=["no anchor", "an anchor elsewhere"])
def test_an_explicit_tag_decides_the_same_way_whatever_else_the_file_holds(elsewhere: str) -> None:
    """`!!str` makes text even of a plain scalar (a bool field refuses `!!str true`); any other
    core tag leaves the type to the model's field, even on a quoted scalar; `!` forces text.
    (Files without an anchor were once read by a second walker that did the opposite.)"""
    text = 'a: !!str true\nb: !!int "5"\nc: ! x\n' + elsewhere
    document, _ = load_document("f.yaml", "source", "a", text.encode(), "yaml")
    assert document is not None
    assert [type(document.data[key]).__name__ for key in "abc"] == ["str", "PlainScalar", "str"]


def test_two_moments_at_the_same_time_are_one_anchor_and_a_duplicate():
    """`1:20`, `01:20` and `0:01:20` all become the anchor `moment-0-01-20`: a second is reported."""
    from generator.pipeline import check_snapshot

    raw = (b"id: talk\ntitle: A talk\nkind: lecture\npublisher: Example University\npublished: 2024-05-01\n"
           b"coverage: transcript\ntldr: Demand keeps growing.\nmoments:\n"
           b"  - {at: \"1:20\", text: One.}\n  - {at: \"01:20\", text: Two.}\n  - {at: \"0:01:20\", text: Three.}\n"
           b"  - {at: \"1:21\", text: Four.}\n")
    result = check_snapshot({"content/sources/talk.yaml": raw})
    assert [(d.code, d.path, d.line) for d in result.diagnostics] == [
        ("field.duplicate-id", "moments[1].at", 10), ("field.duplicate-id", "moments[2].at", 11)]
