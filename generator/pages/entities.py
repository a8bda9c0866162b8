"""Entity pages: one thesis, its evidence dossier, one source, asset, person or tag.

Input: the publication (sealed graph + proofs + stances) and the page's own `Here`.
Output: the page's view model. Sorting and every link are decided here, never in templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup

from .. import cards, pictures, proof
from ..feeds import feed_paths
from ..graph import Citation
from ..jsonld import json_ld_script, thesis_json_ld
from ..models import Source, Thesis
from ..pipeline import Publication
from ..stance import COUNTED_STATUSES
from . import urls
from .paging import make_pager, page_count, page_slice
from .urls import DEFAULT_ADDRESS, Here, Link, SiteAddress
from .views import (
    AssetPage, AssetPositionRow, ChangeRow, CitationRow, CitingThesis, ClaimBlock, EvidencePage, FeedLinks, ExternalLink, InsightGroupView,
    MentionView, MomentView, Nav, PersonPage, PointView, PositionRow, QuotedPlace, QuoteGroup, QuoteView, ReviewView, ShareMeta, SourcePage,
    SourceRow, StanceView, SupportView, TableView, TagPage, ThesisHistory, ThesisPage, ThesisRow,
)

STATUS_ORDER = {"active": 0, "monitoring": 1, "draft": 2, "closed": 3}
DIRECTION_ORDER = {"long": 0, "short": 1, "neutral": 2, "watch": 3}
STRENGTH_ORDER = {"strong": 0, "moderate": 1, "weak": 2, "unsupported": 3}
HORIZON_ORDER = {"short-term": 0, "medium-term": 1, "long-term": 2}
GRADE_ORDER = {"verified": 0, "fragmentary": 1, "weak": 2, "none": 3}
CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


def make_nav(here: Here) -> Nav:
    return Nav(
        home=here.link(urls.HOME, "Home"), theses=here.link(urls.THESES, "Theses"),
        claims=here.link(urls.CLAIMS, "Claims"), assets=here.link(urls.ASSETS, "Stance board"),
        sources=here.link(urls.SOURCES, "Sources"), people=here.link(urls.PEOPLE, "People"),
        tags=here.link(urls.TAGS, "Tags"), method=here.link(urls.METHOD, "Method"),
    )


# ----------------------------------------------------------------------- shared rows


def thesis_row(here: Here, publication: Publication, thesis_id: str, history: Mapping[str, ThesisHistory],
               shown_date: Callable[[ThesisHistory], dt.date] | None = None) -> ThesisRow:
    """One thesis in a table; `shown_date` picks the date of its history the table shows, if any."""
    thesis = publication.graph.theses[thesis_id]
    proof = publication.proofs[thesis_id]
    return ThesisRow(
        link=here.link(urls.thesis_page(thesis_id), thesis.title), summary=thesis.summary,
        status=thesis.status, style=thesis.style, horizon=thesis.horizon, actionability=thesis.actionability,
        strength=proof.strength, claims=proof.claim_count, directional=proof.directional_assets,
        date=shown_date(history[thesis_id]).isoformat() if shown_date else "",
        status_rank=STATUS_ORDER[thesis.status], horizon_rank=HORIZON_ORDER[thesis.horizon],
        strength_rank=STRENGTH_ORDER[proof.strength],
    )


def order_theses(publication: Publication, thesis_ids) -> tuple[str, ...]:
    """Active first, then monitoring, draft, closed; by title within a status."""
    theses = publication.graph.theses
    return tuple(sorted(set(thesis_ids), key=lambda t: (STATUS_ORDER[theses[t].status], theses[t].title.casefold(), t)))


def order_sources(publication: Publication, source_ids) -> tuple[str, ...]:
    """Newest first, then by title."""
    sources = publication.graph.sources
    return tuple(sorted(set(source_ids), key=lambda s: (-sources[s].published.toordinal(), sources[s].title.casefold(), s)))


def thesis_rows(here: Here, publication: Publication, thesis_ids, history) -> tuple[ThesisRow, ...]:
    return tuple(thesis_row(here, publication, t, history) for t in order_theses(publication, thesis_ids))


def source_row(here: Here, publication: Publication, source_id: str) -> SourceRow:
    source = publication.graph.sources[source_id]
    return SourceRow(
        link=here.link(urls.source_page(source_id), source.title), kind=source.kind, publisher=source.publisher,
        published=source.published.isoformat(), coverage=source.coverage,
        citations=len(publication.graph.citations_by_source.get(source_id, ())),
    )


def source_rows(here: Here, publication: Publication, source_ids) -> tuple[SourceRow, ...]:
    return tuple(source_row(here, publication, s) for s in order_sources(publication, source_ids))


SHORT_CLAIM_CHARACTERS = 60
"""A claim named inside a table cell is cut at a word boundary near this length."""


def short_claim(text: str) -> str:
    """A claim's opening words, for a table cell that links to the full claim."""
    if len(text) <= SHORT_CLAIM_CHARACTERS:
        return text
    cut = text[:SHORT_CLAIM_CHARACTERS].rsplit(" ", 1)[0].rstrip(",;:.—- ")
    return cut + "…"


def locator_label(source: Source, at: str) -> str:
    kind, _, rest = at.partition("/")
    if kind == "insight":
        title = next(p.title for g in source.insights for p in g.points if p.id == rest)
        return f"Insight: {title}"
    if kind == "moment":
        return f"At {urls.timestamp_label(rest)}"
    if kind == "table":
        title = next(t.title for t in source.tables if t.id == rest)
        return f"Table: {title}"
    return {"tldr": "TL;DR", "bottom-line": "Bottom line", "body": "Notes"}[at]


SHORT_TITLE_LENGTH = 70


def short_source_title(title: str) -> str:
    """The part of a source title a quote's attribution needs: the last ' | ' segment of a
    'Series | Term | Episode' title, cut at a word near 70 characters; the page link has the rest."""
    label = title.rsplit(" | ", 1)[-1].strip() if " | " in title else title
    if len(label) <= SHORT_TITLE_LENGTH:
        return label
    cut = label.rfind(" ", 0, SHORT_TITLE_LENGTH)
    return label[: cut if cut > 0 else SHORT_TITLE_LENGTH].rstrip(" ,;:") + "…"


def quote_view(here: Here, publication: Publication, citation: Citation) -> QuoteView:
    source = publication.graph.sources[citation.source_id]
    at = citation.evidence.at
    timed = None
    if at.startswith("moment/") and source.url:
        stamp = at.partition("/")[2]
        timed = ExternalLink(f"Watch at {urls.timestamp_label(stamp)}", urls.at_time(source.url, stamp))
    label = locator_label(source, at)
    return QuoteView(
        quote=citation.evidence.quote, verified=citation.verified,
        source=here.link(urls.source_page(source.id), short_source_title(source.title)),
        locator_label=label, locator=here.link(urls.source_page(source.id), label, urls.locator_anchor(at)),
        at_time=timed,
    )


_GRADE_RANK = {"verified": 3, "fragmentary": 2, "weak": 1, "none": 0}


def strongest_citation(citations, publication: Publication) -> Citation | None:
    """The quote a thesis page shows for a claim: the best evidence grade (`proof.grade_citation`:
    a verbatim quote from a transcript or summary first), then a verified quote over a
    paraphrase, then the one cited first. The evidence page shows them all."""
    sources = publication.graph.sources
    return min(citations, default=None, key=lambda c: (
        -_GRADE_RANK[proof.grade_citation(c, sources[c.source_id])], not c.verified, c.index))


def _more_quotes_text(count: int) -> str:
    return f"{count} more quote{'s' * (count != 1)} on the evidence page"


def claim_blocks(here: Here, publication: Publication, thesis: Thesis, history: ThesisHistory) -> tuple[ClaimBlock, ...]:
    graph, thesis_proof = publication.graph, publication.proofs[thesis.id]
    blocks = []
    for claim in thesis.claims:
        dates = history.claims.get(claim.id)
        citations = sorted(graph.citations_by_claim.get((thesis.id, claim.id), ()), key=lambda c: c.index)
        supports = sorted(graph.positions_by_claim.get((thesis.id, claim.id), ()),
                          key=lambda ref: (DIRECTION_ORDER[ref.position.direction], ref.position.asset))
        views = {c.index: quote_view(here, publication, c) for c in citations}
        strongest = strongest_citation(citations, publication)
        groups: dict[str, list[QuoteView]] = {}
        for c in citations:
            groups.setdefault(c.source_id, []).append(views[c.index])
        more = len(citations) - 1
        blocks.append(ClaimBlock(
            anchor=claim.id, text=claim.text, confidence=claim.confidence, grade=thesis_proof.claim_grades[claim.id],
            evidence_link=here.link(urls.evidence_page(thesis.id), "Evidence", claim.id),
            quotes=tuple(views.values()),
            supports=tuple(SupportView(here.link(urls.asset_page(ref.position.asset), ref.position.asset),
                                       ref.position.direction) for ref in supports),
            first_published=(dates.first_published if dates else history.first_published).isoformat(),
            last_changed=(dates.last_changed if dates else history.last_changed).isoformat(),
            strongest=views[strongest.index] if strongest else None,
            more_link=here.link(urls.evidence_page(thesis.id), _more_quotes_text(more), claim.id) if more > 0 else None,
            by_source=tuple(QuoteGroup(here.link(urls.source_page(source_id), graph.sources[source_id].title), tuple(quotes))
                            for source_id, quotes in groups.items()),
        ))
    return tuple(blocks)


def people_links(here: Here, publication: Publication, person_ids) -> tuple[Link, ...]:
    people = publication.graph.people
    return tuple(here.link(urls.person_page(p), people[p].name) for p in person_ids if p in people)


def tag_links(here: Here, tags) -> tuple[Link, ...]:
    return tuple(here.link(urls.tag_page(tag), tag) for tag in sorted(set(tags)))


# ----------------------------------------------------------------------- pages


def feed_links(here: Here, kind: str, identifier: str, address: SiteAddress) -> FeedLinks:
    rss, atom = feed_paths(kind, identifier)
    return FeedLinks(address.feed_link(here.path, rss), address.feed_link(here.path, atom))


def thesis_json_ld_block(publication: Publication, thesis: Thesis, address: SiteAddress) -> Markup:
    objects = thesis_json_ld(thesis, publication.graph, address.pages, urls.site_path, urls.locator_anchor)
    return Markup(json_ld_script(objects))

def make_card(publication: Publication, thesis_id: str, site_url: str) -> cards.Card:
    """What a thesis's share card shows: title, one badge per position (long first), the proof line."""
    thesis, proof = publication.graph.theses[thesis_id], publication.proofs[thesis_id]
    positions = sorted(thesis.assets, key=lambda p: (DIRECTION_ORDER[p.direction], p.asset))
    return cards.Card(
        title=thesis.title, fallback_title=thesis.id,
        badges=tuple(cards.Badge(p.direction, p.asset) for p in positions),
        proof_line=proof.line, strength=proof.strength, footer=urlsplit(site_url).hostname or "",
    )


def share_meta(publication: Publication, thesis_id: str, dates: ThesisHistory) -> ShareMeta:
    """Link preview data of a thesis's pages: the dates they show, and its card (described for readers who cannot see it)."""
    thesis, proof = publication.graph.theses[thesis_id], publication.proofs[thesis_id]
    return ShareMeta(
        published=dates.first_published.isoformat(), modified=dates.last_changed.isoformat(),
        image=urls.card_image(thesis_id), image_alt=f"{thesis.title}. {proof.line}",
        image_width=cards.WIDTH, image_height=cards.HEIGHT,
    )


def make_thesis_page(publication: Publication, thesis_id: str, history, disclaimer: str,
                     address: SiteAddress = DEFAULT_ADDRESS) -> ThesisPage:
    here = Here(urls.thesis_page(thesis_id))
    graph, proof = publication.graph, publication.proofs[thesis_id]
    thesis = graph.theses[thesis_id]
    positions = tuple(
        PositionRow(
            asset=here.link(urls.asset_page(p.asset), p.asset),
            asset_name=graph.assets[p.asset].name if p.asset in graph.assets else p.asset,
            direction=p.direction, role=p.role, rationale=p.rationale,
            because=tuple(here.link(here.path, short_claim(graph.claim(thesis_id, claim_id).text), claim_id)
                          for claim_id in p.because),
        )
        for p in thesis.assets
    )
    dates = history[thesis_id]
    claims = claim_blocks(here, publication, thesis, dates)
    review = None
    if thesis.review:
        by = thesis.review.by
        review = ReviewView(
            status=thesis.review.status,
            by=here.link(urls.person_page(by), graph.people[by].name) if by and by in graph.people else None,
            on=thesis.review.on.isoformat() if thesis.review.on else "",
        )
    return ThesisPage(
        nav=make_nav(here), id=thesis.id, title=thesis.title, summary=thesis.summary, status=thesis.status,
        style=thesis.style, horizon=thesis.horizon, actionability=thesis.actionability,
        opened=thesis.opened.isoformat(), first_published=dates.first_published.isoformat(),
        last_changed=dates.last_changed.isoformat(), authors=people_links(here, publication, thesis.authors),
        tags=tag_links(here, thesis.tags), proof_line=proof.line, strength=proof.strength,
        evidence_link=here.link(urls.evidence_page(thesis_id), "Open the evidence dossier"),
        positions=positions, positions_intro=thesis.assets_intro, claims=claims, risks=tuple(thesis.risks), guidance=thesis.guidance, review=review,
        body=thesis.body, traceability=pictures.traceability_graph(positions, claims), disclaimer=disclaimer,
        changes=tuple(ChangeRow(e.date.isoformat(), e.commit, e.author, e.summary) for e in dates.entries),
        feed=feed_links(here, "theses", thesis_id, address),
        jsonld=thesis_json_ld_block(publication, thesis, address), share=share_meta(publication, thesis_id, dates),
    )


def make_evidence_page(publication: Publication, thesis_id: str, history, disclaimer: str,
                       address: SiteAddress = DEFAULT_ADDRESS) -> EvidencePage:
    here = Here(urls.evidence_page(thesis_id))
    thesis, proof = publication.graph.theses[thesis_id], publication.proofs[thesis_id]
    return EvidencePage(
        nav=make_nav(here), id=thesis_id, title=thesis.title, thesis=here.link(urls.thesis_page(thesis_id), thesis.title),
        proof_line=proof.line, strength=proof.strength, claims=claim_blocks(here, publication, thesis, history[thesis_id]),
        disclaimer=disclaimer, jsonld=thesis_json_ld_block(publication, thesis, address),
        share=share_meta(publication, thesis_id, history[thesis_id]),
    )


def _metrics_text(source: Source) -> str | None:
    if source.metrics is None:
        return None
    counts = []
    if source.metrics.views is not None:
        counts.append(f"{source.metrics.views:,} views")
    if source.metrics.likes is not None:
        counts.append(f"{source.metrics.likes:,} likes")
    return f"{', '.join(counts) or 'no counts'} as of {source.metrics.as_of.isoformat()}"


def make_source_page(publication: Publication, source_id: str) -> SourcePage:
    here = Here(urls.source_page(source_id))
    graph = publication.graph
    source = graph.sources[source_id]
    citations = sorted(
        graph.citations_by_source.get(source_id, ()),
        key=lambda c: (graph.theses[c.thesis_id].title.casefold(), c.thesis_id,
                       graph.claim_order[(c.thesis_id, c.claim_id)], c.index),
    )
    places: dict[str, dict[str, list[QuotedPlace]]] = {}  # thesis → claim → places, in citation order
    for c in citations:
        places.setdefault(c.thesis_id, {}).setdefault(c.claim_id, []).append(QuotedPlace(
            here.link(here.path, locator_label(source, c.evidence.at), urls.locator_anchor(c.evidence.at)), c.verified))
    cited_by = tuple(
        CitingThesis(
            here.link(urls.thesis_page(thesis_id), graph.theses[thesis_id].title),
            tuple(CitationRow(here.link(urls.evidence_page(thesis_id), graph.claim(thesis_id, claim_id).text, claim_id),
                              tuple(quoted))
                  for claim_id, quoted in claims.items()),
        )
        for thesis_id, claims in places.items()
    )
    moments = tuple(
        MomentView(
            anchor=urls.moment_anchor(m.at), label=urls.timestamp_label(m.at), text=m.text,
            at_time=ExternalLink(f"Watch at {urls.timestamp_label(m.at)}", urls.at_time(source.url, m.at)) if source.url else None,
        )
        for m in sorted(source.moments, key=lambda m: urls.timestamp_seconds(m.at))
    )
    return SourcePage(
        nav=make_nav(here), id=source.id, title=source.title, kind=source.kind, publisher=source.publisher,
        series=source.series, published=source.published.isoformat(),
        url=ExternalLink(source.url, source.url) if source.url else None,
        duration=urls.timestamp_label(source.duration) if source.duration else None,
        metrics=_metrics_text(source), coverage=source.coverage,
        speakers=people_links(here, publication, source.speakers), tags=tag_links(here, source.tags),
        tldr=source.tldr,
        insights=tuple(InsightGroupView(g.title, tuple(PointView(p.id, p.title, p.text) for p in g.points))
                       for g in source.insights),
        moments=moments,
        tables=tuple(TableView(urls.table_anchor(t.id), t.title, tuple(t.columns), tuple(tuple(r) for r in t.rows))
                     for t in source.tables),
        mentions=tuple(MentionView(m.name, m.category, m.note) for m in source.mentions),
        bottom_line=source.bottom_line, body=source.body, cited_by=cited_by,
    )


def stance_view(publication: Publication, asset_id: str) -> StanceView:
    stance = publication.stances[asset_id]
    return StanceView(stance.net, stance.net.replace(" ", "-"), stance.long, stance.short, stance.neutral, stance.watch)


def make_asset_page(publication: Publication, asset_id: str, disclaimer: str,
                    address: SiteAddress = DEFAULT_ADDRESS) -> AssetPage:
    here = Here(urls.asset_page(asset_id))
    graph = publication.graph
    asset = graph.assets[asset_id]
    refs = sorted(
        graph.positions_by_asset.get(asset_id, ()),
        key=lambda r: (STATUS_ORDER[graph.theses[r.thesis_id].status], DIRECTION_ORDER[r.position.direction],
                       graph.theses[r.thesis_id].title.casefold(), r.thesis_id),
    )
    positions = tuple(
        AssetPositionRow(
            thesis=here.link(urls.thesis_page(r.thesis_id), graph.theses[r.thesis_id].title),
            status=graph.theses[r.thesis_id].status,
            counted=graph.theses[r.thesis_id].status in COUNTED_STATUSES,
            direction=r.position.direction, role=r.position.role, rationale=r.position.rationale,
            claims=tuple(here.link(urls.evidence_page(r.thesis_id), graph.claim(r.thesis_id, c).text, c)
                         for c in r.position.because),
        )
        for r in refs
    )
    return AssetPage(
        nav=make_nav(here), id=asset.id, name=asset.name, kind=asset.kind, exchange=asset.exchange,
        sector=asset.sector, description=asset.description, stance=stance_view(publication, asset_id),
        positions=positions, disclaimer=disclaimer, feed=feed_links(here, "assets", asset_id, address),
    )


def make_person_page(publication: Publication, person_id: str, history) -> PersonPage:
    here = Here(urls.person_page(person_id))
    graph = publication.graph
    person = graph.people[person_id]
    return PersonPage(
        nav=make_nav(here), id=person.id, name=person.name,
        byline=", ".join(part for part in (person.role, person.affiliation) if part),
        handle=person.handle, links=tuple(ExternalLink(url, url) for url in person.links),
        spoken=source_rows(here, publication, graph.sources_by_speaker.get(person_id, ())),
        written=thesis_rows(here, publication, graph.theses_by_author.get(person_id, ()), history),
        reviewed=thesis_rows(here, publication, graph.reviews_by_person.get(person_id, ()), history),
    )


def tag_page_count(publication: Publication, tag: str) -> int:
    graph = publication.graph
    return max(page_count(len(set(graph.theses_by_tag.get(tag, ())))),
               page_count(len(set(graph.sources_by_tag.get(tag, ())))))


def make_tag_page(publication: Publication, tag: str, history, number: int = 1) -> TagPage:
    first = urls.tag_page(tag)
    here = Here(urls.paged(first, number))
    graph = publication.graph
    theses = order_theses(publication, graph.theses_by_tag.get(tag, ()))
    sources = order_sources(publication, graph.sources_by_tag.get(tag, ()))
    return TagPage(
        nav=make_nav(here), pager=make_pager(first, number, max(len(theses), len(sources))), tag=tag,
        theses=tuple(thesis_row(here, publication, t, history) for t in page_slice(theses, number)),
        sources=tuple(source_row(here, publication, s) for s in page_slice(sources, number)),
    )
