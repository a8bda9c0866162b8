"""No script injection (SPEC §6): hostile text in every field and body reaches the built HTML inert.

One content tree carries script tags, event handlers, `javascript:`/`data:` links, attribute
break-outs and template syntax in every free-text field, URL and Markdown body; the site is
built with mkdocs-material and every HTML page, the search index and the sitemap are inspected.
"""

from __future__ import annotations

import html as html_module
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.markup import href, inline_text, render_body
from generator.settings import ProjectPaths
from site_support import make_project, search_records

MARK = "PWNED"
PAYLOAD = (
    f"<script>alert('{MARK}1')</script> <img src=x onerror=\"alert('{MARK}2')\"> "
    f"[click](javascript:alert('{MARK}3')) <a href=\"data:text/html,{MARK}4\">d</a> "
    f"\" onmouseover=\"alert('{MARK}5') ' onfocus='alert({MARK}6)' </title><svg onload=alert({MARK}7)> "
    f"{{{{ 7*7 }}}} {{% for x in y %}}{MARK}8{{% endfor %}} ![i](data:image/svg+xml,{MARK}9) ](x) ** _ | ` # > 1. - "
    f"{{% raw %}}{MARK}19{{% endraw %}} {{# {MARK}20 #}} {{%- if 1 -%}}{MARK}21{{%- endif %}} ${{x}} <!-- {MARK}22 -->"
)
BODY = f"""# Heading {PAYLOAD}

Text with <script>alert('{MARK}10')</script> and <iframe src="https://evil.example/{MARK}11"></iframe>.

[js link](javascript:alert('{MARK}12')) [data link](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:{MARK}13)
<a href="javascript:alert('{MARK}14')" onclick="alert('{MARK}15')">raw</a>
<style>body{{display:none}}</style>
![img](https://evil.example/{MARK}16.png)

| a | b |
|---|---|
| <b onmouseover="x">{MARK}17</b> | ok |
"""
EVIL_URL = f"https://evil.example/\"><script>alert('{MARK}18')</script>"


def text(label: str) -> str:
    return f"{label} {PAYLOAD}"


def hostile_content(root: Path) -> Path:
    content = root / "hostile-content"
    for folder in ("sources", "theses", "assets", "people"):
        (content / folder).mkdir(parents=True)
    source = {
        "id": "evil-source", "title": text("title"), "kind": "podcast", "publisher": text("publisher"),
        "series": text("series"), "published": "2026-01-02", "url": EVIL_URL, "duration": "1:00:00",
        "metrics": {"views": 10, "as_of": "2026-01-03"}, "coverage": "transcript", "speakers": ["eve"],
        "tldr": text("tldr"),
        "insights": [{"id": "group", "title": text("group"),
                      "points": [{"id": "point", "title": text("point title"), "text": text("point text")}]}],
        "moments": [{"at": "0:01:02", "text": text("moment")}],
        "tables": [{"id": "table", "title": text("table"), "columns": [text("col"), "plain"],
                    "rows": [[text("cell"), "x"]]}],
        "mentions": [{"name": text("name"), "category": text("category"), "note": text("note")}],
        "bottom_line": text("bottom"), "tags": ["evil"],
    }
    front = yaml.safe_dump(source, allow_unicode=True, sort_keys=False)
    (content / "sources" / "evil-source.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    thesis = {
        "id": "evil-thesis", "title": text("thesis title"), "status": "active", "style": "thematic",
        "horizon": "long-term", "actionability": "high", "opened": "2026-01-04", "authors": ["eve"],
        "summary": text("summary"),
        "claims": [
            {"id": "claim-a", "text": text("claim"), "confidence": "high", "evidence": [
                {"source": "evil-source", "at": "tldr", "quote": PAYLOAD},
                {"source": "evil-source", "at": "moment/0:01:02", "quote": PAYLOAD},
                {"source": "evil-source", "at": "insight/point", "quote": text("paraphrased"), "paraphrase": True},
            ]},
        ],
        "assets": [{"asset": "EVIL", "direction": "long", "role": text("role"), "rationale": text("rationale"),
                    "because": ["claim-a"]}],
        "risks": [text("risk")], "guidance": text("guidance"),
        "review": {"status": "reviewed", "by": "eve", "on": "2026-01-05"}, "tags": ["evil"],
    }
    front = yaml.safe_dump(thesis, allow_unicode=True, sort_keys=False)
    (content / "theses" / "evil-thesis.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    asset = {"id": "EVIL", "name": text("asset name"), "kind": "equity", "exchange": text("exchange"),
             "sector": text("sector"), "description": text("description")}
    (content / "assets" / "EVIL.yaml").write_text(yaml.safe_dump(asset, allow_unicode=True), encoding="utf-8")
    person = {"id": "eve", "name": text("person"), "affiliation": text("affiliation"), "role": text("role"),
              "links": [EVIL_URL], "handle": text("handle")}
    (content / "people" / "eve.yaml").write_text(yaml.safe_dump(person, allow_unicode=True), encoding="utf-8")
    return content


class _Inspector(HTMLParser):
    """Collects what would run in a browser: script and style text, event handlers, URL attributes."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw_text_tag: str | None = None
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "object", "embed", "base", "frame"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in self.URL_ATTRIBUTES:
                scheme = value.strip().lower().split(":", 1)[0] if ":" in value else ""
                if scheme in ("javascript", "data", "vbscript"):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
                if tag in ("script", "img", "link") and MARK in value:
                    self.problems.append(f"<{tag} {name}={value!r}> from content")
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._json_ld = []  # data, not code: it must parse as JSON, whatever text it carries
        elif tag in ("script", "style"):
            self._raw_text_tag = tag

    def handle_endtag(self, tag):
        if tag == "script" and self._json_ld is not None:
            try:
                json.loads("".join(self._json_ld))
            except ValueError as error:
                self.problems.append(f"JSON-LD block does not parse: {error}")
            self._json_ld = None
        if tag == self._raw_text_tag:
            self._raw_text_tag = None

    def handle_data(self, data):
        if self._json_ld is not None:
            self._json_ld.append(data)
            return
        if self._raw_text_tag and (MARK in data or "display:none" in data):
            self.problems.append(f"<{self._raw_text_tag}> text from content: {data[:80]!r}")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    paths = make_project(root / "project", hostile_content(root))
    result = build_site(paths, root / "site", strict=True)
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    return root / "site"


def test_every_page_is_inert(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    problems = []
    for page in pages:
        inspector = _Inspector()
        inspector.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(hostile_site)}: {p}" for p in inspector.problems]
    assert problems == []


def test_payload_text_is_visible_as_text(hostile_site):
    thesis = (hostile_site / "theses" / "evil-thesis" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in thesis
    # Template syntax (Jinja's blocks, raw sections, comments, whitespace control) shown, never run:
    for shown in ("{{ 7*7 }}", "{% for x in y %}", f"{{% raw %}}{MARK}19{{% endraw %}}", f"{{# {MARK}20 #}}",
                  f"{{%- if 1 -%}}{MARK}21{{%- endif %}}", "${x}", f"&lt;!-- {MARK}22 --&gt;"):
        assert shown in thesis, shown
    title = thesis.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title


def test_search_indexes_content_markup_as_the_text_a_reader_sees(hostile_site):
    """Pagefind reads the rendered page: the hostile text is in its record as the characters shown
    (`<script>` written out), and the page title it shows in results is plain text."""
    records = {str(record["url"]): record for record in search_records(hostile_site)}
    thesis = records["/theses/evil-thesis/"]
    assert f"<script>alert('{MARK}1')</script>" in str(thesis["content"])
    meta = thesis["meta"]
    assert isinstance(meta, dict) and str(meta["title"]).startswith(f"thesis title <script>alert('{MARK}1')</script> <img")


def test_search_index_and_sitemap_hold_no_markup_from_content(hostile_site):
    # material's index is built for file:// only (a served site searches with Pagefind)
    offline = hostile_site.parent / "offline"
    result = build_site(ProjectPaths(hostile_site.parent / "project"), offline, strict=True, offline=True)
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    index = json.loads((offline / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for field in ("title", "text"):
            value = doc.get(field, "")
            assert "<script" not in value.lower(), (doc["location"], value[:200])
            assert "onerror=" not in value.replace("&quot;", '"').split("&lt;img")[0] or "<img" not in value
    assert MARK not in (hostile_site / "sitemap.xml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ unit level


@pytest.mark.parametrize("value", [PAYLOAD, "# heading", "1. list", "- item", "> quote", "=====", "| a | b |"])
def test_inline_text_never_yields_markup_or_blocks(value):
    escaped = str(inline_text(value))
    assert "<" not in escaped and ">" not in escaped.replace("&gt;", "")
    assert not escaped.startswith(("#", "-", "1.", ">", "=", "|"))
    assert "\n" not in escaped


def test_render_body_keeps_safe_markdown_and_drops_the_rest():
    html = str(render_body(BODY))
    assert "<script" not in html and "<iframe" not in html and "<style" not in html and "<img" not in html
    inspector = _Inspector()
    inspector.feed(html)
    assert inspector.problems == []
    assert "&lt;script&gt;" in html  # raw HTML in a body is shown as text, not dropped silently
    assert "<h2>Heading" in html and "<table>" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example/x",
                                 "vbscript:x", "java\tscript:x"])
def test_href_refuses_unsafe_schemes(url):
    assert str(href(url)) == "#"


def test_href_keeps_safe_urls_and_encodes_breakouts():
    assert str(href("https://example.com/a?b=c&t=5#x")) == "https://example.com/a?b=c&t=5#x"
    assert str(href("../x/index.md#claim")) == "../x/index.md#claim"
    encoded = str(href('https://e.example/")<script>'))
    assert '"' not in encoded and "<" not in encoded and ")" not in encoded


def test_reworded_claim_diff_on_the_changes_page_is_inert(tmp_path):
    """The word diff of a reworded claim sits in inline HTML inside a Markdown list item, where
    Markdown still runs: each run must be escaped for Markdown as well as HTML."""
    import markdown

    from generator.pages.changes import CHANGES, ClaimChangeView, EditionChangesPage, ThesisChangeView, WordRun
    from generator.pages.entities import make_nav
    from generator.pages.urls import Here
    from generator.render import make_environment, render_page
    from generator.pages import kinds

    runs = tuple(WordRun(op, PAYLOAD) for op in ("=", "-", "+"))
    claim = ClaimChangeView("c", "reworded", PAYLOAD, runs, None, ())
    thesis = ThesisChangeView(None, "t", "changed", "one claim reworded", None, (), (claim,))
    page = EditionChangesPage(make_nav(Here(CHANGES)), "2", "1", (), (), (), (), (thesis,), ())
    paths = make_project(tmp_path / "project")
    text = render_page(make_environment(paths.templates), kinds.CHANGES, page)
    inspector = _Inspector()
    inspector.feed(markdown.markdown(text))
    assert inspector.problems == []
    assert text.count("<del>") == 1 and text.count("<ins>") == 1


def test_feeds_carry_content_as_text_for_feed_readers(hostile_site):
    """RSS titles and descriptions are read as HTML: after XML decoding they must still be
    escaped. Atom's are text by default and must not claim to be HTML."""
    import xml.etree.ElementTree as ET

    rss_files = sorted(hostile_site.glob("feeds/**/*.rss.xml"))
    atom_files = sorted(hostile_site.glob("feeds/**/*.atom.xml"))
    assert rss_files and atom_files
    seen_payload = False
    for path in rss_files:
        for element in ET.parse(path).iter():
            if element.tag in ("title", "description") and element.text:
                assert "<" not in element.text, f"{path.name}: {element.tag} {element.text[:80]!r}"
                seen_payload |= MARK in element.text
    assert seen_payload, "the payload should reach the feeds, as text"
    for path in atom_files:
        for element in ET.parse(path).iter():
            assert element.get("type") not in ("html", "xhtml"), f"{path.name}: {element.tag}"


# ------------------------------------------------------------------ Markdown syntax in text fields

ADMONITION = "!!! note md-dialog md-dialog--active"
"""A whole text field that Python-Markdown's admonition extension read as a block: the text was
gone and the page got a `<div>` with classes the contributor chose (material's dialog, shown)."""
BLOCK_SYNTAX = {
    "thesis title": f'{ADMONITION} "thesis"', "summary": ADMONITION, "guidance": "[TOC]",
    "risks": [ADMONITION, "{: .md-dialog }", "[x]: https://evil.example/ref"],
    "source title": f'{ADMONITION} "source"', "tldr": ADMONITION, "bottom_line": "??? note md-dialog",
    "point": "[^1]: footnote", "moment": "*[HTML]: abbreviation", "asset name": f'{ADMONITION} "asset"',
    "description": ADMONITION, "person name": f'{ADMONITION} "person"',
}


def block_syntax_content(root: Path) -> Path:
    """Each named field holds nothing but a block of some enabled (or commonly enabled) extension."""
    content = root / "block-content"
    for folder in ("sources", "theses", "assets", "people"):
        (content / folder).mkdir(parents=True)
    b = BLOCK_SYNTAX
    source = {"id": "src", "title": b["source title"], "kind": "podcast", "publisher": ADMONITION, "published": "2026-01-02",
              "coverage": "transcript", "speakers": ["eve"], "tldr": b["tldr"],
              "insights": [{"id": "g", "title": ADMONITION, "points": [{"id": "p", "title": ADMONITION, "text": b["point"]}]}],
              "moments": [{"at": "0:01:02", "text": b["moment"]}],
              "tables": [{"id": "t", "title": ADMONITION, "columns": [ADMONITION], "rows": [[ADMONITION]]}],
              "mentions": [{"name": ADMONITION, "category": ADMONITION, "note": ADMONITION}], "bottom_line": b["bottom_line"]}
    (content / "sources" / "src.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    thesis = {"id": "bet", "title": b["thesis title"], "status": "active", "style": "thematic", "horizon": "long-term",
              "actionability": "high", "opened": "2026-01-04", "authors": ["eve"], "summary": b["summary"],
              "claims": [{"id": "c", "text": ADMONITION, "confidence": "high",
                          "evidence": [{"source": "src", "at": "tldr", "quote": ADMONITION}]}],
              "assets": [{"asset": "EVIL", "direction": "long", "role": ADMONITION, "rationale": ADMONITION, "because": ["c"]}],
              "risks": b["risks"], "guidance": b["guidance"]}
    (content / "theses" / "bet.yaml").write_text(yaml.safe_dump(thesis, allow_unicode=True), encoding="utf-8")
    asset = {"id": "EVIL", "name": b["asset name"], "kind": "equity", "sector": ADMONITION, "description": b["description"]}
    (content / "assets" / "EVIL.yaml").write_text(yaml.safe_dump(asset, allow_unicode=True), encoding="utf-8")
    person = {"id": "eve", "name": b["person name"], "role": ADMONITION}
    (content / "people" / "eve.yaml").write_text(yaml.safe_dump(person, allow_unicode=True), encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def block_syntax_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("blocks")
    paths = make_project(root / "project", block_syntax_content(root))
    result = build_site(paths, root / "site", strict=True)
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    return root / "site"


class _Classes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.classes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.classes += (value or "" for name, value in attrs if name == "class")

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("page, title", [("theses/bet", BLOCK_SYNTAX["thesis title"]), ("sources/src", BLOCK_SYNTAX["source title"]),
                                         ("assets/EVIL", "EVIL · " + BLOCK_SYNTAX["asset name"]),
                                         ("people/eve", BLOCK_SYNTAX["person name"]), ("theses/bet/evidence", "Evidence: " + BLOCK_SYNTAX["thesis title"])])
def test_block_syntax_in_text_fields_stays_text(block_syntax_site, page, title):
    html = (block_syntax_site / page / "index.html").read_text(encoding="utf-8")
    article = html.split("<article", 1)[1].split("</article>", 1)[0]  # the theme has a dialog of its own
    parser = _Classes()
    parser.feed(article)
    assert not [c for c in parser.classes if "md-dialog" in c or c.startswith("admonition note") or c == "toc" or "footnote" in c]
    everywhere = _Classes()
    everywhere.feed(html)
    assert not [c for c in everywhere.classes if "md-dialog--active" in c]
    assert "<abbr" not in article and "<hr" not in article
    admonitions = [c for c in parser.classes if c.startswith("admonition ")]
    assert admonitions in ([], ["admonition warning"])  # the disclaimer, written by the template
    assert "".join(parser.text).count(ADMONITION) >= 2, "the text is shown, as text"
    page_title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert html_module.unescape(page_title) == f"{title} - thesis-site", page_title


@pytest.mark.parametrize("page, shown", [
    ("theses/bet", ("[TOC]", "{: .md-dialog }", "[x]: https://evil.example/ref")),
    ("sources/src", ("??? note md-dialog", "[^1]: footnote", "*[HTML]: abbreviation")),
])
def test_block_syntax_pages_show_each_named_field(block_syntax_site, page, shown):
    parser = _Classes()
    parser.feed((block_syntax_site / page / "index.html").read_text(encoding="utf-8"))
    visible = "".join(parser.text)
    for text in shown:
        assert text in visible, text


@pytest.mark.parametrize("escape", ["\\x7f", "\\x85", "\\x9b", "\\e", "\\uFFFE"])
def test_a_title_with_a_control_character_is_refused_before_any_page(tmp_path, escape):
    content = block_syntax_content(tmp_path)
    path = content / "theses" / "bet.yaml"
    text = re.sub(r"^title: .*$", lambda _: f'title: "Title {escape} here"', path.read_text(encoding="utf-8"), count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    result = build_site(make_project(tmp_path / "project", content), tmp_path / "site", strict=True)
    assert not result.ok
    assert [d.code for d in result.diagnostics] == ["text.forbidden-char"], [d.format_text() for d in result.diagnostics]
    assert not (tmp_path / "site").exists()
