"""Long listings split over pages by size, so no listing page's HTML grows past `PAGE_BYTES`.

A page holds rows while the upper bound of their HTML fits the page's row budget. Each row is
measured as its template renders it: the build renders the listing's template once with every row
(`RowMeasure`, handed to the makers in `PageContext`) and `rendered_row_sizes` bounds each row's
HTML from its lines of the page's tables. A row of a raw HTML table (`<tr>…</tr>`, on one line or
on several) reaches the HTML as written: its bytes are its bound. A row of a Markdown table is
bounded by `row_html_bound` (the line, plus room for its cells' and links' markup). Without a
measure, or if a template does not write its rows as table lines, `shown_bytes` bounds a row from
its view model instead, more loosely. The budget is
`PAGE_BYTES` less `FRAME_BYTES` for everything around the rows (header, navigation, footer,
title, pager: 17-19 KB measured, the same at any corpus size, since the pager lists a fixed window
of pages) and less anything else the first page shows (the stance board's chart, measured as the
SVG it is). A count of rows alone cannot bound a page: a row's size depends on its texts and on
how many positions it lists.

Input: a listing's order and each row's measured size. Output: its `ListingPage`s (each page's
slice of the order) and, per page, its `Pager` (links to a window of the other pages, relative to
this one).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Sequence, TypeVar

from ..markup import inline_text
from . import urls
from .urls import Here, Link
from .views import Pager, PagerEntry

PAGE_BYTES = 100_000
"""The most HTML bytes a listing page may have (rows, chart and everything around them)."""

FRAME_BYTES = 32_000
"""Allowance for the page around the rows: material's header, tabs, drawer, footer and scripts,
the title, the intro, the table headers and the pager. Measured at 17-19 KB on every listing; the
rest is margin for a longer site name, title or tag."""

PAGER_WINDOW = 2
"""The pager links the first and last page and this many pages on either side of the current one."""

TEXT_MARKUP = 96
"""Per text or number cell of the view-model bound: its `<td>` (with an alignment style or a
`data-sort` key), a badge's `<span>` or a data attribute around it."""
LINK_MARKUP = 64
"""Per link: `<a href="">…</a>` and the cell around it."""
ITEM_MARKUP = 48
"""Per row or nested item (`<tr>` and its data attributes' names, separators, `<br>`)."""

CELL_HTML = 10
"""A Markdown table cell's `<td>` and `</td>\n`."""
ALIGNED_CELL_HTML = 38
"""A cell of an aligned column (`---:`): `<td style="text-align: center;">` and `</td>\n`."""
LINK_HTML = 16
"""`[text](target)` becomes `<a href="target">text</a>` (11 more bytes), and the target may grow by
2 bytes when mkdocs rewrites `index.md` (`index.html` offline)."""
ROW_HTML = 16
"""`<tr>\n` and `</tr>\n` around a Markdown table's row."""

T = TypeVar("T")

RowMeasure = Callable[[str, object], str]
"""(template, view model of a page holding every row) → the page's Markdown, as the build renders it."""

Node = tuple[str, str]
"""(kind, id) of a content document."""

ListingSplit = Callable[[str, Sequence[Any], int, Callable[[Any], Iterable[Node]], "Measuring[Any]"],
                        "tuple[ListingPage[Any], ...]"]
"""(template, order, first page's extra bytes, the documents each row shows, how its rows are
measured) → the split as an earlier run made it from the same inputs, or made now (`measured_pages`)."""


@dataclass(frozen=True)
class RowInputs:
    """What a listing's rows show of the documents they are about, declared with the listing
    (`kinds.listing`): each document (for a kind named in `fields`, only those fields of its
    model), with what is derived from it wherever it is shown when `derived` (a thesis's proof, a
    source's count of citations: `pages.inputs`), and, when `neighbours`, the documents it
    references or is referenced by (a row that counts or dates those, as the stance board's and
    the people index's do). A long-lived process splits a listing again only when these changed
    (`build.plan_docs`)."""

    neighbours: bool = False
    fields: tuple[tuple[str, frozenset[str]], ...] = ()
    """(kind of document, the fields of its model the rows show); a kind not named: all of it."""
    derived: bool = True


NEAR = RowInputs(neighbours=True)
"""Rows that may show anything of their documents' neighbours: what a listing shows unless it says less."""
OWN = RowInputs()
"""Rows that show their documents and what is derived from them (thesis and source rows)."""


SplitMemo = Callable[[str, RowInputs, str, Sequence[Any], int, Callable[[Any], Iterable[Node]], "Measuring[Any]"],
                     "tuple[ListingPage[Any], ...]"]
"""A `ListingSplit` for any listing, named by its first page's docs-tree path and what its rows
show of their documents first (`serve`, see `build.plan_docs`)."""


def _text_bytes(text: str) -> int:
    return len(str(inline_text(text)).encode("utf-8"))


def shown_bytes(value: object) -> int:
    """An upper bound of the HTML bytes a row's view model becomes in a listing table, used when
    the row cannot be measured as rendered.

    Every text is counted three times as escaped (a badge shows its value, names its class after it
    and the row carries it as a data attribute), every link with its longer address and its text
    twice, every cell with room for its markup."""
    if value is None:
        return 0
    if isinstance(value, Link):
        return max(len(value.href.encode("utf-8")), len(value.url.encode("utf-8"))) + 2 * _text_bytes(value.text) + LINK_MARKUP
    if isinstance(value, str):
        return 3 * _text_bytes(value) + TEXT_MARKUP
    if isinstance(value, (int, float)):
        return 24 + TEXT_MARKUP
    if isinstance(value, (tuple, list)):
        return sum(shown_bytes(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ITEM_MARKUP + sum(shown_bytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 3 * _text_bytes(str(value)) + TEXT_MARKUP


@dataclass(frozen=True)
class ListingPage(Generic[T]):
    """Page `number` (from 1) of `count` of a listing in `order`: rows [start, end). The order and
    the split are decided once per build and shared by the listing's pages."""

    order: Sequence[T]
    number: int
    start: int
    end: int
    count: int
    measured: str | None = None
    """Digest of the listing rendered with every row (`measured_pages`), None when it was not
    measured or this page shows more than its rows (the stance board's chart): a page whose
    listing renders the same and is split the same way is the same page (`pages.inputs`)."""

    @property
    def rows(self) -> Sequence[T]:
        """This page's slice of the order."""
        return self.order[self.start:self.end]


def whole_listing(order: Sequence[T]) -> ListingPage[T]:
    """Every row on one page, the page a listing is measured on: numbered 2 so its relative links
    are a later page's, the longest (and no first-page extras such as the stance chart)."""
    return ListingPage(order, 2, 0, len(order), 1)


def row_budget(first_page_extra: int = 0) -> int:
    """What the rows of a page may take: `PAGE_BYTES` less the frame and what else the page shows."""
    return PAGE_BYTES - FRAME_BYTES - first_page_extra


def split(sizes: Iterable[int], first_page_extra: int = 0) -> tuple[int, ...]:
    """Where each page starts (the first at 0): greedy pages, a row joins the current page while
    the page's rows fit its budget (`row_budget`, the first page's less `first_page_extra`). A page
    holds at least one row, so a single row larger than the budget gets a page of its own (never
    seen: a row's texts would have to take some tens of KB)."""
    starts, used, budget = [0], 0, row_budget(first_page_extra)
    for index, size in enumerate(sizes):
        if used and used + size > budget:
            starts.append(index)
            used, budget = 0, row_budget()
        used += size
    return tuple(starts)


def listing_pages(order: Sequence[T], sizes: Sequence[int], first_page_extra: int = 0,
                  measured: str | None = None) -> tuple[ListingPage[T], ...]:
    """Every page of a listing whose rows have these sizes (`split`); an empty listing still has its first page."""
    starts = split(sizes, first_page_extra)
    ends = (*starts[1:], len(order))
    return tuple(ListingPage(order, n, start, end, len(starts), None if n == 1 and first_page_extra else measured)
                 for n, (start, end) in enumerate(zip(starts, ends, strict=True), 1))


def row_html_bound(line: str, cells_html: int) -> int:
    """An upper bound of the HTML of one rendered row of a Markdown table whose cells' markup
    takes `cells_html` bytes (`table_rows`). Everything in the line reaches the HTML as written
    (text arrives escaped, as entities that stay entities; raw HTML such as badges passes
    unchanged), plus the markup of its cells and links."""
    return len(line.encode("utf-8")) + cells_html + LINK_HTML * line.count("](") + ROW_HTML


def table_row_lines(markdown: str) -> list[tuple[int, str]]:
    """The HTML bound and the text of every body row of every table of a rendered page, in order.

    A Markdown table's header line and its `|---|` line are left out and each body line is bounded
    by `row_html_bound`. A raw HTML table's body rows are between `<tbody>` and `</tbody>`, each
    from a line starting `<tr` to the line ending `</tr>` (one line, or one per cell as
    Python-Markdown writes a table): mkdocs passes a raw HTML block on as written, so a row's
    bytes (and its newlines) are its bound."""
    rows: list[tuple[int, str]] = []
    block: list[str] = []
    in_body = False
    row: list[str] | None = None
    for line in (*markdown.splitlines(), ""):
        if in_body:
            if row is not None:
                row.append(line)
            elif line.startswith("</tbody>"):
                in_body = False
            elif line.startswith("<tr"):
                row = [line]
            if row is not None and line.endswith("</tr>"):
                rows.append((sum(len(part.encode("utf-8")) + 1 for part in row), "\n".join(row)))
                row = None
            continue
        if line.startswith("<tbody>"):
            in_body = True
            continue
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2 and set(block[1]) <= set("|-: "):
            columns = block[1].strip().strip("|").split("|")
            cells_html = sum(ALIGNED_CELL_HTML if ":" in column else CELL_HTML for column in columns)
            rows.extend((row_html_bound(line, cells_html), line) for line in block[2:])
        block = []
    return rows


def table_rows(markdown: str) -> list[int]:
    """The HTML bound of every body row of every table of a rendered page, in order (`table_row_lines`)."""
    return [bound for bound, _ in table_row_lines(markdown)]


MeasuredRow = tuple[int, bytes]
"""A row's HTML bound and a digest of its rendered text (`measured_rows`)."""


def measured_rows(markdown: str, count: int) -> list[MeasuredRow] | None:
    """Each row's HTML bound and the digest of its text, from a page rendered with them (a
    process that keeps them measures again only the rows that changed, `measure_again`), or None when
    the page does not show its `count` rows as that many table lines."""
    rows = table_row_lines(markdown)
    if len(rows) != count:
        return None
    return [(bound, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()) for bound, text in rows]


def rendered_row_sizes(markdown: str, count: int) -> list[int] | None:
    """Each row's HTML bound from the page rendered with every row, or None when the page does
    not show its `count` rows as that many table lines."""
    rows = table_rows(markdown)
    return rows if len(rows) == count else None


def row_sizes(rows: Sequence[object], rendered: str | None) -> list[int]:
    """Each row's HTML bound: measured on the page rendered with every row when there is one and
    it shows one table line per row (`rendered_row_sizes`), from the row's view model otherwise
    (`shown_bytes`)."""
    sizes = rendered_row_sizes(rendered, len(rows)) if rendered is not None and rows else None
    return sizes if sizes is not None else [ITEM_MARKUP + shown_bytes(row) for row in rows]


@dataclass(frozen=True)
class Measuring(Generic[T]):
    """How a listing's rows are measured (`measured_pages`): all of them (`whole`), or some of them
    on a page of their own (`some`), for a process that keeps what its rows measured (`measure_again`)."""

    whole: Callable[[], tuple[list[int], str | None]]
    """Every row's size, and the listing's measuring render (None: rows bounded from their view
    models, `row_sizes`)."""
    some: Callable[[Sequence[T]], list[MeasuredRow] | None]
    """These rows measured on a page holding only them; None when that page does not show them as
    that many table lines."""


def measured_pages(order: Sequence[T], template: str, make_whole: Callable[[ListingPage[T]], Any],
                   rows_of: Callable[[Any], Sequence[object]], measure: RowMeasure | None,
                   first_page_extra: int = 0, remembered: ListingSplit | None = None,
                   shows: Callable[[T], Iterable[Node]] = lambda row: ()) -> tuple[ListingPage[T], ...]:
    """A listing's pages, split by the size of its rows: the view model of the page holding every
    row (`make_whole`, on `whole_listing`) is rendered with `template` by `measure` and its rows
    (`rows_of` it) measured (`row_sizes`). `remembered`: the split an earlier run made of the same
    order, from the same documents (`shows`: the documents each row shows) and templates."""
    def whole() -> tuple[list[int], str | None]:
        view = make_whole(whole_listing(order))
        rendered = measure(template, view) if measure is not None and order else None
        return row_sizes(rows_of(view), rendered), rendered

    def some(rows: Sequence[T]) -> list[MeasuredRow] | None:
        view = make_whole(whole_listing(rows))
        return measured_rows(measure(template, view), len(rows_of(view))) if measure is not None and rows else None

    if remembered is not None:
        return remembered(template, order, first_page_extra, shows, Measuring(whole, some))
    sizes, rendered = whole()
    return listing_pages(order, sizes, first_page_extra, render_digest(template, rendered))


def render_digest(template: str, rendered: str | None) -> str | None:
    """A listing page's `measured`: the digest of the listing's measuring render (None: none)."""
    return hashlib.sha256(f"{template}\0{rendered}".encode("utf-8", "surrogatepass")).hexdigest() if rendered else None


RESPLIT_CHECKS = 2
"""Rows of known measure rendered again beside the new ones (`measure_again`)."""


def measure_again(order: Sequence[T], known: Sequence[MeasuredRow | None],
                  some: Callable[[Sequence[T]], list[MeasuredRow] | None]) -> list[MeasuredRow] | None:
    """A listing's rows measured again from what they measured when it was last measured
    (`known`, per row of `order`, None for a row whose inputs changed or that is new): only the
    rows without one are rendered, on a page holding only them and the first and last rows of
    known measure. Those two must measure as they did in the whole listing (a row that measures
    differently apart, say by its position, makes the listing be measured whole). None when it
    must be; else every row's measure."""
    missing = [index for index, row in enumerate(known) if row is None]
    present = [index for index, row in enumerate(known) if row is not None]
    if len(present) < RESPLIT_CHECKS or len(missing) > len(order) // 2:
        return None
    checks = (present[0], present[-1])
    picked = sorted({*missing, *checks})
    rows = some([order[index] for index in picked])
    if rows is None:
        return None
    found = dict(zip(picked, rows, strict=True))
    if any(found[index] != known[index] for index in checks):
        return None
    return [row if row is not None else found[index] for index, row in enumerate(known)]


def make_pager(first_page: str, page: ListingPage[T]) -> Pager:
    """The pager of one page: a fixed window of page links, so it does not grow with the listing."""
    number, count, total = page.number, page.count, len(page.order)
    here = Here(urls.paged(first_page, number))
    shown = sorted({1, count, *range(max(1, number - PAGER_WINDOW), min(count, number + PAGER_WINDOW) + 1)}) if count > 1 else []
    link = {n: here.link(urls.paged(first_page, n), str(n))
            for n in {*shown, number - 1, number + 1} if 1 <= n <= count} if count > 1 else {}
    return Pager(
        number=number, count=count,
        previous=link.get(number - 1) if number > 1 else None,
        next=link.get(number + 1) if number < count else None,
        pages=tuple(PagerEntry(link[n], n == number) for n in shown),
        first_row=min(total, page.start + 1), last_row=page.end,
        total_rows=total,
    )
