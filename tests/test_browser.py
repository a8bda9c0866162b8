"""Browser tests: the default site, built once, served on 127.0.0.1 and read in Debian's headless
chromium (playwright, `executable_path`), as issue 3 item 9 and SPEC §4/§6 ask.

For each key page, in light and dark scheme and at a phone width: no console error, no uncaught
exception, no failed request, no request leaving 127.0.0.1, no axe-core violation of impact
"serious" or "critical", and a full-page screenshot in tests/artifacts/ (git-ignored) for a human
to look at. Then the reader's path (asset → claim on the evidence page → source locator) and the
search box.

Prerequisites: /usr/bin/chromium and node_modules/axe-core (`npm ci`). Missing locally, the tests
skip and say why; under CI=true they fail instead.
"""

from __future__ import annotations

import importlib.util
import re

import pytest

from generator import search as search_index

from browser_support import (
    ARTIFACTS,
    LOCAL_HOST,
    Watch,
    block_foreign,
    blocking,
    build_default_site,
    check_prerequisites,
    format_violations,
    require,
    run_axe,
    serve,
    squash,
    thesis_front_matter,
)

pytestmark = pytest.mark.browser

THESIS = "cs336-lecture-15-post-training-intensity"
SOURCE = "cs336-lecture-15-mid-post-training"
ASSET = "NVDA"

PAGES = {
    "home": "",
    "thesis": f"theses/{THESIS}/",
    "evidence": f"theses/{THESIS}/evidence/",
    "asset": f"assets/{ASSET}/",
    "source": f"sources/{SOURCE}/",
    "stance-board": "assets/",
    "theses-index": "theses/",
    "claims-index": "claims/",
}

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VARIANTS = {
    # name: (colour scheme, viewport)
    "light": ("light", DESKTOP),
    "dark": ("dark", DESKTOP),
    "phone": ("light", PHONE),
}


# --------------------------------------------------------------------------- fixtures


SEARCH_SHARDS_PAGES = 8
"""Pages per search shard in the browser's site: the default site's index in 8 shards, so that
every search test merges shards in the browser as a site of 10,000 pages does (16 of them)."""


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    check_prerequisites()
    site = build_default_site(tmp_path_factory.mktemp("browser") / "site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "PAGES_PER_SHARD", SEARCH_SHARDS_PAGES)
        failure, state = search_index.index_search(site)
    assert failure is None and len(state.shards) > 4, (failure, sorted(state.shards))
    server = serve(site)
    try:
        yield server.base
    finally:
        server.close()


@pytest.fixture(scope="session")
def zensical_site_url(tmp_path_factory, site_url):
    """The same site built with the Zensical renderer (`--renderer zensical`)."""
    require(importlib.util.find_spec("zensical") is not None, 'Zensical is not installed (pip install -e ".[zensical]")')
    site = build_default_site(tmp_path_factory.mktemp("browser-zensical") / "site", "--renderer", "zensical")
    server = serve(site)
    try:
        yield server.base
    finally:
        server.close()


@pytest.fixture(scope="session")
def browser(site_url, chromium):
    return chromium


@pytest.fixture
def open_page(browser):
    """`open_page(scheme, viewport)` → (page, watch): a fresh context (no stored palette), every
    request recorded and any foreign one blocked before it leaves the machine."""
    contexts = []

    def opener(scheme: str = "light", viewport: dict = DESKTOP):
        context = browser.new_context(color_scheme=scheme, viewport=viewport, reduced_motion="reduce",
                                      service_workers="block")
        contexts.append(context)
        block_foreign(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page, Watch().attach(page)

    yield opener
    for context in contexts:
        context.close()


def goto(page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"


# --------------------------------------------------------------------------- every key page


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_clean_accessible_and_self_contained(site_url, open_page, name, variant):
    scheme, viewport = VARIANTS[variant]
    page, watch = open_page(scheme, viewport)
    url = site_url + PAGES[name]
    goto(page, url)

    # The scheme really applied (material sets it from prefers-color-scheme on first visit).
    applied = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
    assert applied == ("slate" if scheme == "dark" else "default"), f"{url}: colour scheme {applied}"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}-{variant}.png"
    page.screenshot(path=str(shot), full_page=True)

    violations = run_axe(page)
    serious = blocking(violations)
    if violations:
        print(f"\naxe on {url} ({variant}):\n{format_violations(violations)}")

    problems = watch.problems()
    assert not problems, f"{url} ({variant}):\n  " + "\n  ".join(problems)
    assert not serious, (f"{url} ({variant}): axe-core found {len(serious)} serious/critical "
                         f"violation(s):\n{format_violations(serious)}")
    # The watch really saw the page load (a silent listener would make the checks above vacuous).
    assert any(u.startswith(f"http://{LOCAL_HOST}:") and u.endswith(".css") for u in watch.requests), watch.requests


@pytest.mark.zensical
@pytest.mark.parametrize("name", ["home", "evidence"])
def test_zensical_page_is_clean_accessible_and_self_contained(zensical_site_url, open_page, name):
    """Under Zensical too: no console error, failed or foreign request, or serious axe violation."""
    page, watch = open_page("light", DESKTOP)
    url = zensical_site_url + PAGES[name]
    goto(page, url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"zensical-{name}.png"), full_page=True)
    serious = blocking(run_axe(page))
    problems = watch.problems()
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)
    assert not serious, f"{url}: axe-core found serious/critical violation(s):\n{format_violations(serious)}"
    assert "Built with thesis-site and Zensical." in page.inner_text("footer")
    assert any(u.startswith(f"http://{LOCAL_HOST}:") and u.endswith(".css") for u in watch.requests), watch.requests


# --------------------------------------------------------------------------- the reader's path

SECTION_JS = """
(id) => {
    const target = document.getElementById(id);
    if (!target) return null;
    // The claim starts at its heading (an empty <a id> inside or just before it) or is a box.
    let start = target.closest('h1, h2, h3, h4, h5, h6');
    if (!start && !target.textContent.trim() && target.nextElementSibling) start = target.nextElementSibling;
    if (!start) start = target;
    const level = /^H[1-6]$/.test(start.tagName) ? start.tagName : null;
    const parts = [start];
    for (let node = start.nextElementSibling; level && node; node = node.nextElementSibling) {
        if (/^H[1-6]$/.test(node.tagName) && node.tagName <= level) break;
        parts.push(node);
    }
    document.querySelectorAll('[data-test-section]').forEach(n => n.removeAttribute('data-test-section'));
    parts.forEach(n => n.setAttribute('data-test-section', id));
    const box = start.getBoundingClientRect();
    return {text: parts.map(n => n.innerText).join('\\n'), top: box.top, bottom: box.bottom,
            viewport: window.innerHeight};
}
"""


def in_viewport(box: dict) -> bool:
    return box["bottom"] > 0 and box["top"] < box["viewport"]


def test_asset_to_claim_quote_to_source_locator(site_url, open_page):
    """From an asset page, two clicks reach a verbatim quote and then its place in the source."""
    thesis = thesis_front_matter(THESIS)
    position = next(p for p in thesis["assets"] if p["asset"] == ASSET)
    claim_id = position["because"][0]
    claim = next(c for c in thesis["claims"] if c["id"] == claim_id)
    evidence = [e for e in claim["evidence"] if "quote" in e]
    assert evidence, f"{claim_id} has no quote to follow"
    first = evidence[0]
    point = first["at"].split("/")[-1]

    page, watch = open_page("light", DESKTOP)
    goto(page, site_url + f"assets/{ASSET}/")

    # Click 1: the claim behind the position, on the asset page.
    claim_link = page.locator(f'article a[href*="theses/{THESIS}/evidence/#{claim_id}"]').first
    claim_link.scroll_into_view_if_needed()
    assert claim_link.is_visible(), f"no visible link to claim {claim_id} on assets/{ASSET}/"
    claim_link.click()
    page.wait_for_url(re.compile(rf"/theses/{re.escape(THESIS)}/evidence/#{re.escape(claim_id)}$"))
    page.wait_for_load_state("networkidle")

    section = page.evaluate(SECTION_JS, claim_id)
    assert section is not None, f"no element with id {claim_id} on the evidence page"
    assert in_viewport(section), f"the claim {claim_id} is not in view after the jump: {section}"
    text = squash(section["text"])
    assert squash(claim["text"]) in text, f"claim text not in its section:\n{text}"
    for item in evidence:
        quote = squash(item["quote"])
        assert quote in text, f"quote {quote!r} not in the claim's section:\n{text}"
        shown = page.locator(f'[data-test-section="{claim_id}"]').get_by_text(quote).first
        assert shown.is_visible(), f"quote {quote!r} is not visible"

    # Click 2: the locator of the first quote, inside this claim's section.
    locator = page.locator(f'[data-test-section="{claim_id}"] a[href*="sources/{first["source"]}/#{point}"]').first
    assert locator.count() == 1, f"no locator link to sources/{first['source']}/#{point} under {claim_id}"
    locator.scroll_into_view_if_needed()
    assert locator.is_visible()
    page.screenshot(path=str(ARTIFACTS / "path-evidence-claim.png"))
    locator.click()
    page.wait_for_url(re.compile(rf"/sources/{re.escape(first['source'])}/#{re.escape(point)}$"))
    page.wait_for_load_state("networkidle")

    anchored = page.evaluate(
        """(id) => {
            const target = document.getElementById(id);
            if (!target) return null;
            const block = target.closest('li, p, tr, section, div.admonition, details') || target.parentElement;
            const box = block.getBoundingClientRect();
            return {text: block.innerText, top: box.top, bottom: box.bottom, viewport: window.innerHeight};
        }""",
        point,
    )
    assert anchored is not None, f"no anchor #{point} on sources/{first['source']}/"
    assert in_viewport(anchored), f"the anchored point #{point} is not in view: {anchored}"
    assert squash(first["quote"]) in squash(anchored["text"]), (
        f"the point at #{point} does not contain the quote {first['quote']!r}: {anchored['text']!r}")
    page.screenshot(path=str(ARTIFACTS / "path-source-point.png"))

    assert not watch.problems(), "\n".join(watch.problems())


SEARCH_BOX = "input.pagefind-modular-input"
RESULT_LINKS = ".pagefind-modular-list-link"
FIRST_QUERY_BUDGET = 1_000_000
"""The bytes a reader's browser may download to answer a first query (the search UI, Pagefind's
code, its metadata, the index shards of the words and the results' fragments)."""


def search(page, query: str) -> list[str]:
    """Type `query` into the header's search box; the addresses of the results, best first."""
    box = page.locator(SEARCH_BOX)
    box.click()
    box.fill("")
    box.press_sequentially(query, delay=10)
    page.locator(RESULT_LINKS).first.wait_for(state="visible", timeout=15_000)
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")


def test_search_finds_the_thesis_first(site_url, open_page):
    page, watch = open_page("light", DESKTOP)
    goto(page, site_url)
    found = search(page, "post-training")
    assert "/theses/" in found[0] and "/evidence/" not in found[0], found[:5]
    assert any(f"/theses/{THESIS}/" in url for url in found), found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-post-training.png"))
    page.locator(RESULT_LINKS).first.click()
    page.wait_for_load_state("networkidle")
    assert "/theses/" in page.url
    assert not any(u.endswith("search_index.json") for u in watch.requests), "material's index was downloaded too"
    assert not watch.problems(), "\n".join(watch.problems())


@pytest.mark.parametrize("query, where", [
    ("where customers must solve integration/ops and margin structure themselves",  # a quote
     "theses/hyperscalers-capture-enterprise-ai/evidence/"),
    ("2.4-2.5 million H800 hours", "sources/mse435-enterprise-internal-knowledge/"),  # a table cell
    ("managed AI stacks enterprises are said to prefer over GPU neoclouds",  # a position's rationale
     "theses/hyperscalers-capture-enterprise-ai/"),
])
def test_search_finds_what_a_reader_sees(site_url, open_page, query, where):
    """Text material's search left out (quotes, table cells, rationales) is found, on its page;
    and a first query downloads at most FIRST_QUERY_BUDGET bytes."""
    page, watch = open_page("light", DESKTOP)
    downloaded: dict[str, int] = {}

    def count(response) -> None:
        if response.ok and "/pagefind/" in response.url:
            downloaded[response.url] = len(response.body())

    page.on("response", count)
    goto(page, site_url)
    found = search(page, query)
    assert any(url.split("#")[0] == site_url + where for url in found), found
    total = sum(downloaded.values())
    print(f"\nfirst query {query!r}: {total} bytes in {len(downloaded)} files from pagefind/")
    assert any(url.endswith(".pf_fragment") for url in downloaded) and any(".pf_index" in url for url in downloaded)
    assert total <= FIRST_QUERY_BUDGET, sorted(downloaded.items(), key=lambda item: -item[1])[:10]
    assert not watch.problems(), "\n".join(watch.problems())


def test_positions_fit_a_phone_screen_as_labelled_cards(site_url, open_page):
    """On a phone the positions table must not cut columns off at the screen edge: each
    position becomes a card whose cells carry their column name."""
    page, watch = open_page("light", PHONE)
    goto(page, f"{site_url}theses/{THESIS}/")
    table = page.locator(".ts-stacking table").first
    table.scroll_into_view_if_needed()
    sizes = table.evaluate("t => ({scroll: t.scrollWidth, client: t.clientWidth, page: document.documentElement.clientWidth})")
    assert sizes["scroll"] <= sizes["client"] + 1 and sizes["client"] <= sizes["page"], sizes
    cell = page.locator(".ts-stacking td[data-label='Rests on']").first
    assert cell.evaluate("c => getComputedStyle(c).display") == "block"
    assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"Rests on"'
    assert page.locator(".ts-stacking thead").first.is_hidden()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-positions.png"))
    assert not watch.problems(), "\n".join(watch.problems())


# --------------------------------------------------------------------------- sorting and filtering

ROWS_JS = """
(table) => Array.from(table.tBodies[0].rows).filter(r => !r.hidden).map(r => ({
    cells: Array.from(r.cells).map(c => c.innerText.trim()),
    attrs: Object.fromEntries(Array.from(r.attributes).filter(a => a.name.startsWith('data-')).map(a => [a.name.slice(5), a.value])),
}))
"""

INDEXES = {
    # page: (column to sort as numbers, column to sort as ranked words with their rank order,
    #        filter to apply, a value it takes)
    "theses/": ("Claims", ("Source proof", ["strong", "moderate", "weak", "unsupported"]), "strength"),
    "claims/": ("Quotes", ("Evidence grade", ["verified", "fragmentary", "weak", "none"]), "direction"),
    "assets/": ("Long", ("Net stance", ["net long", "net short", "balanced", "watch only", "no stance"]), "direction"),
}


@pytest.mark.parametrize("path", list(INDEXES))
def test_index_sorts_by_column_and_filters_rows(site_url, open_page, path):
    """Each index: a header click sorts by that column (a second click reverses it), ranked
    words sort by rank, and a filter hides exactly the rows without the chosen value."""
    numeric, (ranked, order), attribute = INDEXES[path]
    page, watch = open_page("light", DESKTOP)
    goto(page, site_url + path)
    table = page.locator("article table[data-ts-index]").first
    table.wait_for()
    assert table.get_attribute("data-ts-ready") == "", "the index script did not set the table up"
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    before = table.evaluate(ROWS_JS)
    assert len(before) >= 3, before

    def column(name):
        return [h.rstrip(" ↕↑↓") for h in headers].index(name)

    def sort_by(name):
        table.locator("thead th").nth(column(name)).locator("button").click()
        return table.evaluate(ROWS_JS)

    index = column(numeric)
    up = [int(r["cells"][index]) for r in sort_by(numeric)]
    assert up == sorted(up), up
    down = [int(r["cells"][index]) for r in sort_by(numeric)]
    assert down == sorted(up, reverse=True), down
    assert table.locator("thead th").nth(index).get_attribute("aria-sort") == "descending"

    index = column(ranked)
    ranks = [order.index(r["cells"][index]) for r in sort_by(ranked)]
    assert ranks == sorted(ranks), ranks

    first_column = [r["cells"][0] for r in sort_by(headers[0].rstrip(" ↕↑↓"))]
    assert first_column == sorted(first_column, key=str.casefold) or len(set(first_column)) < len(first_column)

    select = page.locator(f"form.ts-filters select[name='{attribute}']")
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert values, f"no values to filter {attribute} by"
    total = len(before)
    for value in values:
        select.select_option(value)
        shown = table.evaluate(ROWS_JS)
        assert shown and all(value in r["attrs"][attribute].split() for r in shown), (value, shown)
        expected = sum(value in r["attrs"][attribute].split() for r in before)
        assert len(shown) == expected, (value, len(shown), expected)
        assert page.locator(".ts-filters__count").inner_text() == f"Showing {expected} of {total} rows"
    select.select_option("")
    assert len(table.evaluate(ROWS_JS)) == total
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"index-{path.strip('/')}.png"), full_page=True)
    assert not watch.problems(), "\n".join(watch.problems())


def test_indexes_are_plain_tables_without_the_script(site_url, browser):
    """With JavaScript off every row is there, in the generator's order, with no controls."""
    context = browser.new_context(java_script_enabled=False)
    try:
        block_foreign(context)
        page = context.new_page()
        for path in INDEXES:
            page.goto(site_url + path)
            table = page.locator("article table[data-ts-index]").first
            assert table.locator("tbody tr").count() >= 3
            assert table.locator("thead button").count() == 0
            assert page.locator("form.ts-filters").count() == 0
    finally:
        context.close()


# --------------------------------------------------------------------------- printing

def test_printed_thesis_is_a_report(site_url, open_page, tmp_path):
    """Printing the CS336 thesis gives a PDF holding its proof line, every position and every
    positions column, and none of the site's chrome (pdftotext, Debian's poppler-utils)."""
    import shutil
    import subprocess

    require(shutil.which("pdftotext") is not None, "pdftotext is missing (apt-get install poppler-utils)")
    thesis = thesis_front_matter(THESIS)
    page, watch = open_page("light", DESKTOP)
    goto(page, f"{site_url}theses/{THESIS}/")
    proof_line = squash(page.locator("p.ts-proof").first.inner_text().removeprefix("Source proof").strip())
    columns = [squash(t) for t in page.locator(".ts-stacking table thead th").all_inner_texts()]
    assert columns and proof_line
    pdf = tmp_path / "thesis.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "thesis-print.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    def letters(value: str) -> str:
        """Text without whitespace or hyphens: table cells wrap, and pdftotext joins a word split
        at a hyphen without it; `-raw` keeps each table cell together."""
        return re.sub(r"[\s\-‐]+", "", value)

    printed = letters(text)
    assert letters(proof_line) in printed, proof_line
    for column in columns:
        assert letters(column) in printed, f"column {column!r} missing from the printed report"
    for position in thesis["assets"]:
        for value in (position["asset"], position["direction"], position["role"], position["rationale"]):
            assert letters(value) in printed, f"{position['asset']}: {value!r} missing from the printed report"
    for claim in thesis["claims"]:
        assert letters(claim["text"]) in printed, claim["text"]
    for risk in thesis["risks"]:
        assert letters(risk) in printed, risk
    assert letters(thesis["assets_intro"]) in printed
    assert "Disclaimer" in text
    for chrome in ("Stance board", "Search", "Built with", "On this page"):
        assert chrome not in text, f"site chrome {chrome!r} printed"
    # Nothing cut at the page edge: at the width of an A4 page's printable area (about 718 CSS
    # pixels), no element of the article reaches past the page.
    page.set_viewport_size({"width": 718, "height": 1000})
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('article *'))
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName + '.' + e.className).slice(0, 5);
    }""")
    assert not overflow, overflow
    assert not watch.problems(), "\n".join(watch.problems())
