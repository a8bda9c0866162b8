"""Where every page lives: the one place that decides docs-tree paths, URLs and anchors.

Input: ids from the sealed graph. Output: docs-tree paths (`theses/<id>/index.md`) and links
relative to the page that holds them. mkdocs serves each `<dir>/index.md` at `/<dir>/`, so the
stable URLs of SPEC §4 follow from these paths.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

HOME = "index.md"
THESES = "theses/index.md"
SOURCES = "sources/index.md"
ASSETS = "assets/index.md"
CLAIMS = "claims/index.md"
PEOPLE = "people/index.md"
TAGS = "tags/index.md"
METHOD = "method/index.md"
STYLESHEET = "stylesheets/thesis-site.css"


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


CARDS_FOLDER = "cards"
"""Share cards (`generator.cards`): a top-level folder of files mkdocs only copies, like the export."""


def card_image(thesis_id: str) -> str:
    """Docs-tree (and site) path of a thesis's share card, the image link previews show."""
    return f"{CARDS_FOLDER}/{thesis_id}.png"


def paged(first_page: str, number: int) -> str:
    """Page `number` (from 1) of a long listing whose first page is `first_page`.

    `page_<n>` cannot collide with an id: ids never contain an underscore.
    """
    if number == 1:
        return first_page
    folder = first_page.rsplit("/", 1)[0] + "/" if "/" in first_page else ""
    return f"{folder}page_{number}/index.md"


# ------------------------------------------------------------------------- anchors


def timestamp_seconds(at: str) -> int:
    """`H:MM:SS` or `MM:SS` → seconds."""
    seconds = 0
    for part in at.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


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
    """The source URL opened at a timestamp (`?t=<seconds>`, the form video hosts accept)."""
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}t={timestamp_seconds(at)}" + (f"#{fragment}" if fragment else "")


# ------------------------------------------------------------------------- links


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
        if target == self.path:
            return Link(text, fragment or "#", fragment or "./")
        # Pure string arithmetic: posixpath.relpath consults the working directory on every
        # call, which dominated page generation on large corpora.
        here_parts = self.path.split("/")[:-1]
        target_parts = target.split("/")
        target_dir = target_parts[:-1]
        common = 0
        for a, b in zip(here_parts, target_dir):
            if a != b:
                break
            common += 1
        up = "../" * (len(here_parts) - common)
        down_dir = "/".join(target_dir[common:])
        href = up + "/".join(target_parts[common:])
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
