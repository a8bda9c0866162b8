"""What readers see of the sample site stays what it was: the built HTML of every page's content,
compared byte for byte with committed files (`tests/samples/basic/expected_html/`).

The golden docs tree (`test_site_golden.py`) holds the Markdown the generator hands over; how it
writes a page may change (bench/README.md, "Cheaper pages": raw HTML where Python-Markdown was
slow), what mkdocs makes of it may not, unless intended. For each page, served and offline
(`build --offline`, whose links name files), the file keeps its `<title>` and everything from the
table-of-contents sidebar to the end of the `<article>`: the table of contents (shown or hidden,
as the theme's toc extension made it from the page's headings) and the content, with its links,
anchors, permalinks, badges, tables, quotes, pictures and JSON-LD. Left out: what the theme and
mkdocs.yml make the same on every page (header, navigation, footer, scripts).

After an intended change: `UPDATE_EXPECTED=1 python -m pytest -m expected_files`, then read the diff."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from site_support import SAMPLE, make_project

EXPECTED_HTML = SAMPLE / "expected_html"
CONTENT_START = '<div class="md-sidebar md-sidebar--secondary"'
CONTENT_END = "</article>"


def shown(page: str) -> str | None:
    """The part of a built page this test holds: its title, table of contents and article (None for
    a file without them: a redirect)."""
    if CONTENT_START not in page or CONTENT_END not in page:
        return None
    title = page[page.index("<title>"):page.index("</title>") + len("</title>")]
    return title + "\n" + page[page.index(CONTENT_START):page.index(CONTENT_END) + len(CONTENT_END)] + "\n"


def shown_pages(site: Path) -> dict[str, str]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        part = shown(path.read_text(encoding="utf-8"))
        if part is not None:
            pages[path.relative_to(site).as_posix()] = part
    return pages


@pytest.mark.expected_files
@pytest.mark.parametrize("offline", [False, True], ids=["served", "offline"])
def test_built_pages_show_what_they_showed(tmp_path, epoch, update_expected, offline):
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    result = build_site(paths, site, strict=True, offline=offline)
    assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
    actual = shown_pages(site)
    assert len(actual) > 20 and "theses/memory-bound-inference/index.html" in actual
    expected_root = EXPECTED_HTML / ("offline" if offline else "served")
    if update_expected:
        if expected_root.exists():
            shutil.rmtree(expected_root)
        for relpath, text in actual.items():
            target = expected_root / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {p.relative_to(expected_root).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(expected_root.rglob("*.html"))}
    assert sorted(actual) == sorted(expected), "pages added or missing; UPDATE_EXPECTED=1 rewrites them (README, \"Tests\")"
    for relpath in sorted(expected):
        if actual[relpath] != expected[relpath]:
            diff = "\n".join(difflib.unified_diff(expected[relpath].splitlines(), actual[relpath].splitlines(),
                                                  f"expected/{relpath}", f"actual/{relpath}", lineterm="", n=2))
            raise AssertionError(f"{relpath} shows something else than it did:\n{diff}")


def test_the_held_part_of_a_page_is_its_content_and_table_of_contents():
    page = ("<html><head><title>T - site</title></head><body><nav>site navigation</nav>"
            f'{CONTENT_START} data-md-type="toc"><nav class="md-nav md-nav--secondary">toc</nav></div>'
            '<div class="md-content"><article class="md-content__inner md-typeset"><h1>T</h1></article></div>'
            "<footer>Built on</footer></body></html>")
    part = shown(page)
    assert part is not None
    assert part.startswith("<title>T - site</title>\n") and "toc" in part and part.endswith("<h1>T</h1></article>\n")
    assert "site navigation" not in part and "Built on" not in part
    assert shown('<html><head><title>Redirecting</title><meta http-equiv="refresh" content="0; url=x/"></head></html>') is None
