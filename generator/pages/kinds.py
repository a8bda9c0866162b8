"""The page plan: every kind of page, in one registry (`KINDS`), and the plan of a build's pages.

A `PageKind` ties together what a page kind is everywhere else: the view model it presents (a
frozen dataclass), the template that presents it (`site_templates/pages/`), which pages of the
kind a publication has (one key each: an id, a page of a listing; a listing's pages are split by
the measured size of their rows, once per build, see `paging`), the docs-tree path of each
(decided in `urls`) and the maker that turns a key into the view model. `plan_pages` turns the
registry into `PlannedPage` values; the render stage looks each page's template up from its kind
and refuses a view model of another type (`render.render_page`).

Adding a page kind: its view model (`views`), its path (`urls`), its maker (a function of the
publication, the `PageContext` and its key; no key for a single page), its template, and one entry in `KINDS`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Iterator, Sequence, TypeVar

from ..publication import Publication
from . import urls
from .changes import EditionChangesPage, make_changes_page
from .context import PageContext
from .contributing import ContributingPage, make_contributing_page
from .entities import (
    TagListingPage, make_asset_page, make_evidence_page, make_person_page, make_source_page, make_tag_page,
    THESIS_ROWS_SHOW, make_thesis_page, order_sources, order_theses, tag_documents, tag_listing_pages,
)
from .indexes import (
    make_claims_index, make_home, make_method_page, make_people_index, make_sources_index, make_stance_board,
    make_tags_index, make_theses_index, order_assets, order_claims, order_people, stance_chart_bytes,
)
from .paging import NEAR, OWN, ListingPage, Node, RowInputs, measured_pages
from .redirects import Redirect, RedirectPage, make_redirect_page, redirects
from .record import make_track_record_page
from .views import (
    AssetPage, ClaimsIndex, EvidencePage, HomePage, MethodPage, PeopleIndex, PersonPage, SourcePage, SourcesIndex,
    StanceBoard, TagPage, TagsIndex, ThesesIndex, ThesisPage, TrackRecordPage,
)

K = TypeVar("K")
"""What tells the pages of one kind apart: an id, a `ListingPage`, nothing for a single page."""
V = TypeVar("V")
"""The view model the kind's template presents."""
T = TypeVar("T")


@dataclass(frozen=True)
class PageKind(Generic[K, V]):
    """One kind of page: its view model, its template, which pages it has, where, made how."""

    name: str
    view: type[V]
    template: str
    """A file of `site_templates/pages/`, rendered with the view model as `page`."""
    keys: Callable[[Publication, PageContext], Iterable[K]]
    """The pages of this kind the publication has, one key each, in a stable order (decided when
    the plan is made: a listing's split is computed here, once)."""
    path: Callable[[K], str]
    """The docs-tree path of the page with a key (from `urls`)."""
    make: Callable[[Publication, PageContext, K], V]
    """The page's view model: called only when the page is rendered."""

    def plan(self, publication: Publication, context: PageContext) -> Iterator[PlannedPage[V]]:
        for key in self.keys(publication, context):
            yield PlannedPage(self, self.path(key), functools.partial(self.make, publication, context, key), key)


@dataclass(frozen=True)
class PlannedPage(Generic[V]):
    """One page of the docs tree, decided but not yet made: its kind, its path, its view model's maker."""

    kind: PageKind[Any, V]
    path: str
    make: Callable[[], V]
    key: Any = None
    """What tells it apart from the other pages of its kind (see `PageKind.keys`)."""


def single_page(name: str, view: type[V], template: str, path: str,
                make: Callable[[Publication, PageContext], V]) -> PageKind[None, V]:
    """A kind with exactly one page, at `path`."""
    return PageKind(name, view, template, keys=lambda publication, context: (None,), path=lambda _: path,
                    make=lambda publication, context, _: make(publication, context))


def _rows(view: Any) -> Sequence[object]:
    return view.rows  # type: ignore[no-any-return]


def listing(name: str, view: type[V], template: str, first_page: str, order: Callable[[Publication], Sequence[T]],
            make: Callable[[Publication, PageContext, ListingPage[T]], V],
            first_page_extra: Callable[[Publication, PageContext], int] | None = None,
            shows: Callable[[Publication, T], Iterable[Node]] | None = None,
            rows_show: RowInputs = NEAR) -> PageKind[ListingPage[T], V]:
    """A listing in `order` (decided once per build), split over pages from `first_page` on by the
    measured size of its rows (`paging`); `first_page_extra`: what else its first page shows, in
    bytes; `shows`: the documents a row is about, and `rows_show` what of them it shows (by
    default anything, their neighbours included), so that a long-lived process splits it again
    only when that changed."""

    def pages(publication: Publication, context: PageContext) -> tuple[ListingPage[T], ...]:
        extra = first_page_extra(publication, context) if first_page_extra else 0
        rows = order(publication)
        remembered = functools.partial(context.remembered_split, first_page, rows_show) if shows and context.remembered_split else None
        return measured_pages(rows, template, lambda whole: make(publication, context, whole), _rows, context.measure_rows,
                              extra, remembered, functools.partial(shows, publication) if shows else lambda row: ())

    return PageKind(name, view, template, keys=pages, path=lambda page: urls.paged(first_page, page.number), make=make)


def _tag_listing_path(page: TagListingPage) -> str:
    return urls.paged(urls.tag_page(page.tag), page.listing.number)


def _redirect_path(redirect: Redirect) -> str:
    return urls.redirect_file(redirect.old)


CLAIM_ROWS_SHOW = RowInputs(fields=(("thesis", frozenset({"title", "claims", "assets"})),))
"""A claim's row shows its thesis's title, the claim, the positions resting on it and the claim's
grade (derived from the sources it cites); nothing else of the thesis."""
TAGS_SHOW = RowInputs(fields=(("thesis", frozenset({"tags"})), ("source", frozenset({"tags"}))), derived=False)
"""A tag's row counts the documents that carry it."""

HOME = single_page("home", HomePage, "home.md.j2", urls.HOME, make_home)
THESES_INDEX = listing("theses index", ThesesIndex, "theses_index.md.j2", urls.THESES,
                       lambda publication: order_theses(publication, publication.graph.theses), make_theses_index,
                       shows=lambda publication, thesis_id: (("thesis", thesis_id),), rows_show=THESIS_ROWS_SHOW)
CLAIMS_INDEX = listing("claims index", ClaimsIndex, "claims_index.md.j2", urls.CLAIMS, order_claims, make_claims_index,
                       shows=lambda publication, claim: (("thesis", claim[0]),), rows_show=CLAIM_ROWS_SHOW)
STANCE_BOARD = listing("stance board", StanceBoard, "stance_board.md.j2", urls.ASSETS, order_assets, make_stance_board,
                       first_page_extra=lambda publication, context: stance_chart_bytes(publication),
                       shows=lambda publication, asset_id: (("asset", asset_id),))
SOURCES_INDEX = listing("sources index", SourcesIndex, "sources_index.md.j2", urls.SOURCES,
                        lambda publication: order_sources(publication, publication.graph.sources), make_sources_index,
                        shows=lambda publication, source_id: (("source", source_id),), rows_show=OWN)
PEOPLE_INDEX = listing("people index", PeopleIndex, "people_index.md.j2", urls.PEOPLE, order_people, make_people_index,
                       shows=lambda publication, person_id: (("person", person_id),))
TAGS_INDEX = listing("tags index", TagsIndex, "tags_index.md.j2", urls.TAGS,
                     lambda publication: publication.graph.tags, make_tags_index, shows=tag_documents,
                     rows_show=TAGS_SHOW)
METHOD = single_page("method", MethodPage, "method.md.j2", urls.METHOD,
                     lambda publication, context: make_method_page(publication.stale_after_days))
TRACK_RECORD = single_page("track record", TrackRecordPage, "track_record.md.j2", urls.TRACK_RECORD,
                           lambda publication, context: make_track_record_page(publication))
CONTRIBUTING = single_page("contributing", ContributingPage, "contributing.md.j2", urls.CONTRIBUTING,
                           lambda publication, context: make_contributing_page())
CHANGES = single_page("changes", EditionChangesPage, "changes.md.j2", urls.CHANGES, make_changes_page)
THESIS = PageKind("thesis", ThesisPage, "thesis.md.j2", keys=lambda publication, context: tuple(publication.graph.theses),
                  path=urls.thesis_page, make=make_thesis_page)
EVIDENCE = PageKind("evidence", EvidencePage, "evidence.md.j2", keys=lambda publication, context: tuple(publication.graph.theses),
                    path=urls.evidence_page, make=make_evidence_page)
SOURCE = PageKind("source", SourcePage, "source.md.j2", keys=lambda publication, context: tuple(publication.graph.sources),
                  path=urls.source_page, make=make_source_page)
ASSET = PageKind("asset", AssetPage, "asset.md.j2", keys=lambda publication, context: tuple(publication.graph.assets),
                 path=urls.asset_page, make=make_asset_page)
PERSON = PageKind("person", PersonPage, "person.md.j2", keys=lambda publication, context: tuple(publication.graph.people),
                  path=urls.person_page, make=make_person_page)
TAG = PageKind("tag", TagPage, "tag.md.j2", keys=tag_listing_pages, path=_tag_listing_path, make=make_tag_page)
REDIRECT = PageKind("redirect", RedirectPage, "redirect.html.j2", keys=lambda publication, context: redirects(publication), path=_redirect_path,
                    make=make_redirect_page)

KINDS: tuple[PageKind[Any, Any], ...] = (
    HOME, THESES_INDEX, CLAIMS_INDEX, STANCE_BOARD, SOURCES_INDEX, PEOPLE_INDEX, TAGS_INDEX, METHOD, TRACK_RECORD, CONTRIBUTING,
    CHANGES, THESIS, EVIDENCE, SOURCE, ASSET, PERSON, TAG, REDIRECT,
)
"""Every kind of page the site has, in the order the build makes them."""


def plan_pages(publication: Publication, context: PageContext) -> Iterator[PlannedPage[Any]]:
    """Every page of the site, kind by kind in a stable order; each view model is made when it is rendered."""
    for kind in KINDS:
        yield from kind.plan(publication, context)
