"""schema.org JSON-LD for thesis and evidence pages, in the meaning schema.org gives its terms.

- `Claim` (one per claim, `@id` = its anchor on the evidence page): `text` is the claim,
  `author` the thesis's authors, and `appearance` ("an occurrence of a Claim in some
  CreativeWork") one passage per evidence item: a `CreativeWork` at the located part of the
  source page, `isPartOf` the cited source, with the quote as its `text` when the quote is
  verbatim (a paraphrase is the contributor's words, not the source's, so it has no `text`).
  No `firstAppearance`: the content records where a claim is quoted, not where it was first made.
- The cited sources, one `CreativeWork` each (`@id` = its page on the site), with publisher
  and speakers.
- `ClaimReview` (one per claim, when the thesis's review is `reviewed` or `disputed`):
  `claimReviewed` is the claim's text, `itemReviewed` points at the `Claim` by `@id`, `author`
  is the reviewer. `reviewRating` only where the content states a verdict (`stated_verdict`: the
  closed thesis's outcome, `right`, `wrong` or `mixed`); an editorial review status is not one.
  A closed thesis whose outcome states a verdict and that has no such review gets one
  `ClaimReview` per claim all the same: the authors' own, dated by the outcome, with its rating.
- People are `Person` or `Organization` as their content file says (`kind`).

Output is a ready `<script type="application/ld+json">` block: data, not code, and escaped so
that no content can close the element.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from .characters import JSON_UNCARRIABLE_CLASS, json_escape
from .graph import ThesisGraph
from .models import Thesis

REVIEWED_STATUSES = ("reviewed", "disputed")
"""Review states in which a reviewer has looked at the claims: each claim gets a `ClaimReview`."""

VERDICTS = ("right", "wrong", "mixed")
"""Outcome verdicts (SPEC §2) that judge the claims; `withdrawn` judges nothing."""

PERSON_TYPES = {"person": "Person", "organization": "Organization"}


def stated_verdict(thesis: Thesis) -> str | None:
    """The verdict the content states on the thesis's claims, if any: its outcome's `right`,
    `wrong` or `mixed` (SPEC §2). Nothing else in the content is a verdict."""
    verdict = thesis.outcome.verdict if thesis.outcome is not None else None
    return verdict if verdict in VERDICTS else None


def _agent(graph: ThesisGraph, person_id: str, base: str, url_of: Callable[[str, str], str]) -> dict[str, Any]:
    person = graph.people[person_id]
    return {"@type": PERSON_TYPES[person.kind], "name": person.name, "url": base + url_of("person", person_id)}


def _agents(graph: ThesisGraph, person_ids: Iterable[str], base: str, url_of: Callable[[str, str], str]) -> list[dict[str, Any]]:
    return [_agent(graph, p, base, url_of) for p in person_ids if p in graph.people]


def thesis_json_ld(thesis: Thesis, graph: ThesisGraph, site_url: str, url_of: Callable[[str, str], str],
                   anchor_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """The JSON-LD nodes for one thesis (the same on its page and its evidence page).

    `url_of(kind, id)` is an entity page's site path, `anchor_of(locator)` the anchor of an
    evidence locator on the source page (both from `pages.urls`)."""
    base = site_url.rstrip("/") + "/"
    evidence_url = base + url_of("evidence", thesis.id)
    authors = _agents(graph, thesis.authors, base, url_of)
    objects: list[dict[str, Any]] = []
    cited: dict[str, None] = {}
    for claim in thesis.claims:
        citations = sorted(graph.citations_by_claim.get((thesis.id, claim.id), ()), key=lambda c: c.index)
        passages = []
        for citation in citations:
            source_url = base + url_of("source", citation.source_id)
            passage: dict[str, Any] = {"@type": "CreativeWork", "url": f"{source_url}#{anchor_of(citation.evidence.at)}",
                             "isPartOf": {"@id": source_url}}
            if not citation.evidence.paraphrase:
                passage["text"] = citation.evidence.quote
            passages.append(passage)
            cited[citation.source_id] = None
        node: dict[str, Any] = {"@context": "https://schema.org", "@type": "Claim", "@id": f"{evidence_url}#{claim.id}",
                      "url": f"{evidence_url}#{claim.id}", "text": claim.text}
        if passages:
            node["appearance"] = passages
        if authors:
            node["author"] = authors
        objects.append(node)
    for source_id in cited:
        source = graph.sources[source_id]
        page = base + url_of("source", source_id)
        work: dict[str, Any] = {"@context": "https://schema.org", "@type": "CreativeWork", "@id": page, "name": source.title,
                      "url": source.url or page, "datePublished": source.published.isoformat(),
                      "publisher": {"@type": "Organization", "name": source.publisher}}
        speakers = _agents(graph, source.speakers, base, url_of)
        if speakers:
            work["author"] = speakers
        objects.append(work)
    verdict = stated_verdict(thesis)
    if thesis.review and thesis.review.status in REVIEWED_STATUSES:
        for claim in thesis.claims:
            review: dict[str, Any] = {
                "@context": "https://schema.org", "@type": "ClaimReview",
                "url": base + url_of("thesis", thesis.id),
                "claimReviewed": claim.text, "itemReviewed": {"@id": f"{evidence_url}#{claim.id}"},
            }
            if thesis.review.by and thesis.review.by in graph.people:
                review["author"] = _agent(graph, thesis.review.by, base, url_of)
            if thesis.review.on:
                review["datePublished"] = thesis.review.on.isoformat()
            if verdict:
                review["reviewRating"] = {"@type": "Rating", "alternateName": verdict}
            objects.append(review)
    elif verdict and thesis.outcome is not None:  # the authors' own verdict on a closed thesis
        for claim in thesis.claims:
            review = {
                "@context": "https://schema.org", "@type": "ClaimReview",
                "url": base + url_of("thesis", thesis.id),
                "claimReviewed": claim.text, "itemReviewed": {"@id": f"{evidence_url}#{claim.id}"},
                "datePublished": thesis.outcome.on.isoformat(),
                "reviewRating": {"@type": "Rating", "alternateName": verdict},
            }
            if authors:
                review["author"] = authors
            objects.append(review)
    return objects


_UNSAFE_IN_SCRIPT = re.compile(f"[<>&\u2028\u2029{JSON_UNCARRIABLE_CLASS}]")
"""Written as `\\uXXXX` escapes, which JSON reads back as the same text: `<`, `>`, `&` (so
`</script>`, `<!--` or an entity cannot end or confuse the element), the line separators older
JavaScript parsers end strings at, and what HTML or UTF-8 cannot carry (DEL, C1 controls, lone
surrogates, noncharacters). `json.dumps` already escapes the C0 controls."""


def json_ld_script(objects: list[dict[str, Any]]) -> str:
    text = _UNSAFE_IN_SCRIPT.sub(json_escape, json.dumps(objects, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    return f'<script type="application/ld+json">{text}</script>'
