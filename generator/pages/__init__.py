"""Pages: publication → page specs (docs-tree path, template, typed view model).

This package is the one place that decides URLs, slugs, anchors, sorting and what each page
shows; templates only present what it hands them. See `urls` for the URL scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from ..pipeline import Publication

if TYPE_CHECKING:
    from ..publish import EditionNote
from . import urls
from .entities import (
    order_sources, order_theses, tag_page_count, make_asset_page, make_evidence_page, make_person_page, make_source_page, make_tag_page, make_thesis_page,
)
from .indexes import (
    order_assets, order_claims, order_people, make_claims_index, make_home, make_method_page, make_people_index, make_sources_index, make_stance_board,
    make_tags_index, make_theses_index,
)
from .changes import make_changes_page
from .contributing import make_contributing_page
from .record import make_track_record_page
from .entities import make_nav
from .paging import page_count
from .redirects import plan_redirects
from .urls import CHANGES, CONTRIBUTING, Here
from ..history import fallback_history
from .views import ThesisHistory

__all__ = ["PageSpec", "ThesisHistory", "plan_pages", "thesis_dates", "urls"]

DEFAULT_DISCLAIMER = "The reports on this site are research, not investment advice."


@dataclass(frozen=True)
class PageSpec:
    """One page of the docs tree: where it goes, which template presents it, with what."""

    path: str
    template: str
    context: object


def thesis_dates(publication: Publication, history: Mapping[str, ThesisHistory] | None) -> Mapping[str, ThesisHistory]:
    """Git dates where known; the thesis's `opened` date otherwise (SPEC §3)."""
    history = history or {}
    dates: dict[str, ThesisHistory] = {}
    for thesis_id, thesis in publication.graph.theses.items():
        dates[thesis_id] = history.get(thesis_id) or fallback_history(thesis)
    return MappingProxyType(dates)


def plan_pages(publication: Publication, disclaimer: str = DEFAULT_DISCLAIMER,
               history: Mapping[str, ThesisHistory] | None = None, address: urls.SiteAddress | None = None,
               edition: "EditionNote | None" = None) -> Iterator[tuple[str, str, Callable[[], object]]]:
    """Every page as (path, template, context factory), in a stable order, built lazily."""
    dates = thesis_dates(publication, history)
    graph = publication.graph
    address = address or urls.DEFAULT_ADDRESS
    yield urls.HOME, "home.md.j2", lambda: make_home(publication, dates, disclaimer)
    theses = order_theses(publication, graph.theses)
    for n in range(1, page_count(len(theses)) + 1):
        yield urls.paged(urls.THESES, n), "theses_index.md.j2", lambda n=n: make_theses_index(publication, dates, theses, n)
    claims = order_claims(publication)
    for n in range(1, page_count(len(claims)) + 1):
        yield urls.paged(urls.CLAIMS, n), "claims_index.md.j2", lambda n=n: make_claims_index(publication, claims, n)
    assets = order_assets(publication)
    for n in range(1, page_count(len(assets)) + 1):
        yield (urls.paged(urls.ASSETS, n), "stance_board.md.j2",
               lambda n=n: make_stance_board(publication, disclaimer, assets, n))
    sources = order_sources(publication, graph.sources)
    for n in range(1, page_count(len(sources)) + 1):
        yield urls.paged(urls.SOURCES, n), "sources_index.md.j2", lambda n=n: make_sources_index(publication, sources, n)
    people = order_people(publication)
    for n in range(1, page_count(len(people)) + 1):
        yield urls.paged(urls.PEOPLE, n), "people_index.md.j2", lambda n=n: make_people_index(publication, people, n)
    for n in range(1, page_count(len(graph.tags)) + 1):
        yield urls.paged(urls.TAGS, n), "tags_index.md.j2", lambda n=n: make_tags_index(publication, n)
    yield urls.METHOD, "method.md.j2", lambda: make_method_page(publication.stale_after_days)
    yield urls.TRACK_RECORD, "track_record.md.j2", lambda: make_track_record_page(publication)
    yield CONTRIBUTING, "contributing.md.j2", lambda: make_contributing_page(make_nav(Here(CONTRIBUTING)))
    yield (CHANGES, "changes.md.j2", lambda: make_changes_page(
        publication, make_nav(Here(CHANGES)), edition.version if edition else None, edition.changes if edition else None))
    for thesis_id in graph.theses:
        yield (urls.thesis_page(thesis_id), "thesis.md.j2",
               lambda t=thesis_id: make_thesis_page(publication, t, dates, disclaimer, address))
        yield (urls.evidence_page(thesis_id), "evidence.md.j2",
               lambda t=thesis_id: make_evidence_page(publication, t, dates, disclaimer, address))
    for source_id in graph.sources:
        yield urls.source_page(source_id), "source.md.j2", lambda s=source_id: make_source_page(publication, s)
    for asset_id in graph.assets:
        yield urls.asset_page(asset_id), "asset.md.j2", lambda a=asset_id: make_asset_page(publication, a, disclaimer, address)
    for person_id in graph.people:
        yield urls.person_page(person_id), "person.md.j2", lambda p=person_id: make_person_page(publication, p, dates)
    for tag in graph.tags:
        for n in range(1, tag_page_count(publication, tag) + 1):
            yield (urls.paged(urls.tag_page(tag), n), "tag.md.j2",
                   lambda t=tag, n=n: make_tag_page(publication, t, dates, n))
    for path, factory in plan_redirects(publication):
        yield path, "redirect.html.j2", factory
