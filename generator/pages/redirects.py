"""Redirects from the URLs of renamed entities (`renamed_from`, SPEC §2 "Renames").

Each old page path gets a small static HTML file at the URL the page had (`theses/<old>/` and
its `evidence/` page for a thesis): a meta refresh, a canonical link and `noindex`, all to the
new page by a relative URL, so it works under any base path (a mike edition, `file://`). The
files are part of the docs tree, not of one renderer's plugin: mkdocs copies them as they are,
`thesis-site build`, `serve` and `publish` (mike) alike, and so would any other renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from ..pipeline import Publication
from . import urls
from .urls import Here, Link


@dataclass(frozen=True)
class RedirectPage:
    """The old address `old_id` of a page that now lives at `target`."""

    old_id: str
    target: Link


_PAGES: tuple[tuple[str, str, tuple[Callable[[str], str], ...]], ...] = (
    ("sources", "source", (urls.source_page,)),
    ("theses", "thesis", (urls.thesis_page, urls.evidence_page)),
    ("assets", "asset", (urls.asset_page,)),
    ("people", "person", (urls.person_page,)),
)
"""Graph member, kind, and the pages of an entity of that kind that an old id keeps."""


def _label(model: object) -> str:
    return str(getattr(model, "title", None) or getattr(model, "name", None))


def plan_redirects(publication: Publication) -> Iterator[tuple[str, Callable[[], RedirectPage]]]:
    """(docs-tree path of the redirect file, view model factory) for every old id, sorted."""
    for member, _kind, pages in _PAGES:
        entities = getattr(publication.graph, member)
        for entity_id, model in entities.items():
            for old_id in model.renamed_from:
                for page in pages:
                    old, new = page(old_id), page(entity_id)
                    yield urls.redirect_file(old), (
                        lambda old=old, new=new, old_id=old_id, title=_label(model):  # noqa: B008 - binds this entity's label now
                        RedirectPage(old_id, Here(old).link(new, title)))
