"""Render: page specs → Markdown text, with the Jinja2 templates in `site_templates/pages/`.

StrictUndefined makes a missing value fail the build. The output is Markdown, so HTML
autoescaping alone would not do: `finalize` passes every printed value that is not `Markup`
through `markup.inline_text`, which escapes it for HTML and Markdown at once. Autoescape is
switched on only so that macro output counts as `Markup` and is not escaped twice.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.compiler import CodeGenerator
from markupsafe import Markup

from . import markup
from .pages import PageSpec


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    if value is None:
        raise ValueError("a template printed None; test for presence first")
    return markup.inline_text(value)


class _FinalizedOutput(CodeGenerator):
    """Prints `{{ value }}` as `finalize(value)` instead of `escape(finalize(value))`.

    `_finalize` returns Markup or raises, so Jinja's `escape()` around it could only copy the
    Markup it was given; skipping it saved a tenth of page rendering. Blocks whose escaping is
    decided at run time or switched off keep Jinja's own code."""

    def _skips_escape(self, frame, finalize) -> bool:  # noqa: ANN001 - Jinja's internal types
        return frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is not None

    def _output_child_pre(self, node, frame, finalize) -> None:  # noqa: ANN001
        if self._skips_escape(frame, finalize):
            self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:  # noqa: ANN001
        if self._skips_escape(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _PageEnvironment(jinja2.Environment):
    code_generator_class = _FinalizedOutput


def make_environment(templates: Path) -> jinja2.Environment:
    environment = _PageEnvironment(
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
