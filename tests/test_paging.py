"""Listings split by size (generator/pages/paging.py): the split, the pager, and the bound of a row's HTML."""

from __future__ import annotations

import itertools
import re

import markdown
import pytest
from hypothesis import example, given, settings, strategies as st

from generator.build import plan_docs
from generator.markup import badge, html_link, html_text, inline_text, link_html
from generator.pages import kinds, paging, urls
from generator.pages.indexes import stance_chart_bytes
from generator.pages.urls import Here
from generator.pipeline import check_project
from generator.render import render_page
from generator.siteconfig import SiteSettings
from site_support import make_project


@pytest.fixture
def small_pages(monkeypatch):
    """A row budget of 100 bytes."""
    monkeypatch.setattr(paging, "PAGE_BYTES", paging.FRAME_BYTES + 100)


def test_pages_fill_up_to_their_budget_and_never_past_it(small_pages):
    sizes = [30, 30, 30, 20, 60, 50, 50, 100, 1, 99]
    order = [f"row{i}" for i in range(len(sizes))]
    pages = paging.listing_pages(order, sizes)
    assert [page.start for page in pages] == [0, 3, 5, 7, 8]
    assert [page.number for page in pages] == [1, 2, 3, 4, 5] and {page.count for page in pages} == {5}
    for page in pages:
        assert page.end > page.start and sum(sizes[page.start:page.end]) <= 100
    assert [row for page in pages for row in page.rows] == order


def test_the_first_page_gives_room_to_what_it_shows_besides_rows(small_pages):
    assert paging.split([40, 40, 40, 40], first_page_extra=50) == (0, 1, 3)


def test_a_row_larger_than_the_budget_gets_a_page_of_its_own(small_pages):
    assert paging.split([10, 500, 10]) == (0, 1, 2)
    empty = paging.listing_pages([], [])
    assert len(empty) == 1 and empty[0].rows == [] and empty[0].count == 1


def test_the_pager_lists_a_window_of_pages_at_any_length():
    order = list(range(5000))
    pages = paging.listing_pages(order, [paging.row_budget() // 5] * 5000)
    assert len(pages) == 1000
    pager = paging.make_pager("claims/index.md", pages[499])
    assert [entry.link.text for entry in pager.pages] == ["1", "498", "499", "500", "501", "502", "1000"]
    assert pager.previous.text == "499" and pager.next.text == "501"
    assert (pager.first_row, pager.last_row, pager.total_rows) == (2496, 2500, 5000)
    last = paging.make_pager("claims/index.md", pages[-1])
    assert [entry.link.text for entry in last.pages] == ["1", "998", "999", "1000"] and last.next is None
    assert paging.make_pager("claims/index.md", paging.listing_pages([1, 2, 3], [1, 1, 1])[0]).pages == ()


HOSTILE = st.text(alphabet=st.sampled_from(list("aZ09 *_`[]()<>&|#!\\\"'-:.é€😀\u00ad")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(HOSTILE, min_size=1, max_size=4), aligned=st.lists(st.booleans(), min_size=4, max_size=4))
@example(cells=["`<<`"], aligned=[False] * 4)  # a badge's class once took Markdown's code span: `<code>` in an attribute
def test_a_markdown_rows_html_never_exceeds_its_bound(cells, aligned):
    """Whatever the texts, the row a template writes (escaped text, links, badges) becomes no more
    HTML than `row_html_bound` says, with Python-Markdown's table extension as mkdocs runs it."""
    row = "| " + " | ".join(
        [f"[{inline_text(cells[0])}](../../theses/x/index.md#a)"] + [str(inline_text(c)) for c in cells[1:]]
        + [str(badge(cells[-1], "grade-" + cells[-1]))]) + " |"
    columns = len(cells) + 1
    separator = "|" + "|".join("---:" if aligned[i % 4] else "---" for i in range(columns)) + "|"
    page = "\n".join(["| " + " | ".join(f"h{i}" for i in range(columns)) + " |", separator, row, row, ""])
    found = paging.table_rows(page)
    assert len(found) == 2
    html = markdown.markdown(page, extensions=["tables"])
    body = html.split("<tbody>\n", 1)[1].split("</tbody>", 1)[0]
    assert len(body.encode("utf-8")) <= sum(found)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(HOSTILE, min_size=2, max_size=4))
def test_an_html_rows_html_is_its_line(cells):
    """A raw HTML table's row (as the theses, claims and stance-board templates write it) reaches
    the HTML as written: Python-Markdown, with mkdocs' extensions, adds nothing to its bound."""
    link = Here("theses/page_2/index.md").link("theses/x/index.md", cells[0], "a")
    row = (f'<tr data-status="{html_text(cells[1])}"><td>{html_link(link)}</td>'
           + "".join(f"<td>{badge(c, 'grade-' + c)}</td>" for c in cells[1:]) + "</tr>")
    page = "\n".join(["<table>", "<thead><tr><th>a</th></tr></thead>", "<tbody>", row, row, "</tbody>", "</table>", ""])
    found = paging.table_rows(page)
    assert found == [len(row.encode("utf-8")) + 1] * 2
    html = markdown.markdown(page, extensions=["tables", "admonition", "toc"])
    body = html.split("<tbody>\n", 1)[1].split("</tbody>", 1)[0]
    assert len(body.encode("utf-8")) <= sum(found)


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(HOSTILE, min_size=2, max_size=4))
def test_a_table_written_as_python_markdown_writes_it_is_measured_row_by_row(cells):
    """A raw table with one cell a line (`source_table`, the people and tags indexes: what
    Python-Markdown makes of a Markdown table): each row from its `<tr>` line to its `</tr>` line,
    newlines included, is its bound, and Python-Markdown passes the rows on as written."""
    link = Here("sources/page_2/index.md").link("sources/x/index.md", cells[0])
    row = "\n".join(["<tr>", f"<td>{link_html(link)}</td>", *(f"<td>{inline_text(c)}</td>" for c in cells[1:]),
                     f'<td style="text-align: right;">{badge(cells[-1], "x")}</td>', "</tr>"])
    page = "\n".join(["<table>", "<thead>", "<tr>", "<th>a</th>", "</tr>", "</thead>", "<tbody>", row, row,
                      "</tbody>", "</table>", "", "after"])
    found = paging.table_rows(page)
    assert found == [len(row.encode("utf-8")) + 1] * 2
    html = markdown.markdown(page, extensions=["tables", "admonition", "toc"])
    assert html.split("<tbody>\n", 1)[1].split("</tbody>", 1)[0] == f"{row}\n{row}\n"


def test_rows_are_measured_as_rendered_or_from_their_view_models():
    page = ("intro\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n| 3 | 4 |\n\n## next\n\n"
            "<table>\n<thead><tr><th>c</th></tr></thead>\n<tbody>\n<tr><td>5</td></tr>\n</tbody>\n</table>\n")
    sizes = paging.table_rows(page)
    assert len(sizes) == 3 and sizes[2] == len("<tr><td>5</td></tr>\n")
    assert paging.rendered_row_sizes(page, 3) == sizes
    assert paging.rendered_row_sizes(page, 4) is None  # a template that does not write a line per row ...
    # ... falls back to the view-model bound, which counts every text
    rows = ("x" * 50, "y")
    fallback = paging.row_sizes(rows, page)
    assert fallback == paging.row_sizes(rows, None) and fallback[0] >= 3 * 50
    assert paging.measured_pages(("x" * 50,), "t", lambda whole: whole, lambda whole: whole.rows,
                                 lambda template, view: "")[0].count == 1


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_planned_listing_page_is_filled_within_its_budget_as_rendered(tmp_path, monkeypatch, directory_urls):
    """The build's plan of the sample with a small budget: each listing page, rendered in the
    build's link style, has rows whose bounds fit its budget (the stance board's first page's less
    its chart), and no page could have taken its next page's first row: the split is the one of
    the rows as rendered."""
    monkeypatch.setattr(paging, "PAGE_BYTES", paging.FRAME_BYTES + 600)
    paths = make_project(tmp_path / "project")
    publication = check_project(paths, jobs=1).publication
    plan = plan_docs(paths, publication, SiteSettings("https://example.org/x/", "Not advice.", directory_urls=directory_urls))
    with urls.link_style(directory_urls):
        chart_bytes = stance_chart_bytes(publication)
    listings = (kinds.THESES_INDEX, kinds.CLAIMS_INDEX, kinds.STANCE_BOARD, kinds.SOURCES_INDEX, kinds.PEOPLE_INDEX,
                kinds.TAGS_INDEX, kinds.TAG)
    pages: dict[tuple[str, str], list[tuple[list[int], int]]] = {}
    for page in plan.pages:
        if page.kind not in listings:
            continue
        with urls.link_style(directory_urls):
            view = page.make()
        sizes = paging.table_rows(render_page(plan.environment, page.kind, view))
        first_of_board = page.kind is kinds.STANCE_BOARD and page.path == urls.ASSETS
        budget = paging.row_budget(chart_bytes if first_of_board else 0)
        assert sizes and (sum(sizes) <= budget or len(sizes) == 1), (page.path, sizes, budget)
        listing = re.sub(r"page_\d+/", "", page.path)
        pages.setdefault((page.kind.name, listing), []).append((sizes, budget))
    for (_, listing), split in pages.items():
        for (sizes, budget), (following, _) in itertools.pairwise(split):
            assert sum(sizes) + following[0] > budget, (listing, sizes, following[0], budget)
    assert all(len(split) >= 2 for (name, _), split in pages.items()
               if name in ("theses index", "claims index", "stance board", "tag")), pages


# ----------------------------------------------------------------------- a listing split again in a long-lived process


def _measuring_some(measures: dict[str, tuple[int, bytes]], asked: list[list[str]]):
    def some(rows):
        asked.append(list(rows))
        return [measures[row] for row in rows]
    return some


def test_a_listing_measured_again_renders_only_its_new_rows_and_two_it_knew():
    order = [f"row{i}" for i in range(10)]
    measures = {row: (10 * i, row.encode()) for i, row in enumerate(order)}
    known = [measures[row] for row in order]
    known[4] = known[6] = None  # their inputs changed since they were measured
    asked: list[list[str]] = []
    again = paging.measure_again(order, known, _measuring_some(measures, asked))
    assert asked == [["row0", "row4", "row6", "row9"]]  # the new ones, and the first and last it knew
    assert again == [measures[row] for row in order]


def test_a_listing_whose_rows_measure_differently_apart_is_measured_whole():
    order = [f"row{i}" for i in range(10)]
    measures = {row: (10, b"same") for row in order}
    known: list[tuple[int, bytes] | None] = [(10, b"same")] * 10
    known[3] = None
    assert paging.measure_again(order, known, lambda rows: [(11, b"same")] * len(rows)) is None  # say, numbered by place
    assert paging.measure_again(order, known, lambda rows: [(10, b"other")] * len(rows)) is None  # rendered otherwise
    assert paging.measure_again(order, known, lambda rows: None) is None  # not one table line per row
    most = [None] * 6 + [(10, b"same")] * 4
    assert paging.measure_again(order, most, _measuring_some(measures, [])) is None  # most rows changed: whole
    assert paging.measure_again(order, [None] * 9 + [(10, b"same")], _measuring_some(measures, [])) is None


def test_each_rows_text_is_measured_with_its_bound():
    page = "| A | B |\n|---|--:|\n| [x](y) | 1 |\n| z | 2 |\n\n<table>\n<tbody>\n<tr><td>a</td>\n<td>b</td></tr>\n</tbody>\n</table>\n"
    lines = paging.table_row_lines(page)
    assert [text for _, text in lines] == ["| [x](y) | 1 |", "| z | 2 |", "<tr><td>a</td>\n<td>b</td></tr>"]
    assert [bound for bound, _ in lines] == paging.table_rows(page)
    rows = paging.measured_rows(page, 3)
    assert rows is not None and [bound for bound, _ in rows] == paging.table_rows(page) and len({d for _, d in rows}) == 3
    assert paging.measured_rows(page, 2) is None
