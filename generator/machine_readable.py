"""The files for programs that ship inside the site: the JSON export under `api/`, the
RSS/Atom feeds under `feeds/` and the share cards link previews show under `cards/`, with URLs
decided by `pages.urls`.

Input: the publication and its git history. Output: relative path → bytes under
`api/`, `feeds/` and `cards/`. They go into the docs tree, which mkdocs, mike and other renderers
copy as it is.
"""

from __future__ import annotations

from typing import Callable, Collection, Iterable, Mapping

from .caches import CardCache, Memo, Remembers
from .cards import Card, draw_cards, render_card
from .export import export_tree_files
from .feeds import collect_feeds, feed_files
from .history import PublicationHistory, ThesisHistory
from .pages.entities import make_card
from .pages.urls import SiteAddress, card_image, site_path
from .publication import Publication


def export_tree(publication: Publication, histories: Mapping[str, ThesisHistory], memo: Memo | None = None,
                kept: Remembers[bytes] | None = None, made_from: Mapping[tuple[str, str], str] | None = None) -> dict[str, bytes]:
    """`memo`: the entities' JSON texts an earlier run in this process made (`serve`); `kept`,
    `made_from`: those an earlier build made, by what each model is made from (`export_tree_files`)."""
    return export_tree_files(publication, histories, site_path, memo, kept, made_from)


def feed_tree(publication: Publication, history: PublicationHistory, address: SiteAddress,
              memo: Remembers[bytes] | None = None) -> dict[str, bytes]:
    """Entries link into this build's own pages; a feed's `self` link is where a subscriber keeps reading it."""
    return feed_files(collect_feeds(publication, history, address.pages, site_path), address.feeds, memo)


def shown_cards(publication: Publication, thesis_ids: Iterable[str], address: SiteAddress) -> dict[str, Card]:
    """The share card of each of `thesis_ids`, by its docs-tree path: what each shows (`card_files` draws them)."""
    return {card_image(t): make_card(publication, t, address.pages) for t in thesis_ids}


def card_files(shown: Mapping[str, Card], cache: CardCache | None = None,
               kept: Collection[str] = frozenset()) -> Callable[[], dict[str, bytes | None]]:
    """The share cards `shown` (PNG, made with Pillow: 5-10 ms each), from the function returned;
    a card whose path is in `kept` (its docs-tree file holds it as drawn, `incremental.current_pages`)
    is given as None: neither drawn nor read. Those `cache` does not hold start drawing now
    (`cards.draw_cards`: many are drawn by a worker process while the build renders its pages);
    the function waits for them and reads the others (an entry found damaged then is drawn
    there). A build makes all its cards in this one call: the cache is settled when they are in,
    so cards of earlier builds that this one did not show are removed."""
    for path in kept:
        if cache is not None and path in shown:
            cache.holds(shown[path])  # its entry stays in use: the card is not read, but shown
    asked = {path: card for path, card in shown.items() if path not in kept}
    missing = [path for path, card in asked.items() if cache is None or not cache.holds(card)]
    drawing = draw_cards([asked[path] for path in missing])

    def files() -> dict[str, bytes | None]:
        drawn = dict(zip(missing, drawing(), strict=True))
        made: dict[str, bytes | None] = {}
        for path, card in shown.items():
            if path not in asked:
                made[path] = None
                continue
            data = drawn.get(path) or (cache.read(card) if cache is not None else None)
            if data is None:
                data = drawn[path] = render_card(card)
            made[path] = data
        if cache is not None:
            for path, data in drawn.items():
                cache.write(shown[path], data)
            cache.settle()
        return made

    return files
