"""The files for programs that ship inside the site: the JSON export under `api/`, the
RSS/Atom feeds under `feeds/` and the share cards link previews show under `cards/`, with URLs
decided by `pages.urls`.

Input: the publication and its git history. Output: relative path → bytes under
`api/`, `feeds/` and `cards/`. They go into the docs tree, which mkdocs, mike and other renderers
copy as it is.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .caches import CardCache, Memo
from .cards import render_card
from .export import export_tree_files
from .feeds import collect_feeds, feed_files
from .history import PublicationHistory, ThesisHistory
from .pages.entities import make_card
from .pages.urls import SiteAddress, card_image, site_path
from .publication import Publication


def export_tree(publication: Publication, histories: Mapping[str, ThesisHistory],
                memo: Memo | None = None) -> dict[str, bytes]:
    """`memo`: the entities' JSON texts an earlier run in this process made (`serve`)."""
    return export_tree_files(publication, histories, site_path, memo)


def feed_tree(publication: Publication, history: PublicationHistory, address: SiteAddress,
              memo: Memo | None = None) -> dict[str, bytes]:
    """Entries link into this build's own pages; a feed's `self` link is where a subscriber keeps reading it."""
    return feed_files(collect_feeds(publication, history, address.pages, site_path), address.feeds, memo)


def card_files(publication: Publication, thesis_ids: Iterable[str], address: SiteAddress,
               cache: CardCache | None = None) -> dict[str, bytes]:
    """The share cards of `thesis_ids` (PNG, made with Pillow: about 10 ms each), taken from
    `cache` when it holds them. A build makes all its cards in this one call: the cache is settled
    at its end, so cards of earlier builds that this one did not make are removed."""
    if cache is None:
        return {card_image(t): render_card(make_card(publication, t, address.pages)) for t in thesis_ids}
    files = {card_image(t): cache.png(make_card(publication, t, address.pages)) for t in thesis_ids}
    cache.settle()
    return files
