"""Text stays text (SPEC §6): whatever a text field holds, `check` refuses it with a diagnostic or
every output carries it escaped for that output.

The property: arbitrary Unicode (every category, controls, surrogates, noncharacters) mixed with
the syntax of every output (Markdown blocks of the enabled extensions, HTML, XML, YAML, JSON in
`<script>`) goes into every text field of every kind at once. Then either `check` reports
`text.forbidden-char` (or, for a lone surrogate, which libyaml refuses to decode, `yaml.syntax`),
or the docs tree is made in process and: every feed parses as XML, every page's front matter
parses to its title, every JSON file and JSON-LD block parses, and each page, turned into HTML
as mkdocs would (same Markdown extensions), has exactly the elements, attributes and classes it
has when every field holds a plain placeholder. The writers are also checked with the check
bypassed (defence in depth). The mkdocs end-to-end build is in `test_site_injection.py`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from generator import load
from generator.build import generate_docs
from generator.siteconfig import read_site_settings
from generator.characters import FORBIDDEN_IN_FIELD
from generator.diagnostics import format_diagnostics
from generator.markup import html_text, inline_text
from generator.pipeline import check_snapshot
from site_support import make_project

HOSTILE = [
    "!!! note md-dialog md-dialog--active", '!!! danger "t"', "??? note", "???+ note", "[TOC]", "{: .md-dialog }",
    "{#x .y}", "# ", "## h", "===", "---", "***", "___", "- ", "* ", "+ ", "1. ", "3) ", "> ", "| a | b |",
    "|---|", "```", "~~~", "    ", "\t", "[^1]: ", "*[HTML]: ", "[x]: https://evil.example", "<script>",
    "</script>", "<!--", "-->", "]]>", "<![CDATA[", "&amp;", "&#60;", "<div markdown>", '" onclick="x', "\n",
    "\n\n", "\r\n", "\u2028", "\u2029", "\x85", "\x1b[31m", "\x7f", "\x00", "\ufffe", "\uffff", "\ufdd0",
    "\U0001fffe", "\ud800", "\u202e", "{{ 7*7 }}", "{% raw %}", "title: x", "...", "\\", "`", "*", "_", "  ",
]
"""Pieces of syntax of every output, combined with arbitrary text by the strategy."""

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=()), max_size=6)),
    min_size=1, max_size=6).map("".join)

PLACEHOLDER = "Placeholder words"
THESIS_ID, SOURCE_ID, ASSET_ID, PERSON_ID = "bet", "talk", "NVDA", "ann-lee"


def contents(text: str, body: str = "Notes.") -> dict[str, bytes]:
    """A publication with `text` in every text field of every kind (ids, enums and dates fixed)."""
    source = {
        "id": SOURCE_ID, "title": text, "kind": "lecture", "publisher": text, "series": text,
        "published": "2024-05-01", "url": "https://example.org/talk", "coverage": "transcript",
        "speakers": [PERSON_ID], "tldr": text,
        "insights": [{"id": "group", "title": text, "points": [{"id": "point", "title": text, "text": text}]}],
        "moments": [{"at": "1:20", "text": text}],
        "tables": [{"id": "table", "title": text, "columns": [text, "plain"], "rows": [[text, "x"]]}],
        "mentions": [{"name": text, "category": text, "note": text}],
        "bottom_line": text, "tags": ["chips"],
    }
    thesis = {
        "id": THESIS_ID, "title": text, "status": "active", "style": "thematic", "horizon": "long-term",
        "actionability": "high", "opened": "2024-06-01", "authors": [PERSON_ID], "summary": text,
        "claims": [{"id": "claim", "text": text, "confidence": "high", "evidence": [
            {"source": SOURCE_ID, "at": "tldr", "quote": text, "paraphrase": True},
            {"source": SOURCE_ID, "at": "moment/1:20", "quote": text, "paraphrase": True}]}],
        "assets": [{"asset": ASSET_ID, "direction": "long", "role": text, "rationale": text, "because": ["claim"]}],
        "risks": [text, text], "guidance": text,
        "review": {"status": "reviewed", "by": PERSON_ID, "on": "2024-06-02"}, "tags": ["chips"],
    }
    asset = {"id": ASSET_ID, "name": text, "kind": "equity", "exchange": text, "sector": text, "description": text}
    person = {"id": PERSON_ID, "name": text, "affiliation": text, "role": text, "handle": text}

    def dump(data: dict) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    def encode(document: str) -> bytes:
        return document.encode("utf-8", "surrogatepass")  # a lone surrogate: let `check` meet it

    return {
        f"content/sources/{SOURCE_ID}.md": encode(f"---\n{dump(source)}---\n{body}\n"),
        f"content/theses/{THESIS_ID}.md": encode(f"---\n{dump(thesis)}---\n{body}\n"),
        f"content/assets/{ASSET_ID}.yaml": encode(dump(asset)),
        f"content/people/{PERSON_ID}.yaml": encode(dump(person)),
    }


PAGE_TITLES = {
    f"theses/{THESIS_ID}/index.md": "{}", f"theses/{THESIS_ID}/evidence/index.md": "Evidence: {}",
    f"sources/{SOURCE_ID}/index.md": "{}", f"assets/{ASSET_ID}/index.md": f"{ASSET_ID} · {{}}",
    f"people/{PERSON_ID}/index.md": "{}",
}
"""Pages whose title is a text field, and how the title is made from it."""


class _Structure(HTMLParser):
    """Every element with its attribute names and classes, outside the SVG pictures (their shape
    follows the length of the labels: a long label wraps onto a second line)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: Counter = Counter()
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg += 1
        if self._svg:
            return
        names = tuple(sorted(name for name, _ in attrs))
        classes = tuple(sorted(value or "" for name, value in attrs if name == "class"))
        self.elements[(tag, names, classes)] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1


def page_structure(page: str) -> tuple[Counter, dict]:
    """The page as mkdocs reads it: front matter split off, Markdown to HTML with the extensions
    mkdocs enables (its built-ins plus the project's)."""
    text, meta = get_data(page)
    html = markdown.markdown(text, extensions=["toc", "tables", "fenced_code", "admonition"],
                             extension_configs={"toc": {"permalink": True}})
    parser = _Structure()
    parser.feed(html)
    return parser.elements, meta


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    paths = make_project(tmp_path_factory.mktemp("everywhere") / "project",
                         Path(__file__).parent / "fixtures" / "valid" / "content")
    site = dataclasses.replace(read_site_settings(paths), site_url="https://example.org/")
    return paths, site


def docs_for(project, text: str, body: str = "Notes.") -> dict[str, bytes] | list:
    """The docs tree for `text` in every field, or the errors `check` reports."""
    paths, site = project
    result = check_snapshot(contents(text, body))
    if result.errors:
        return result.errors
    assert result.publication is not None
    return generate_docs(paths, result.publication, site)


_placeholder_cache: dict[str, Counter] = {}


def placeholder_structures(project) -> dict[str, Counter]:
    if not _placeholder_cache:
        docs = docs_for(project, PLACEHOLDER)
        assert isinstance(docs, dict), docs
        _placeholder_cache.update({path: page_structure(data.decode())[0] for path, data in docs.items() if path.endswith(".md")})
    return _placeholder_cache


def assert_every_output_well_formed(project, docs: dict[str, bytes], text: str) -> None:
    expected = placeholder_structures(project)
    assert set(docs) >= set(expected)
    for path, data in docs.items():
        if path.endswith(".png"):
            continue  # share cards: drawn from the title with the font's own glyphs only
        decoded = data.decode("utf-8")  # strict: no lone surrogate reached a file
        if path.endswith(".xml"):
            ET.fromstring(data)
        elif path.endswith(".json"):
            json.loads(decoded)
        elif path.endswith(".md"):
            structure, meta = page_structure(decoded)
            assert decoded.startswith("---\n") and "title" in meta, f"{path}: front matter lost"
            if path in PAGE_TITLES:
                assert meta["title"] == str(html_text(PAGE_TITLES[path].format(text))), path
            assert structure == expected[path], (path, structure - expected[path], expected[path] - structure)
            for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', decoded, re.S):
                json.loads(block)
                assert not re.search("[<>&\u2028\u2029]", block), path


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=hostile_text)
@example(text="!!! note md-dialog md-dialog--active")
@example(text='!!! note md-dialog md-dialog--active "Caught"')
@example(text="[TOC]")
@example(text="Title\n===\n\n- item\n\n> quote")
@example(text="</script><script>alert(1)</script><!--")
@example(text="]]><x>&amp;")
@example(text="DEL\x7f C1\x85\x9b ESC\x1b")
@example(text="noncharacter \ufffe \U0010ffff")
@example(text="lone \ud800 surrogate")
@example(text="carriage\rreturn")
def test_text_in_every_field_is_refused_or_escaped_everywhere(project, text):
    outcome = docs_for(project, text)
    if re.search("[\ud800-\udfff]", text):  # libyaml refuses to decode the escape
        assert isinstance(outcome, list) and {d.code for d in outcome} == {"yaml.syntax"}
        return
    # What a field holds once YAML has read it: a raw U+0085 (NEL) in YAML is a line break.
    text = yaml.load(yaml.safe_dump({"t": text}, allow_unicode=True), Loader=yaml.CSafeLoader)["t"]
    assume(text.strip())
    if FORBIDDEN_IN_FIELD.search(text):
        assert isinstance(outcome, list), "a character no output can carry must be refused"
        assert {d.code for d in outcome} == {"text.forbidden-char"}, [d.format_text() for d in outcome]
        for diagnostic in outcome:
            assert not FORBIDDEN_IN_FIELD.search(diagnostic.format_text())
        return
    assert isinstance(outcome, dict), [d.format_text() for d in outcome]
    assert_every_output_well_formed(project, outcome, text)


def test_hostile_markdown_syntax_is_shown_as_text(project):
    """The admonition case from the issue: before, the summary became a `<div class="admonition
    note md-dialog md-dialog--active">` and its text was gone."""
    docs = docs_for(project, "!!! note md-dialog md-dialog--active")
    assert isinstance(docs, dict)
    for path in (f"theses/{THESIS_ID}/index.md", f"sources/{SOURCE_ID}/index.md", f"assets/{ASSET_ID}/index.md"):
        structure, _ = page_structure(docs[path].decode())
        classes = {c for _, _, element_classes in structure for c in element_classes}
        assert not [c for c in classes if "md-dialog" in c], path
        assert structure == placeholder_structures(project)[path], path  # only the disclaimer is an admonition
        page, _ = get_data(docs[path].decode())
        html = markdown.markdown(page, extensions=["toc", "tables", "fenced_code", "admonition"])
        assert html.count("<p>&#33;!! note md-dialog md-dialog--active</p>") >= 1, path  # shown as text


# --------------------------------------------------------------------------- the check itself


def test_forbidden_key_is_reported_without_echoing_it():
    raw = b'id: ann-lee\nname: Ann Lee\n"ro\\ele": x\n'
    result = check_snapshot({"content/people/ann-lee.yaml": raw})
    lines = [d.format_text() for d in result.diagnostics]
    assert any("error[text.forbidden-char] ro\\x1ble: the key holds control character U+001B" in line for line in lines), lines
    assert any("field.unknown" in line for line in lines), lines
    for diagnostic in result.diagnostics:
        for output in (diagnostic.format_text(), diagnostic.format_github(), format_diagnostics([diagnostic], "json")):
            assert "\x1b" not in output


@pytest.mark.parametrize("body, body_line, column", [
    ("Fine.\n\nA bell\x07 here.\n", 3, 7),
    ("One\r\nTwo\r\n\u0085three\n", 3, 1),
    ("x\ufdd0\n", 1, 2),
])
def test_forbidden_body_character_points_at_its_line(body, body_line, column):
    raw = f"---\nid: ann-lee\nname: Ann Lee\n---\n{body}".encode()  # the body starts on line 5
    _, diagnostics = load.load_document("content/people/ann-lee.md", "person", "ann-lee", raw, "markdown")
    assert [(d.code, d.path, d.line, d.column) for d in diagnostics] == [("text.forbidden-char", "body", body_line + 4, column)]


def test_carriage_return_line_ends_in_a_body_are_accepted():
    raw = b"---\r\nid: ann-lee\r\nname: Ann Lee\r\n---\r\nNotes\r\nmore\r\n"
    _, diagnostics = load.load_document("content/people/ann-lee.md", "person", "ann-lee", raw, "markdown")
    assert diagnostics == []


# --------------------------------------------------------------------------- defence in depth


UNCHECKED = ["DEL\x7f C1\x85\x9b ESC\x1b NUL\x00", "nonchar \ufffe\uffff\ufdd0\U0010fffe", "!!! note md-dialog md-dialog--active"]


@pytest.mark.parametrize("text", UNCHECKED)
def test_writers_are_safe_when_the_check_is_bypassed(project, monkeypatch, text):
    """A publication that never met `check` (built in code, or a future stage that skips it):
    every writer still escapes or replaces what its format cannot carry."""
    monkeypatch.setattr(load, "_forbidden_in_fields", lambda *args: [])
    monkeypatch.setattr(load, "_forbidden_in_body", lambda *args: [])
    docs = docs_for(project, text, body=f"Body {text}")
    assert isinstance(docs, dict), [d.format_text() for d in docs]
    for path, data in docs.items():
        if path.endswith(".png"):
            continue  # share cards: drawn from the title with the font's own glyphs only
        decoded = data.decode("utf-8")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", decoded), path
        if path.endswith(".xml"):
            ET.fromstring(data)
        if path.endswith(".md"):
            structure, meta = page_structure(decoded)
            assert "title" in meta, f"{path}: front matter lost"
            if path in PAGE_TITLES:
                assert meta["title"] == str(html_text(PAGE_TITLES[path].format(text))), path
            assert not any("md-dialog" in classes for _, _, element_classes in structure for classes in element_classes), path


def test_writer_units_replace_or_escape_lone_surrogates():
    """Lone surrogates cannot reach a YAML file through libyaml, so the writers are checked one by one."""
    from generator.export import _json_text
    from generator.feeds import Feed, FeedItem, render_atom, render_rss
    from generator.jsonld import json_ld_script
    from generator.markup import front_matter, href, inline_text, render_body
    import datetime as dt

    hostile = "a\ud800b\x1b\ufffe</script>\u2028"
    for piece in (inline_text(hostile), html_text(hostile), front_matter({"title": hostile}), render_body(hostile)):
        str(piece).encode("utf-8")
    assert yaml.safe_load(str(front_matter({"title": hostile})).strip("-\n"))["title"] == str(html_text(hostile))
    assert str(href("https://e.example/\ud800")) == "#"
    script = json_ld_script([{"text": hostile}])
    script.encode("utf-8")
    assert json.loads(script.split(">", 1)[1].rsplit("<", 1)[0]) == [{"text": hostile}]
    assert "\u2028" not in script and script.count("</script>") == 1
    assert json.loads(_json_text({"t": hostile})) == {"t": hostile}
    for uncarriable in ("\x7f", "\x85", "\ud800", "\ufdd0", "\U0010ffff"):  # in ASCII text and in other text alike
        for text in (f"plain{uncarriable}", f"caf\u00e9{uncarriable}"):
            written = _json_text({"t": text})
            assert uncarriable not in written, repr(text)
            assert json.loads(written) == {"t": text}
    item = FeedItem("tag:x", hostile, "https://e.example/", hostile, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    feed = Feed("feeds/all", hostile, "https://e.example/", hostile, (item,))
    for rendered in (render_rss(feed, "https://e.example/"), render_atom(feed, "https://e.example/")):
        ET.fromstring(rendered)


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_bidirectional_controls_are_refused_where_they_would_reorder_what_a_reader_sees(control):
    """`12` drawn as `21` beside a verified quote, or a link's text spelling another address."""
    raw = f'id: ann-lee\nname: "Ann {control}12{control} Lee"\n'.encode()
    result = check_snapshot({"content/people/ann-lee.yaml": raw})
    assert [(d.code, d.path, d.line) for d in result.diagnostics] == [("text.forbidden-char", "name", 2)]
    assert "bidirectional control" in result.diagnostics[0].message
    body = f"---\nid: ann-lee\nname: Ann Lee\n---\nGrew {control}12{control}% last year.\n".encode()
    _, diagnostics = load.load_document("content/people/ann-lee.md", "person", "ann-lee", body, "markdown")
    assert [(d.code, d.line) for d in diagnostics] == [("text.forbidden-char", 5)]


@pytest.mark.parametrize("text", ["KV cache in C#", "Dan Fu #", "Robots write C##"])
def test_a_closing_hash_stays_in_a_heading(text):
    import html

    rendered = markdown.markdown(f"# {inline_text(text)}\n")
    assert html.unescape(rendered) == f"<h1>{text}</h1>"  # the heading shows every `#` the text has


@settings(max_examples=200, deadline=None)
@given(kind=st.text(alphabet=st.sampled_from(list("ab-`*_[]()<>&\\\"'!#")), max_size=12))
def test_a_badges_class_is_one_inert_attribute_in_markdown(kind):
    """A badge sits in Markdown (a table cell, a paragraph): Python-Markdown runs its code-span,
    escape and link patterns before it recognises raw HTML, so its class is written as inline
    text, which none of them can take apart: the class reads back as written, and no element
    appears inside the badge's tag."""
    import html as html_module
    import re

    import markdown

    from generator.markup import badge

    rendered = markdown.markdown(f"before {badge('label', kind)} after")
    tags = re.findall(r"<(\w+)", rendered)
    assert tags == ["p", "span"], rendered
    written = re.search(r'<span class="ts-badge ts-badge--([^"]*)">', rendered)
    assert written is not None and html_module.unescape(written.group(1)) == " ".join(kind.split()), rendered
