"""Raw HTML written where a page had Markdown (site_templates/pages/_macros.md.j2; bench/README.md,
"Cheaper pages") is the HTML Python-Markdown made of that Markdown, byte for byte, whatever the
text: so readers see what they saw, and contributor text stays text (`markup.inline_text`)."""

from __future__ import annotations

import markdown
from hypothesis import assume, given, settings, strategies as st

from generator.markup import code_html, code_span, external_link, inline_text, link_html
from generator.pages.views import ExternalLink

TEXT = st.text(alphabet=st.sampled_from(list("aZ09 *_`[]()<>&|#!\\\"'-:.;=?/%é€😀\u00ad\n\t")), max_size=60)
URL = st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["https://e.org/", "http://", "mailto:", "", "#",
                                                                     "javascript:", "//evil/"]),
                st.text(alphabet=st.sampled_from(list("az09&;#?=/%<>\"' amp;lt;x27")), max_size=40))


def _inline(markdown_text: str) -> str:
    html = markdown.markdown(markdown_text, extensions=["toc", "tables", "admonition"])
    assert html.startswith("<p>") and html.endswith("</p>"), html
    return html[len("<p>"):-len("</p>")]


@settings(max_examples=300, deadline=None)
@given(text=TEXT, url=URL)
def test_a_link_is_the_a_python_markdown_makes_of_its_markdown(text, url):
    assume("&#" not in url)  # the documented exception (see `link_html`): the address stays as written
    link = ExternalLink(text=text or "x", url=url)
    assert str(link_html(link)) == _inline(f"before {external_link(link)} after").removeprefix("before ").removesuffix(" after")


@settings(max_examples=300, deadline=None)
@given(text=TEXT.filter(lambda t: t.strip()))
def test_code_is_the_code_python_markdown_makes_of_its_span(text):
    # The one documented exception (see `code_html`): `&#` then digits, whose completion by
    # Python-Markdown depends on what precedes it; code_html is given commit ids only.
    assume("&#" not in text)
    assert str(code_html(text)) == _inline(f"before {code_span(text)} after").removeprefix("before ").removesuffix(" after")


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_text_in_a_cell_or_item_is_what_python_markdown_makes_of_it(text):
    """Values print as `inline_text` in raw HTML as they did in Markdown: Markdown passes them on unchanged."""
    shown = str(inline_text(text))
    assert _inline(f"before {shown} after") == f"before {shown} after"
    table = markdown.markdown(f"| h |\n|---|\n| {shown} |\n", extensions=["tables"])
    assert f"<td>{shown}</td>" in table
