"""Render: planned pages → Markdown text, with the Jinja2 templates in `site_templates/pages/`.

StrictUndefined makes a missing value fail the build. The output is Markdown, so HTML
autoescaping alone would not do: `finalize` passes every printed value that is not `Markup`
through `markup.inline_text`, which escapes it for HTML and Markdown at once. Autoescape is
switched on only so that macro output counts as `Markup` and is not escaped twice (Jinja's
own `escape()` around `finalize` then returns that `Markup` unchanged).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import markup
from .digests import folder_digest
from .pages import PageKind


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    if value is None:
        raise ValueError("a template printed None; test for presence first")
    return markup.inline_text(value)


def make_environment(templates: Path) -> jinja2.Environment:
    """The page templates' environment. Kept while the templates' bytes stay the same, so a
    long-lived process (`serve`) compiles them once, not on every save; `auto_reload` is off
    (a build would otherwise stat every template at every page)."""
    folder = templates / "pages"
    return _environment(str(folder), folder_digest(folder))


@functools.lru_cache(maxsize=4)
def _environment(folder: str, templates_digest: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
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
        "code_html": markup.code_html,
        "listed": markup.listed,
        "link": markup.markdown_link,
        "html_link": markup.html_link,
        "external": markup.external_link,
        "link_html": markup.link_html,
        "badge": markup.badge,
    })
    return environment


def render_page(environment: jinja2.Environment, kind: PageKind[Any, Any], view: object) -> str:
    """One page's Markdown, from the template of its kind; identical input gives identical output.

    Raises TypeError when `view` is not the view model the kind's template presents: a template
    given another type would print whatever fields happen to share a name, or fail on the first
    that does not, far from the mistake."""
    if not isinstance(view, kind.view):
        raise TypeError(f"the {kind.name} page ({kind.template}) presents a {kind.view.__name__}, "
                        f"not a {type(view).__name__}")
    return environment.get_template(kind.template).render(page=view)
