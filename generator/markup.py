"""The one place where content text enters Markdown or HTML.

Input: text typed by contributors (YAML values, Markdown bodies) and URLs. Output: `Markup`
strings that are safe to place in the generated Markdown tree: inline text escaped for both
HTML and Python-Markdown, bodies rendered with markdown-it-py (raw HTML off) and sanitised
with nh3, URLs allow-listed, front matter emitted by a YAML emitter. The renderer's `finalize`
escapes anything that is not `Markup`, so a template that forgets a filter still prints inert text.
Characters no output can carry (see `characters`) become U+FFFD here too, in case a publication
reaches the writers without `check`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import quote, urlsplit

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .characters import UNCARRIABLE, UNCARRIABLE_CLASS, replace_uncarriable



class ShownLink(Protocol):
    """What this module reads of a link to print it (`pages.views.ExternalLink` has these): the
    page layer imports this module, so it names the attributes, not the page types."""

    @property
    def text(self) -> str: ...
    @property
    def url(self) -> str: ...


class PageLink(ShownLink, Protocol):
    """A link to a page of the site (`pages.urls.Link`): also its Markdown target."""

    @property
    def href(self) -> str: ...

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
"""Link schemes a body or a field may use; relative links are allowed too."""

_WHITESPACE = re.compile(r"\s+")
# Characters Python-Markdown (with the `tables` extension) gives meaning to inside a line. They
# become numeric entities, not backslash escapes: not every pattern honours a backslash (the
# link reference definition reads `[a\\]: x` as the label `a\\`), but no pattern starts at an entity.
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]|#]")
_ENTITY = {character: f"&#{ord(character)};" for character in "\\`*_[]|#"}
"""`#` too: Python-Markdown drops a closing run of `#` from a heading (`C#` would show as `C`)."""
# What could open a block when the text lands at the start of a line: any ASCII punctuation
# (heading, list, quote, rule, table, fence, admonition `!!!`, details `???`, attribute list
# `{:`, footnote or reference definition `[x]:`, HTML `<`...) or a number that reads as a list
# item (`12.`, `3)`). An allow-list, so syntax of any extension is covered: it becomes numeric
# entities, which start no block.
_BLOCK_START = re.compile(r"[0-9]+[.)]|[^A-Za-z0-9(\u0080-\U0010ffff]")

_BODY_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
})
_BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


_NON_ASCII = ("\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff"
              "\u3001-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd"
              + "".join(f"{chr(plane)}-{chr(plane + 0xFFFD)}" for plane in range(0x10000, 0x110000, 0x10000)))
"""Every non-ASCII character except the whitespace that `\\s` matches and what no output can
carry (C1 controls, surrogates, noncharacters): one class, fast to match."""
_PLAIN = re.compile(f"(?![0-9]+[.)])[A-Za-z0-9({_NON_ASCII}][A-Za-z0-9 ,;:'()/%$@?!.+=~{_NON_ASCII}-]*")
"""Text that needs no escaping anywhere (most labels, names, dates, prose); skips the slow path.
No character of it means anything to HTML or Markdown: letters, digits, safe ASCII punctuation
and any non-ASCII character but whitespace; it cannot open a block (a digit start is allowed
unless it reads as a numbered list item, `12.` or `3)`)."""
_SAFE_RELATIVE = re.compile(r"[A-Za-z0-9._~/-]*(#[A-Za-z0-9._~-]*)?")
"""A relative link the generator made from validated ids: nothing to check or encode."""


def _made_by_generator(url: str) -> bool:
    """A relative link of validated ids and fixed words: nothing to check, encode or escape."""
    return _SAFE_RELATIVE.fullmatch(url) is not None and not url.startswith("//")


def inline_text(value: object) -> Markup:
    """Content text as one line of inert Markdown: one line (whitespace runs, newlines included,
    become one space, so no later line can open a block), HTML escaped, Markdown specials
    escaped, and a start that could open a block written as entities."""
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and "  " not in text:
        return Markup(text)
    text = replace_uncarriable(_WHITESPACE.sub(" ", text).strip())
    start = _BLOCK_START.match(text)
    lead = ""
    if start:
        lead = "".join(f"&#{ord(c)};" for c in start.group())
        text = text[start.end():]
    # `"` is escaped so the text stays inert even inside an attribute; `'` needs no escape here.
    text = html.escape(text, quote=False).replace('"', "&quot;")
    text = _INLINE_SPECIAL.sub(lambda match: _ENTITY[match.group()], text)
    return Markup(lead + text)


_HTML_PLAIN = re.compile(f"[^\\s&<>\"'{UNCARRIABLE_CLASS}]+(?: [^\\s&<>\"'{UNCARRIABLE_CLASS}]+)*")
"""Text `html_text` would return unchanged: nothing to escape, single inner spaces only."""


def html_text(value: object) -> Markup:
    """Content text for an HTML context that Markdown never parses (SVG, front matter titles)."""
    text = str(value)
    if _HTML_PLAIN.fullmatch(text):
        return Markup(text)
    return Markup(html.escape(replace_uncarriable(_WHITESPACE.sub(" ", text).strip()), quote=True))


def safe_url(url: str) -> str | None:
    """The URL if its scheme is allow-listed (or it is relative), else None."""
    stripped = url.strip()
    if any(ord(c) < 0x20 for c in stripped) or UNCARRIABLE.search(stripped):
        return None
    scheme = urlsplit(stripped).scheme.lower()
    if scheme and scheme not in ALLOWED_SCHEMES:
        return None
    if not scheme and stripped.startswith("//"):
        return None
    return stripped


def href(url: str) -> Markup:
    """A URL for a Markdown link target or an HTML attribute; refused schemes become '#'."""
    url = str(url)
    if _made_by_generator(url):
        return Markup(url)
    checked = safe_url(url)
    if checked is None:
        return Markup("#")
    # Percent-encode what would end a Markdown link target or an attribute value.
    return Markup(quote(checked, safe="/:?#[]@!$&'*+,;=%-._~").replace("'", "%27"))


_BACKTICKS = re.compile(r"`+")


def code_span(value: object) -> Markup:
    """Text as an inline Markdown code span: shown verbatim (Markdown escapes code itself, and
    reads no syntax inside it), on one line, fenced by more backticks than it holds."""
    text = replace_uncarriable(_WHITESPACE.sub(" ", str(value)).strip())
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def code_html(value: object) -> Markup:
    """Text as the `<code>` Python-Markdown makes of `code_span(value)`: one line, stripped, with
    `&`, `<` and `>` escaped (quotes are not). One quirk is not copied: Python-Markdown's HTML
    handling sometimes completes a numeric character reference written without its `;` (`&#0` →
    `&amp;#0;`), depending on what precedes it; the templates give this only commit ids, which
    hold no `&`."""
    text = replace_uncarriable(_WHITESPACE.sub(" ", str(value)).strip())
    return Markup(f"<code>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</code>")


def listed(values: Iterable[object], last: str | None = "and", code: bool = False) -> Markup:
    """Values as one English list, `a, b and c` (`last`: the word before the last value; None
    for commas only), each as inline text or, with `code`, as a code span."""
    shown = [code_span(value) if code else inline_text(value) for value in values]
    if last is None or len(shown) < 2:
        return Markup(", ").join(shown)
    return Markup(", ").join(shown[:-1]) + Markup(f" {inline_text(last)} ") + shown[-1]


def code_block(value: object) -> Markup:
    """Verbatim text as an indented Markdown code block (Markdown escapes code itself)."""
    lines = replace_uncarriable(str(value)).replace("\t", "    ").splitlines()
    return Markup("\n".join(("    " + line).rstrip() for line in lines))


def markdown_link(link: PageLink) -> Markup:
    """A `Link` (see `pages.urls`) as a Markdown link to its target page."""
    return Markup(f"[{inline_text(link.text)}]({href(link.href)})")


def html_href(url: str) -> Markup:
    """`href` for an attribute of raw HTML, which Markdown leaves as it is: `&` becomes `&amp;`."""
    if _made_by_generator(url):
        return Markup(url)
    return Markup(html.escape(str(href(url)), quote=True))


def html_link(link: ShownLink) -> Markup:
    """A `Link` or `ExternalLink` as an `<a>` for raw HTML blocks, which Markdown and mkdocs leave
    as they are: so it points at the final URL (`link.url`), not at the Markdown file."""
    return Markup(f'<a href="{html_href(link.url)}">{html_text(link.text)}</a>')


_MARKDOWN_AMPERSAND = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);)", re.IGNORECASE)


def _markdown_href(url: str) -> str:
    """`href(url)` as Python-Markdown writes a link's target into its `href` attribute: a `&` that
    starts no entity becomes `&amp;` (`href` has percent-encoded `<`, `>` and quotes already)."""
    return _MARKDOWN_AMPERSAND.sub("&amp;", str(href(url)))


def link_html(link: ShownLink) -> Markup:
    """A link as the `<a>` Python-Markdown makes of `markdown_link(link)` (a `Link`, whose `href`
    mkdocs rewrites to its final `url`) or of `external_link(link)`: `link.url`, and the text as
    `inline_text`. For raw HTML written where the page had Markdown (raw HTML costs Python-Markdown
    less; bench/README.md, "Cheaper pages"), so the page's HTML stays byte for byte what it was.
    One quirk is not copied: in an address holding `&#` then digits, Python-Markdown sometimes
    completes a character reference (`&#0` → `&#0;`, a different address); here the address
    stays as written."""
    return Markup(f'<a href="{_markdown_href(link.url)}">{inline_text(link.text)}</a>')


def external_link(link: ShownLink) -> Markup:
    """An `ExternalLink` (content URL) as a Markdown link; unsafe schemes become '#'."""
    return Markup(f"[{inline_text(link.text)}]({href(link.url)})")


def badge(label: object, kind: object, unsearched: bool = False) -> Markup:
    """A small labelled badge; `kind` selects its colour in the site stylesheet.

    `unsearched` marks it `data-search-exclude`, for a badge in text the search index keeps.
    (Material's search parser tells elements apart by tag only: inside an excluded `<span>`, the
    end of a nested badge `<span>` would end the exclusion, so mark the badge itself instead.)"""
    flag = " data-search-exclude" if unsearched else ""
    return Markup(f'<span class="ts-badge ts-badge--{inline_text(kind)}"{flag}>{inline_text(label)}</span>')


_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""`safe_dump`'s dumper with libyaml's emitter: a seventh of the pure-Python one's time per page."""


def _front_matter_value(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _front_matter_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_front_matter_value(item) for item in value]
    if isinstance(value, (bool, int)):
        return value
    return str.__str__(html_text(value))  # a plain str: the YAML emitter refuses str subclasses


def front_matter(fields: dict[str, object]) -> Markup:
    """A page's front matter block, written by a YAML emitter (never by string formatting), so
    no value can end the block, add a key or break the YAML. Text values are HTML-escaped: the
    theme prints `page.meta` raw (the page title, the description meta tag)."""
    text = yaml.dump(_front_matter_value(fields), Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000)
    return Markup(f"---\n{text}---")


def _shift_headings(tokens: list[Token]) -> None:
    """Bodies sit under the page's own headings: `#` becomes h2, and so on."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + 1)
            token.tag = f"h{level}"


_BODY_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable("strikethrough")


def body_tokens(markdown: str) -> list[Token]:
    """The markdown-it tokens of a body: what `render_body` renders and `quotes` reads the visible text of."""
    return _BODY_PARSER.parse(markdown)


def render_body(markdown: str | None) -> Markup:
    """A contributor's Markdown body as one sanitised HTML block (empty when there is none)."""
    if not markdown or not markdown.strip():
        return Markup("")
    tokens = body_tokens(replace_uncarriable(markdown))
    _shift_headings(tokens)
    rendered = _BODY_PARSER.renderer.render(tokens, _BODY_PARSER.options, {})
    cleaned = nh3.clean(
        rendered,
        tags=set(_BODY_TAGS),
        clean_content_tags={"script", "style"},
        attributes={key: set(value) for key, value in _BODY_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # Python-Markdown ends a raw HTML block at a blank line inside some constructs; keep it whole.
    cleaned = re.sub(r"\n\s*\n", "\n", cleaned).strip()
    return Markup(f'<div class="ts-body">\n{cleaned}\n</div>')
