"""`thesis-site build --offline`: the default site opened from the file system (`file://`) in
Debian's headless chromium, no server anywhere.

A reader clicks from the home page to a thesis, its evidence page and an asset page; every link
on those pages opens a file of the site; the search box answers; the console shows no error
(material's offline mode fails loudly from file:// when a fetch or a worker is refused).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

from browser_support import Watch, build_default_site, check_prerequisites

pytestmark = pytest.mark.browser

THESIS = "cs336-lecture-15-post-training-intensity"
ASSET = "NVDA"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    check_prerequisites()
    return build_default_site(tmp_path_factory.mktemp("offline") / "site", "--offline")


@pytest.fixture(scope="module")
def browser(site, chromium):
    return chromium


def _on_disk(url: str) -> bool:
    return urlsplit(url).scheme in ("file", "data", "blob", "about")


@pytest.fixture
def page(browser):
    """A fresh page whose every request is recorded; anything but a file of the disk is aborted."""
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce", service_workers="block")
    context.route("**/*", lambda route: route.continue_() if _on_disk(route.request.url) else route.abort("blockedbyclient"))
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    opened.watch = Watch().attach(opened)
    yield opened
    context.close()


def problems(page) -> list[str]:
    watch: Watch = page.watch
    found = [f"console error: {m}" for m in watch.console_errors]
    found += [f"uncaught exception: {m}" for m in watch.page_errors]
    found += [f"request leaving the file system: {u}" for u in watch.requests if not _on_disk(u)]
    return found


def file_of(url: str) -> Path:
    return Path(url2pathname(unquote(urlsplit(url).path)))


def assert_links_open_files(page, site: Path) -> int:
    """Every `<a href>` of the page, as the browser resolves it, names an existing file of the site
    (or leaves the site for the web). Returns how many were checked."""
    # getAttribute, not .href: links inside the SVG pictures have an SVGAnimatedString there
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)")
    checked = 0
    for href in hrefs:
        if urlsplit(href).scheme in ("http", "https", "mailto"):
            continue
        assert urlsplit(href).scheme == "file", f"{page.url}: {href}"
        target = file_of(href)
        assert target.is_file(), f"{page.url}: link {href} opens {'a folder' if target.is_dir() else 'nothing'}"
        assert site.resolve() in target.resolve().parents, f"{page.url}: {href} leaves the site"
        checked += 1
    return checked


def click_to(page, selector: str, expected: str) -> None:
    link = page.locator(selector).first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url(re.compile(expected))
    page.wait_for_load_state("load")


def test_click_through_from_file_url(site, page):
    page.goto((site / "index.html").as_uri(), wait_until="load")
    assert page.locator("article").first.is_visible()
    assert assert_links_open_files(page, site) > 10

    click_to(page, f'article a[href$="theses/{THESIS}/index.html"]', rf"/theses/{re.escape(THESIS)}/index\.html$")
    assert THESIS in page.url and page.locator("h1").first.is_visible()
    assert assert_links_open_files(page, site) > 10

    click_to(page, 'article a[href="evidence/index.html"]',
             rf"/theses/{re.escape(THESIS)}/evidence/index\.html$")
    assert assert_links_open_files(page, site) > 10

    click_to(page, f'article a[href*="assets/{ASSET}/index.html"]', rf"/assets/{ASSET}/index\.html$")
    assert assert_links_open_files(page, site) > 5
    # and back from the asset to the claim its position rests on, at its anchor
    click_to(page, f'article a[href*="theses/{THESIS}/evidence/index.html#"]',
             rf"/theses/{re.escape(THESIS)}/evidence/index\.html#[a-z0-9-]+$")
    anchor = urlsplit(page.url).fragment
    assert page.locator(f'[id="{anchor}"]').count() == 1
    assert not problems(page), "\n".join(problems(page))


def test_search_answers_from_file_url(site, page):
    page.goto((site / "index.html").as_uri(), wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("post-training", delay=20)
    hit = page.locator(f'.md-search-result a[href*="theses/{THESIS}/index.html"]').first
    hit.wait_for(state="visible", timeout=15_000)
    assert page.locator(".md-search-result__item").count() >= 1
    assert file_of(hit.evaluate("a => a.href")).is_file()
    hit.click()
    page.wait_for_url(re.compile(rf"/theses/{re.escape(THESIS)}/index\.html"))
    assert any(u.endswith("search/search_index.js") for u in page.watch.requests), "the inlined index was not used"
    assert not problems(page), "\n".join(problems(page))


def test_pages_open_without_console_errors(site, page):
    for relative in ("index.html", f"theses/{THESIS}/index.html", f"theses/{THESIS}/evidence/index.html",
                     f"assets/{ASSET}/index.html", "assets/index.html", "claims/index.html"):
        page.goto((site / relative).as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")  # material's scripts fetch after load: wait until they have
    assert any(u.endswith(".css") and u.startswith("file:") for u in page.watch.requests), page.watch.requests
    assert not problems(page), "\n".join(problems(page))
