"""Long listings split over pages, so no page grows past a size a browser or mkdocs handles well.

Input: a listing's first page path, its ordered items and a page number. Output: that page's
slice of the items and its `Pager` (links to the other pages, relative to this one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from . import urls
from .urls import Here
from .views import Pager, PagerEntry

PAGE_ROWS = 200
"""Rows per page of an index or tag listing: a few tens of KB of Markdown at most."""

T = TypeVar("T")


def page_count(total: int, size: int | None = None) -> int:
    size = size or PAGE_ROWS
    return max(1, -(-total // size))


@dataclass(frozen=True)
class ListingPage(Generic[T]):
    """Page `number` (from 1) of a listing in `order`: the order is decided once per build and shared by its pages."""

    order: Sequence[T]
    number: int

    @property
    def rows(self) -> Sequence[T]:
        """This page's slice of the order."""
        return page_slice(self.order, self.number)


def listing_pages(order: Sequence[T]) -> tuple[ListingPage[T], ...]:
    """Every page of a listing; an empty listing still has its first page."""
    return tuple(ListingPage(order, n) for n in range(1, page_count(len(order)) + 1))


def page_slice(items: Sequence[T], number: int, size: int | None = None) -> Sequence[T]:
    size = size or PAGE_ROWS
    return items[(number - 1) * size: number * size]


def make_pager(first_page: str, number: int, total: int, size: int | None = None) -> Pager:
    size = size or PAGE_ROWS
    count = page_count(total, size)
    here = Here(urls.paged(first_page, number))
    links = tuple(here.link(urls.paged(first_page, n), str(n)) for n in range(1, count + 1)) if count > 1 else ()
    return Pager(
        number=number, count=count,
        previous=links[number - 2] if count > 1 and number > 1 else None,
        next=links[number] if count > 1 and number < count else None,
        pages=tuple(PagerEntry(link, n == number) for n, link in enumerate(links, start=1)),
        first_row=min(total, (number - 1) * size + 1), last_row=min(total, number * size),
        total_rows=total,
    )
