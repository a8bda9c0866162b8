"""Feeds: RSS 2.0 and Atom for thesis monitoring — all theses, one per thesis, one per asset.

Input: the publication, its git history and the site URL. Output: relative path → bytes.
Items come from git history (claims added or reworded, directions changed, positions opened or
closed); without history each thesis contributes one "opened" item. GUIDs are stable: they
name the thesis or asset and the commit, never the build.
"""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from functools import partial
from typing import Callable, Iterable

from .characters import replace_uncarriable
from .caches import Remembers, remembered
from .calls import opened_on
from .history import PublicationHistory, fallback_history
from .pages.urls import ATOM_SUFFIX, FEED_SITEMAPS, RSS_SUFFIX, feed_stem
from .publication import Publication


ATOM_NS = "http://www.w3.org/2005/Atom"
TAG_URI_AUTHORITY = "thesis-site"


@dataclass(frozen=True)
class FeedItem:
    guid: str
    title: str
    link: str
    summary: str
    published: dt.datetime


@dataclass(frozen=True)
class Feed:
    path: str  # without suffix (`urls.feed_stem`); one file per format is written
    title: str
    link: str
    description: str
    items: tuple[FeedItem, ...]


def _at(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def collect_feeds(publication: Publication, history: PublicationHistory, site_url: str,
                  url_of: Callable[[str, str], str]) -> list[Feed]:
    graph = publication.graph
    base = site_url.rstrip("/") + "/"
    thesis_feeds: list[Feed] = []
    everything: list[FeedItem] = []
    for thesis_id, thesis in graph.theses.items():
        link = base + url_of("thesis", thesis_id)
        thesis_history = history.theses.get(thesis_id) or fallback_history(thesis)
        items: list[FeedItem] = []
        for entry in thesis_history.entries:
            when = _at(entry.timestamp) if entry.timestamp else _midnight(entry.date)
            opened = entry.summary == "thesis added"
            items.append(FeedItem(
                guid=f"tag:{TAG_URI_AUTHORITY},{entry.date.isoformat()}:thesis/{thesis_id}/{entry.commit}",
                title=f"{'New thesis' if opened else 'Updated'}: {thesis.title}",
                link=link, summary=thesis.summary if opened else f"{entry.summary} (commit {entry.commit}, {entry.author})",
                published=when))
        if not items:
            items.append(FeedItem(guid=f"tag:{TAG_URI_AUTHORITY},{thesis.opened.isoformat()}:thesis/{thesis_id}/opened",
                                  title=f"New thesis: {thesis.title}", link=link, summary=thesis.summary,
                                  published=_midnight(thesis.opened)))
        thesis_feeds.append(Feed(feed_stem("theses", thesis_id), f"{thesis.title} — changes",
                                 link, f"Claim-level changes to the thesis '{thesis.title}'.", _newest_first(items)))
        everything.extend(items)
    asset_feeds: list[Feed] = []
    for asset_id, asset in graph.assets.items():
        link = base + url_of("asset", asset_id)
        items = [FeedItem(guid=f"tag:{TAG_URI_AUTHORITY},{_at(e.timestamp).date().isoformat()}:asset/{asset_id}/{e.thesis_id}/{e.commit}",
                          title=f"{asset_id}: {e.summary}",
                          # a thesis removed since has no page: link the asset's page instead
                          link=base + url_of("thesis", e.thesis_id) if e.thesis_id in graph.theses else link,
                          summary=f"{e.summary} (commit {e.commit}, {e.author})", published=_at(e.timestamp))
                 for e in history.asset_events.get(asset_id, ())]
        if not items:  # no git history: each current position is an item dated by its call, and one more once closed
            for ref in graph.positions_by_asset.get(asset_id, ()):
                thesis, position = graph.theses[ref.thesis_id], ref.position
                called = opened_on(thesis, position)
                items.append(FeedItem(guid=f"tag:{TAG_URI_AUTHORITY},{called.isoformat()}:asset/{asset_id}/{thesis.id}/opened",
                                      title=f"{asset_id}: {position.direction} position opened on {called.isoformat()} in {thesis.title}",
                                      link=base + url_of("thesis", thesis.id), summary=position.rationale,
                                      published=_midnight(called)))
                if position.closed is not None:
                    items.append(FeedItem(
                        guid=f"tag:{TAG_URI_AUTHORITY},{position.closed.isoformat()}:asset/{asset_id}/{thesis.id}/closed",
                        title=f"{asset_id}: {position.direction} position closed on {position.closed.isoformat()} in {thesis.title}",
                        link=base + url_of("thesis", thesis.id), summary=position.rationale,
                        published=_midnight(position.closed)))
        asset_feeds.append(Feed(feed_stem("assets", asset_id), f"{asset.name} ({asset_id}) — positions",
                                link, f"Positions opened, changed and closed on {asset.name}.", _newest_first(items)))
    all_feed = Feed(feed_stem("all"), "thesis-site — all theses", base,
                    "New and updated investment theses.", _newest_first(everything))
    return [all_feed, *thesis_feeds, *asset_feeds]


def _newest_first(items: list[FeedItem]) -> tuple[FeedItem, ...]:
    return tuple(sorted(items, key=lambda item: (item.published, item.guid), reverse=True))


def _updated(feed: Feed) -> dt.datetime:
    return feed.items[0].published if feed.items else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _xml_text(text: str) -> str:
    """Text XML 1.0 can carry: ElementTree escapes `<`, `&` and quotes but writes control
    characters, surrogates and U+FFFE/U+FFFF as they are, which no XML parser accepts. They
    become U+FFFD (`check` refuses them in content; this keeps a feed well-formed without it)."""
    return replace_uncarriable(text)


def _rss_text(text: str) -> str:
    """RSS readers take titles and descriptions as HTML: contributor text is HTML-escaped first
    (then XML-escaped by ElementTree), so `<script>` in a summary reaches the reader as text.
    Atom's elements are `type="text"` by default and need no such step."""
    return html.escape(_xml_text(text), quote=False)


def render_rss(feed: Feed, base: str, memo: Remembers[bytes] | None = None) -> bytes:
    """`memo`: the XML of each item and of the feed around its items as an earlier run made it
    (`serve`; a build's `caches.ByteCache`): a save that changes one thesis writes the whole-site feed again, but encodes only
    that thesis's items."""
    head = remembered(memo, ("rss head", *_head_key(feed), base), lambda: _rss_head(feed, base))
    return _with_items(head, b"</channel></rss>", (remembered(memo, ("rss item", *_item_key(item)), partial(_rss_item, item))
                                                   for item in feed.items))


def _rss_head(feed: Feed, base: str) -> bytes:
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = _rss_text(feed.title)
    ET.SubElement(channel, "link").text = _xml_text(feed.link)
    ET.SubElement(channel, "description").text = _rss_text(feed.description)
    ET.SubElement(channel, "atom:link", {"href": base + feed.path + RSS_SUFFIX, "rel": "self", "type": "application/rss+xml"})
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(feed))
    return _serialized(rss)


def _rss_item(item: FeedItem) -> bytes:
    element = ET.Element("item")
    ET.SubElement(element, "title").text = _rss_text(item.title)
    ET.SubElement(element, "link").text = _xml_text(item.link)
    ET.SubElement(element, "description").text = _rss_text(item.summary)
    ET.SubElement(element, "guid", {"isPermaLink": "false"}).text = _xml_text(item.guid)
    ET.SubElement(element, "pubDate").text = format_datetime(item.published)
    return _serialized(element)


def render_atom(feed: Feed, base: str, memo: Remembers[bytes] | None = None) -> bytes:
    """`memo`: as for `render_rss`."""
    head = remembered(memo, ("atom head", *_head_key(feed), base), lambda: _atom_head(feed, base))
    return _with_items(head, b"</feed>", (remembered(memo, ("atom entry", *_item_key(item)), partial(_atom_entry, item))
                                          for item in feed.items))


def _atom_head(feed: Feed, base: str) -> bytes:
    atom = ET.Element("feed", {"xmlns": ATOM_NS})
    ET.SubElement(atom, "title").text = _xml_text(feed.title)
    ET.SubElement(atom, "id").text = f"tag:{TAG_URI_AUTHORITY},2026:{feed.path}"
    ET.SubElement(atom, "link", {"href": _xml_text(feed.link)})
    ET.SubElement(atom, "link", {"href": base + feed.path + ATOM_SUFFIX, "rel": "self"})
    ET.SubElement(atom, "updated").text = _updated(feed).isoformat()
    ET.SubElement(atom, "subtitle").text = _xml_text(feed.description)
    author = ET.SubElement(atom, "author")
    ET.SubElement(author, "name").text = "thesis-site"
    return _serialized(atom)


def _atom_entry(item: FeedItem) -> bytes:
    entry = ET.Element("entry")
    ET.SubElement(entry, "title").text = _xml_text(item.title)
    ET.SubElement(entry, "id").text = _xml_text(item.guid)
    ET.SubElement(entry, "link", {"href": _xml_text(item.link)})
    ET.SubElement(entry, "updated").text = item.published.isoformat()
    ET.SubElement(entry, "summary").text = _xml_text(item.summary)
    return _serialized(entry)


def _head_key(feed: Feed) -> tuple[object, ...]:
    """All a feed's XML around its items is made from (`remembered`)."""
    return feed.path, feed.title, feed.link, feed.description, _updated(feed).isoformat()


def _item_key(item: FeedItem) -> tuple[object, ...]:
    """An item with its time as written: equal datetimes in two time zones are written apart."""
    return item, item.published.isoformat()


def _serialized(element: ET.Element) -> bytes:
    data: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return data


def _with_items(head: bytes, closing: bytes, items: Iterable[bytes]) -> bytes:
    """A feed from its root serialized without items (`head`) and each item's XML, put before the
    root's `closing` tags: an item serialized on its own is what it is within the tree (no
    namespace prefixes, no indentation)."""
    if not head.endswith(closing):
        raise ValueError(f"a feed's XML ends {head[-40:]!r}, not with {closing!r}")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + head[:-len(closing)] + b"".join(items) + closing + b"\n"


EMPTY_SITEMAP = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                 b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n')


def feed_files(feeds: list[Feed], site_url: str, memo: Remembers[bytes] | None = None) -> dict[str, bytes]:
    """Each feed as RSS and Atom; `memo`: the XML an earlier run made of their items and heads
    (`serve`'s memo, or the build's `caches.ByteCache`)."""
    base = site_url.rstrip("/") + "/"
    # mkdocs-material treats every <link rel="alternate"> as a translation of the site and fetches
    # `sitemap.xml` beside it; an empty sitemap in each feed folder answers that request instead
    # of a 404 in the reader's console.
    files: dict[str, bytes] = dict.fromkeys(FEED_SITEMAPS, EMPTY_SITEMAP)
    for feed in feeds:
        files[feed.path + RSS_SUFFIX], files[feed.path + ATOM_SUFFIX] = render_rss(feed, base, memo), render_atom(feed, base, memo)
    return files
