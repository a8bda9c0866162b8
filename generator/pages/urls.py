"""Where every page lives: the one place that decides docs-tree paths, URLs and anchors.

Input: ids from the sealed graph. Output: docs-tree paths (`theses/<id>/index.md`) and links
relative to the page that holds them. mkdocs serves each `<dir>/index.md` at `/<dir>/`, so the
stable URLs of SPEC §4 follow from these paths.

Links in raw HTML are final URLs, which mkdocs does not rewrite: they follow the link style of the
build (`link_style`): directory URLs (`../x/`) for a served site, file URLs (`../x/index.html`)
when mkdocs writes `use_directory_urls: false`, as the offline build does.
"""

from __future__ import annotations

import contextlib
import contextvars
import posixpath
from dataclasses import dataclass
from typing import Iterator

from ..outputs import MARKER
from ..siteconfig import DEFAULT_SITE_URL
from ..timestamps import timestamp_seconds

HOME = "index.md"
THESES = "theses/index.md"
SOURCES = "sources/index.md"
ASSETS = "assets/index.md"
CLAIMS = "claims/index.md"
PEOPLE = "people/index.md"
TAGS = "tags/index.md"
METHOD = "method/index.md"
CHANGES = "changes/index.md"
CONTRIBUTING = "contributing/index.md"
TRACK_RECORD = "track-record/index.md"
STYLESHEET = "stylesheets/thesis-site.css"
SCRIPT = "javascripts/thesis-site.js"
"""Sorting and filtering of the index tables; loaded by the theme override (`overrides/main.html`)."""


def thesis_page(thesis_id: str) -> str:
    return f"theses/{thesis_id}/index.md"


def evidence_page(thesis_id: str) -> str:
    return f"theses/{thesis_id}/evidence/index.md"


def source_page(source_id: str) -> str:
    return f"sources/{source_id}/index.md"


def asset_page(asset_id: str) -> str:
    return f"assets/{asset_id}/index.md"


def person_page(person_id: str) -> str:
    return f"people/{person_id}/index.md"


def tag_page(tag: str) -> str:
    return f"tags/{tag}/index.md"


def redirect_file(page: str) -> str:
    """Where the redirect from an old page path lives: a static HTML file that mkdocs (or any
    renderer) copies as it is, at the URL the page had (`theses/<old>/index.html`)."""
    return page.removesuffix(".md") + ".html"


WORKER_SHIM = "javascripts/iframe-worker.js"
"""The search worker shim of a site read from `file://` (`build --offline`), shipped with the site."""


CARDS_FOLDER = "cards"
"""Share cards (`generator.cards`): a top-level folder of files mkdocs only copies, like the export."""


def card_image(thesis_id: str) -> str:
    """Docs-tree (and site) path of a thesis's share card, the image link previews show."""
    return f"{CARDS_FOLDER}/{thesis_id}.png"


API_FOLDER = "api"
"""The JSON export (`generator.export`): a top-level folder of files mkdocs only copies."""
API_GRAPH = f"{API_FOLDER}/graph.json"


def api_entity_file(folder: str, entity_id: str) -> str:
    """One entity of the export, `api/<folder>/<id>.json` (`folder`: sources, theses, assets, people)."""
    return f"{API_FOLDER}/{folder}/{entity_id}.json"


def api_schema_file(name: str) -> str:
    """A JSON Schema of the export (`graph`) or of a content kind (`thesis`, ...)."""
    return f"{API_FOLDER}/schema/{name}.schema.json"


FEEDS_FOLDER = "feeds"
"""RSS and Atom feeds (`generator.feeds`): a top-level folder of files mkdocs only copies."""
RSS_SUFFIX = ".rss.xml"
ATOM_SUFFIX = ".atom.xml"


def feed_stem(kind: str, identifier: str | None = None) -> str:
    """A feed's path without its format suffix: `feeds/all`, or `feeds/<kind>/<id>` (kind: theses, assets)."""
    return f"{FEEDS_FOLDER}/all" if kind == "all" else f"{FEEDS_FOLDER}/{kind}/{identifier}"


def feed_paths(kind: str, identifier: str | None = None) -> tuple[str, str]:
    """(RSS path, Atom path) of a feed, relative to the site root."""
    stem = feed_stem(kind, identifier)
    return stem + RSS_SUFFIX, stem + ATOM_SUFFIX


FEED_SITEMAPS = tuple(f"{FEEDS_FOLDER}/{folder}sitemap.xml" for folder in ("", "theses/", "assets/"))
"""An empty sitemap in each feed folder (see `feeds.feed_files`)."""


FOR_PROGRAMS = frozenset({API_FOLDER, FEEDS_FOLDER, CARDS_FOLDER})
"""Top-level folders of files for programs (export, feeds, share cards): pages link them in raw
HTML only, so no page renders differently for what they hold, and the renderer copies them as
they are. The preview writes them after the pages (`serve`)."""


def for_programs(path: str) -> bool:
    """Whether a docs-tree path is one of the files for programs (`FOR_PROGRAMS`)."""
    return path.partition("/")[0] in FOR_PROGRAMS


def paged(first_page: str, number: int) -> str:
    """Page `number` (from 1) of a long listing whose first page is `first_page`.

    `page_<n>` cannot collide with an id: ids never contain an underscore.
    """
    if number == 1:
        return first_page
    folder = first_page.rsplit("/", 1)[0] + "/" if "/" in first_page else ""
    return f"{folder}page_{number}/index.md"


# ------------------------------------------------------------------------- anchors



def timestamp_label(at: str) -> str:
    """Every timestamp printed as `H:MM:SS`, whichever form the contributor typed."""
    total = timestamp_seconds(at)
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def moment_anchor(at: str) -> str:
    return "moment-" + timestamp_label(at).replace(":", "-")


def table_anchor(table_id: str) -> str:
    return f"table-{table_id}"


SECTION_ANCHORS = {"tldr": "tldr", "bottom-line": "bottom-line", "body": "notes"}
"""Whole-part locators → the anchor of that part on the source page."""


def locator_anchor(at: str) -> str:
    """An evidence locator → the anchor on the source page it points at."""
    kind, _, rest = at.partition("/")
    if kind == "insight":
        return rest
    if kind == "moment":
        return moment_anchor(rest)
    if kind == "table":
        return table_anchor(rest)
    return SECTION_ANCHORS[at]


def at_time(url: str, at: str) -> str:
    """The source URL opened at a timestamp (`?t=<seconds>`, the form video hosts accept). A time
    the URL already names (`t=` in its query, `#t=` as its fragment) is replaced, not followed by
    a second one the player would ignore."""
    base, _, fragment = url.partition("#")
    if fragment.startswith("t="):
        fragment = ""
    path, _, query = base.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("t=")]
    query = "&".join([*kept, f"t={timestamp_seconds(at)}"])
    return f"{path}?{query}" + (f"#{fragment}" if fragment else "")


# ------------------------------------------------------------------------- links

_DIRECTORY_URLS: contextvars.ContextVar[bool] = contextvars.ContextVar("directory_urls", default=True)
"""The link style of the page being made. A context variable, not an argument: every view
model makes its links through `Here`, and the style is the build's, not the page's."""


@contextlib.contextmanager
def link_style(directory_urls: bool) -> Iterator[None]:
    """Make the links of the pages built inside this block in one style (see the module doc)."""
    token = _DIRECTORY_URLS.set(directory_urls)
    try:
        yield
    finally:
        _DIRECTORY_URLS.reset(token)


def _file_url(href: str) -> str:
    """`../x/index.md#a` → `../x/index.html#a`: where mkdocs puts a page without directory URLs."""
    path, hash_mark, fragment = href.partition("#")
    return path.removesuffix(".md") + ".html" + hash_mark + fragment if path.endswith(".md") else href


@dataclass(frozen=True)
class Link:
    """A link as the page holding it writes it.

    `href` targets the Markdown file (mkdocs rewrites it to the directory URL and checks that
    the page and the anchor exist); `url` is the final relative URL, for raw HTML such as SVG.
    """

    text: str
    href: str
    url: str

    @property
    def anchor(self) -> str:
        """The fragment this link points at ('' for none): what identifies a claim or a locator."""
        return self.href.partition("#")[2]


@dataclass(frozen=True)
class Here:
    """The page being built; turns docs-tree paths into links relative to it."""

    path: str

    def link(self, target: str, text: str, anchor: str = "") -> Link:
        fragment = f"#{anchor}" if anchor else ""
        directory_urls = _DIRECTORY_URLS.get()
        if target == self.path:
            return Link(text, fragment or "#", fragment or ("./" if directory_urls else _file_url(target.rsplit("/", 1)[-1])))
        # Pure string arithmetic: posixpath.relpath consults the working directory on every
        # call, which dominated page generation on large corpora.
        here_parts = self.path.split("/")[:-1]
        target_parts = target.split("/")
        target_dir = target_parts[:-1]
        common = 0
        for a, b in zip(here_parts, target_dir, strict=False):
            if a != b:
                break
            common += 1
        up = "../" * (len(here_parts) - common)
        down_dir = "/".join(target_dir[common:])
        href = up + "/".join(target_parts[common:])
        if not directory_urls:
            return Link(text, href + fragment, _file_url(href) + fragment)
        url = (up + down_dir + "/") if down_dir else (up or "./")
        return Link(text, href + fragment, url + fragment)


def file_url(here: str, target: str) -> str:
    """URL of a non-page file (a feed, the export) relative to the page at docs path `here`."""
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def site_path(kind: str, identifier: str) -> str:
    """Site-relative directory URL of an entity page (`theses/<id>/`), for feeds, exports, JSON-LD."""
    pages = {"thesis": thesis_page, "evidence": evidence_page, "source": source_page, "asset": asset_page,
             "person": person_page, "tag": tag_page}
    return pages[kind](identifier).removesuffix("index.md")


# ------------------------------------------------------------------------- the site's root


SEARCH_INDEX_FOLDER = "pagefind"
"""Pagefind's index and search UI, written into the built site after the renderer (`search`)."""

RENDERER_ROOT = frozenset({"404.html", "sitemap.xml", "sitemap.xml.gz", "search", "assets", SEARCH_INDEX_FOLDER})
"""What mkdocs and mkdocs-material write at the site root besides the pages: the error page, the
sitemap, the search index (`search/`) and material's own scripts, styles and fonts (`assets/`);
and Pagefind's index (`pagefind/`), which the build adds."""

EDITIONS_ROOT = frozenset({"index.html", "versions.json", ".nojekyll"})
"""What mike writes at the root of the pages branch, beside one folder per edition: the redirect
to the default edition, the list of editions, the marker that turns off Jekyll."""


def _top_level(path: str) -> str:
    """The root entry a docs-tree path ends up under in the built site (`index.md` → `index.html`)."""
    head, slash, _ = path.partition("/")
    return head if slash else (head.removesuffix(".md") + ".html" if head.endswith(".md") else head)


def _site_top_level() -> frozenset[str]:
    listings = (HOME, THESES, SOURCES, ASSETS, CLAIMS, PEOPLE, TAGS, METHOD, CHANGES, CONTRIBUTING, TRACK_RECORD)
    entities = (thesis_page("x"), evidence_page("x"), source_page("x"), asset_page("X"), person_page("x"), tag_page("x"))
    paths = (*listings, *(paged(first, 2) for first in (*listings, *entities) if first != HOME), *entities, STYLESHEET, SCRIPT,
             f"{API_FOLDER}/", f"{FEEDS_FOLDER}/", f"{CARDS_FOLDER}/")
    return frozenset(_top_level(path) for path in paths) | RENDERER_ROOT | EDITIONS_ROOT | {MARKER}


TOP_LEVEL_NAMES = _site_top_level()
"""Every name at the root of a built site or of the pages branch: the generator's pages, static
files, export and feeds (from the same constants that build their paths), what mkdocs and
material add, what mike adds, and the build's own marker (`outputs.MARKER`). An edition folder must not take one of these names."""


# ------------------------------------------------------------------------- absolute URLs


@dataclass(frozen=True)
class SiteAddress:
    """Where a build's files answer, decided once per build and handed to pages, feeds and
    JSON-LD (README, "Editions"). `pages` starts every absolute link to this build's own pages;
    `feeds` starts the links a subscriber keeps: a feed's `self` link and the pages' subscribe
    links. A plain build answers at `site_url` for both. An edition answers at
    `site_url/<edition>/`, which never changes, and its subscribe links use the alias that
    moves to each new edition (`site_url/latest/`), so a reader subscribes once."""

    pages: str
    feeds: str
    edition: bool = False

    def feed_link(self, here: str, feed: str) -> str:
        """A subscribe link on the page at docs path `here`: relative in a plain build (it then
        works wherever the site is opened, a local preview too), absolute through the alias in an edition."""
        return self.feeds + feed if self.edition else file_url(here, feed)


def site_address(site_url: str, edition: str | None = None, alias: str | None = None) -> SiteAddress:
    root = site_url.rstrip("/") + "/"
    if edition is None:
        return SiteAddress(root, root)
    return SiteAddress(f"{root}{edition}/", f"{root}{alias or edition}/", edition=True)


DEFAULT_ADDRESS = site_address(DEFAULT_SITE_URL)
"""Where absolute links start when a caller names no address: a plain build at the placeholder."""
