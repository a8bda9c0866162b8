"""Render: page specs → Markdown text, with the Jinja2 templates in `site_templates/pages/`.

StrictUndefined makes a missing value fail the build. The output is Markdown, so HTML
autoescaping alone would not do: `finalize` passes every printed value that is not `Markup`
through `markup.inline_text`, which escapes it for HTML and Markdown at once. Autoescape is
switched on only so that macro output counts as `Markup` and is not escaped twice (Jinja's
own `escape()` around `finalize` then returns that `Markup` unchanged).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from . import markup
from .pages import PageSpec


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    if value is None:
        raise ValueError("a template printed None; test for presence first")
    return markup.inline_text(value)


def make_environment(templates: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates / "pages")),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update({
        "inline": markup.inline_text,
        "body": markup.render_body,
        "href": markup.href,
        "front_matter": markup.front_matter,
        "html_text": markup.html_text,
        "code_block": markup.code_block,
        "code": markup.code_span,
        "listed": markup.listed,
        "link": markup.markdown_link,
        "html_link": markup.html_link,
        "external": markup.external_link,
        "badge": markup.badge,
    })
    return environment


def render_page(environment: jinja2.Environment, spec: PageSpec) -> str:
    """One page's Markdown; identical input gives identical output."""
    template = environment.get_template(spec.template)
    return template.render(page=spec.context)
