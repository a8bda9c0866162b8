"""schema.org JSON-LD for thesis and evidence pages: a `Claim` per claim, with its appearances
(the cited sources as `CreativeWork`), and a `ClaimReview` when the thesis is reviewed.

Output is a ready `<script type="application/ld+json">` block: data, not code, and escaped so
that no content can close the element.
"""

from __future__ import annotations

import json
import re

from .characters import JSON_UNCARRIABLE_CLASS, json_escape
from .graph import ThesisGraph
from .models import Source, Thesis


def _creative_work(source: Source, graph: ThesisGraph, site_url: str, source_url: str) -> dict:
    work: dict = {"@type": "CreativeWork", "name": source.title, "datePublished": source.published.isoformat(),
                  "publisher": {"@type": "Organization", "name": source.publisher}, "url": source.url or site_url + source_url}
    authors = [{"@type": "Person", "name": graph.people[p].name} for p in source.speakers if p in graph.people]
    if authors:
        work["author"] = authors
    return work


def thesis_json_ld(thesis: Thesis, graph: ThesisGraph, site_url: str, page_url: str, url_of) -> list[dict]:
    """The JSON-LD objects for one thesis (used on its page and its evidence page)."""
    base = site_url.rstrip("/") + "/"
    objects: list[dict] = []
    authors = [{"@type": "Person", "name": graph.people[p].name} for p in thesis.authors if p in graph.people]
    for claim in thesis.claims:
        citations = graph.citations_by_claim.get((thesis.id, claim.id), ())
        cited = {c.source_id: graph.sources[c.source_id] for c in citations}
        item: dict = {
            "@context": "https://schema.org", "@type": "Claim", "@id": f"{base}{url_of('evidence', thesis.id)}#{claim.id}",
            "text": claim.text, "url": f"{base}{url_of('evidence', thesis.id)}#{claim.id}",
            "appearance": [_creative_work(s, graph, base, url_of("source", s.id)) for s in cited.values()],
        }
        if authors:
            item["author"] = authors
        objects.append(item)
    if thesis.review and thesis.review.status in ("reviewed", "disputed"):
        review: dict = {
            "@context": "https://schema.org", "@type": "ClaimReview", "url": base + page_url,
            "claimReviewed": thesis.title,
            "itemReviewed": {"@type": "Claim", "text": thesis.summary,
                             "appearance": {"@type": "CreativeWork", "name": thesis.title, "url": base + url_of("thesis", thesis.id)}},
            "reviewRating": {"@type": "Rating", "alternateName": thesis.review.status},
        }
        if thesis.review.by and thesis.review.by in graph.people:
            review["author"] = {"@type": "Person", "name": graph.people[thesis.review.by].name}
        if thesis.review.on:
            review["datePublished"] = thesis.review.on.isoformat()
        objects.append(review)
    return objects


_UNSAFE_IN_SCRIPT = re.compile(f"[<>&\u2028\u2029{JSON_UNCARRIABLE_CLASS}]")
"""Written as `\\uXXXX` escapes, which JSON reads back as the same text: `<`, `>`, `&` (so
`</script>`, `<!--` or an entity cannot end or confuse the element), the line separators older
JavaScript parsers end strings at, and what HTML or UTF-8 cannot carry (DEL, C1 controls, lone
surrogates, noncharacters). `json.dumps` already escapes the C0 controls."""


def json_ld_script(objects: list[dict]) -> str:
    text = _UNSAFE_IN_SCRIPT.sub(json_escape, json.dumps(objects, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    return f'<script type="application/ld+json">{text}</script>'
