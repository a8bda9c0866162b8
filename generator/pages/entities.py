"""Entity pages: one thesis, its evidence dossier, one source, asset, person or tag.

Input: the publication (sealed graph + proofs + stances), the build's `PageContext` and the
page's id. Output: the page's view model. Sorting and every link are decided here, never in templates.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup

from .. import cards, pictures, proof
from ..graph import Citation
from ..history import ThesisHistory
from ..jsonld import json_ld_script, thesis_json_ld
from ..models import CONFIDENCES, COUNTED_STATUSES, DIRECTIONS, HORIZONS, STATUS_ORDER, Source, Thesis, rank
from ..publication import Publication
from ..timestamps import timestamp_seconds
from ..calls import call_dates, counts_toward_stance, is_closed, reference_text
from ..freshness import stale_note
from ..track_record import closed_thesis
from . import urls
from .context import PageContext
from .paging import ListingPage, RowInputs, make_pager, measured_pages
from .urls import Here, Link, SiteAddress
from .views import (
    AssetPage, AssetPositionRow, ChangeRow, OutcomeView, CitationRow, CitingThesis, ClaimBlock, EvidencePage, FeedLinks, ExternalLink, InsightGroupView,
    MentionView, MomentView, Nav, PersonPage, PointView, PositionRow, QuotedPlace, QuoteGroup, QuoteView, ReviewView, ShareMeta, SourcePage,
    SourceRow, StanceView, SupportView, TableView, TagPage, ThesisPage, ThesisRow,
)

STATUS_RANK = rank(STATUS_ORDER)
DIRECTION_RANK = rank(DIRECTIONS)
HORIZON_RANK = rank(HORIZONS)
CONFIDENCE_RANK = rank(CONFIDENCES)
STRENGTH_FIRST = rank(proof.STRENGTHS)
"""Sort keys, 0 first: the orders are the models' and the proof rule's (strongest first, best grade first)."""
GRADE_FIRST = rank(proof.GRADES)


def make_nav(here: Here) -> Nav:
    return Nav(
        home=here.link(urls.HOME, "Home"), theses=here.link(urls.THESES, "Theses"),
        claims=here.link(urls.CLAIMS, "Claims"), assets=here.link(urls.ASSETS, "Stance board"),
        sources=here.link(urls.SOURCES, "Sources"), people=here.link(urls.PEOPLE, "People"),
        tags=here.link(urls.TAGS, "Tags"), method=here.link(urls.METHOD, "Method"),
        track_record=here.link(urls.TRACK_RECORD, "Track record"),
    )


# ----------------------------------------------------------------------- shared rows


THESIS_ROW_FIELDS = frozenset({"title", "summary", "status", "style", "horizon", "actionability", "claims", "assets"})
"""The fields of a thesis a row of it shows (`thesis_row`), besides its dates and staleness and
its proof (derived from its claims' sources): not its body, risks, guidance or review."""

THESIS_ROWS_SHOW = RowInputs(fields=(("thesis", THESIS_ROW_FIELDS),))
"""What a listing of thesis rows shows of its documents (the theses index, a tag's page; a tag's
source rows show the whole source)."""


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
        stale_note=stale_note(publication.stale[thesis_id]) if thesis_id in publication.stale else "",
        status_rank=STATUS_RANK[thesis.status], horizon_rank=HORIZON_RANK[thesis.horizon],
        strength_rank=STRENGTH_FIRST[proof.strength],
    )


def order_theses(publication: Publication, thesis_ids: Iterable[str]) -> tuple[str, ...]:
    """Active first, then monitoring, draft, closed; by title within a status."""
    theses = publication.graph.theses
    return tuple(sorted(set(thesis_ids), key=lambda t: (STATUS_RANK[theses[t].status], theses[t].title.casefold(), t)))


def order_sources(publication: Publication, source_ids: Iterable[str]) -> tuple[str, ...]:
    """Newest first, then by title."""
    sources = publication.graph.sources
    return tuple(sorted(set(source_ids), key=lambda s: (-sources[s].published.toordinal(), sources[s].title.casefold(), s)))


def thesis_rows(here: Here, publication: Publication, thesis_ids: Iterable[str],
                history: Mapping[str, ThesisHistory]) -> tuple[ThesisRow, ...]:
    return tuple(thesis_row(here, publication, t, history) for t in order_theses(publication, thesis_ids))


def source_row(here: Here, publication: Publication, source_id: str) -> SourceRow:
    source = publication.graph.sources[source_id]
    return SourceRow(
        link=here.link(urls.source_page(source_id), source.title), kind=source.kind, publisher=source.publisher,
        published=source.published.isoformat(), coverage=source.coverage,
        citations=len(publication.graph.citations_by_source.get(source_id, ())),
    )


def source_rows(here: Here, publication: Publication, source_ids: Iterable[str]) -> tuple[SourceRow, ...]:
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




def strongest_citation(citations: Iterable[Citation], publication: Publication) -> Citation | None:
    """The quote a thesis page shows for a claim: the best evidence grade (`proof.grade_citation`:
    a verbatim quote from a transcript or summary first), then a verified quote over a
    paraphrase, then the one cited first. The evidence page shows them all."""
    sources = publication.graph.sources
    return min(citations, default=None, key=lambda c: (
        -proof.GRADE_RANK[proof.grade_citation(c, sources[c.source_id])], not c.verified, c.index))


def _more_quotes_text(count: int) -> str:
    return f"{count} more quote{'s' * (count != 1)} on the evidence page"


def claim_blocks(here: Here, publication: Publication, thesis: Thesis, history: ThesisHistory) -> tuple[ClaimBlock, ...]:
    graph, thesis_proof = publication.graph, publication.proofs[thesis.id]
    blocks = []
    for claim in thesis.claims:
        dates = history.claims.get(claim.id)
        citations = sorted(graph.citations_by_claim.get((thesis.id, claim.id), ()), key=lambda c: c.index)
        supports = sorted(graph.positions_by_claim.get((thesis.id, claim.id), ()),
                          key=lambda ref: (DIRECTION_RANK[ref.position.direction], ref.position.asset))
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


def traceability(here: Here, publication: Publication, thesis: Thesis) -> pictures.Traceability:
    """The thesis's traceability picture from the graph: positions, the claims each rests on, each
    claim's quoted evidence and the sources quoted, every node with the link it opens."""
    graph, proof = publication.graph, publication.proofs[thesis.id]
    nodes: list[pictures.TraceNode] = []
    edges: list[tuple[str, str]] = []
    for index, position in enumerate(thesis.assets):
        asset = graph.assets.get(position.asset)
        nodes.append(pictures.PositionNode(f"p{index}", position.asset, asset.name if asset else position.asset,
                                           position.direction, position.role, here.link(urls.asset_page(position.asset), "").url))
        edges.extend((f"p{index}", f"claim:{claim_id}") for claim_id in position.because)
    sources: set[str] = set()
    for claim in thesis.claims:
        claim_key = f"claim:{claim.id}"
        nodes.append(pictures.ClaimNode(claim_key, claim.text, proof.claim_grades[claim.id],
                                        here.link(urls.evidence_page(thesis.id), "", claim.id).url))
        for citation in sorted(graph.citations_by_claim.get((thesis.id, claim.id), ()), key=lambda c: c.index):
            source = graph.sources[citation.source_id]
            at = citation.evidence.at
            key = f"evidence:{claim.id}:{citation.index}"
            nodes.append(pictures.EvidenceNode(key, citation.evidence.quote, citation.verified, locator_label(source, at),
                                               here.link(urls.source_page(source.id), "", urls.locator_anchor(at)).url))
            edges.append((claim_key, key))
            if source.id not in sources:
                sources.add(source.id)
                nodes.append(pictures.SourceNode(f"source:{source.id}", short_source_title(source.title),
                                                 here.link(urls.source_page(source.id), "").url))
            edges.append((key, f"source:{source.id}"))
    return pictures.Traceability(tuple(nodes), tuple(edges))


def people_links(here: Here, publication: Publication, person_ids: Iterable[str]) -> tuple[Link, ...]:
    people = publication.graph.people
    return tuple(here.link(urls.person_page(p), people[p].name) for p in person_ids if p in people)


def tag_links(here: Here, tags: Iterable[str]) -> tuple[Link, ...]:
    return tuple(here.link(urls.tag_page(tag), tag) for tag in sorted(set(tags)))


# ----------------------------------------------------------------------- pages


def feed_links(here: Here, kind: str, identifier: str, address: SiteAddress) -> FeedLinks:
    rss, atom = urls.feed_paths(kind, identifier)
    return FeedLinks(address.feed_link(here.path, rss), address.feed_link(here.path, atom))


def thesis_json_ld_block(publication: Publication, thesis: Thesis, address: SiteAddress) -> Markup:
    objects = thesis_json_ld(thesis, publication.graph, address.pages, urls.site_path, urls.locator_anchor)
    return Markup(json_ld_script(objects))

def make_card(publication: Publication, thesis_id: str, site_url: str) -> cards.Card:
    """What a thesis's share card shows: title, one badge per open position (long first), the proof line."""
    thesis, proof = publication.graph.theses[thesis_id], publication.proofs[thesis_id]
    positions = sorted((p for p in thesis.assets if not is_closed(p)), key=lambda p: (DIRECTION_RANK[p.direction], p.asset))
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


def make_thesis_page(publication: Publication, context: PageContext, thesis_id: str) -> ThesisPage:
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
            since=call_dates(thesis, p), closed=is_closed(p), reference=reference_text(p),
        )
        for p in thesis.assets
    )
    dates, address = context.dates[thesis_id], context.address
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
        body=thesis.body, traceability=pictures.traceability_graph(traceability(here, publication, thesis)), disclaimer=context.disclaimer,
        changes=tuple(ChangeRow(e.date.isoformat(), e.commit, e.author, e.summary) for e in dates.entries),
        feed=feed_links(here, "theses", thesis_id, address),
        jsonld=thesis_json_ld_block(publication, thesis, address), share=share_meta(publication, thesis_id, dates),
        stale_note=stale_note(publication.stale[thesis_id]) if thesis_id in publication.stale else "",
        outcome=outcome_view(thesis),
    )


def outcome_view(thesis: Thesis) -> OutcomeView | None:
    if thesis.outcome is None:
        return None
    closed = closed_thesis(thesis)
    return OutcomeView(thesis.outcome.verdict, thesis.outcome.on.isoformat(), thesis.outcome.note, closed.days_open or 0)


def make_evidence_page(publication: Publication, context: PageContext, thesis_id: str) -> EvidencePage:
    here = Here(urls.evidence_page(thesis_id))
    thesis, proof = publication.graph.theses[thesis_id], publication.proofs[thesis_id]
    dates = context.dates[thesis_id]
    return EvidencePage(
        nav=make_nav(here), id=thesis_id, title=thesis.title, thesis=here.link(urls.thesis_page(thesis_id), thesis.title),
        proof_line=proof.line, strength=proof.strength, claims=claim_blocks(here, publication, thesis, dates),
        disclaimer=context.disclaimer, jsonld=thesis_json_ld_block(publication, thesis, context.address),
        share=share_meta(publication, thesis_id, dates),
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


def make_source_page(publication: Publication, context: PageContext, source_id: str) -> SourcePage:
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
        for m in sorted(source.moments, key=lambda m: timestamp_seconds(m.at))
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


def make_asset_page(publication: Publication, context: PageContext, asset_id: str) -> AssetPage:
    here = Here(urls.asset_page(asset_id))
    graph = publication.graph
    asset = graph.assets[asset_id]
    refs = sorted(
        graph.positions_by_asset.get(asset_id, ()),
        key=lambda r: (STATUS_RANK[graph.theses[r.thesis_id].status], DIRECTION_RANK[r.position.direction],
                       graph.theses[r.thesis_id].title.casefold(), r.thesis_id),
    )
    positions = tuple(
        AssetPositionRow(
            thesis=here.link(urls.thesis_page(r.thesis_id), graph.theses[r.thesis_id].title),
            status=graph.theses[r.thesis_id].status,
            counted=counts_toward_stance(graph.theses[r.thesis_id], r.position),
            direction=r.position.direction, role=r.position.role, rationale=r.position.rationale,
            claims=tuple(here.link(urls.evidence_page(r.thesis_id), graph.claim(r.thesis_id, c).text, c)
                         for c in r.position.because),
            since=call_dates(graph.theses[r.thesis_id], r.position),
        )
        for r in refs
    )
    return AssetPage(
        nav=make_nav(here), id=asset.id, name=asset.name, kind=asset.kind, exchange=asset.exchange,
        sector=asset.sector, description=asset.description, stance=stance_view(publication, asset_id),
        positions=positions, disclaimer=context.disclaimer, feed=feed_links(here, "assets", asset_id, context.address),
        counted_statuses=" and ".join(COUNTED_STATUSES),
    )


def make_person_page(publication: Publication, context: PageContext, person_id: str) -> PersonPage:
    here = Here(urls.person_page(person_id))
    graph, history = publication.graph, context.dates
    person = graph.people[person_id]
    return PersonPage(
        nav=make_nav(here), id=person.id, name=person.name,
        byline=", ".join(part for part in (person.role, person.affiliation) if part),
        handle=person.handle, links=tuple(ExternalLink(url, url) for url in person.links),
        spoken=source_rows(here, publication, graph.sources_by_speaker.get(person_id, ())),
        written=thesis_rows(here, publication, graph.theses_by_author.get(person_id, ()), history),
        reviewed=thesis_rows(here, publication, graph.reviews_by_person.get(person_id, ()), history),
    )


@dataclass(frozen=True)
class TagListingPage:
    """A page of one tag's listing: its theses, then its sources, as one listing split by size;
    each row is ("thesis", id) or ("source", id)."""

    tag: str
    listing: ListingPage[tuple[str, str]]


def _tag_rows(view: TagPage) -> tuple[object, ...]:
    return (*view.theses, *view.sources)


def tagged_in_order(publication: Publication) -> dict[str, tuple[tuple[str, str], ...]]:
    """Every tag's documents as its listing orders them: its theses (`order_theses`), then its
    sources (`order_sources`). Each kind is ordered once, for every tag: ordering each tag apart
    sorted a document again for each tag it carries."""
    graph = publication.graph
    thesis_rank = {t: rank for rank, t in enumerate(order_theses(publication, graph.theses))}
    source_rank = {s: rank for rank, s in enumerate(order_sources(publication, graph.sources))}
    return {tag: (*(("thesis", t) for t in sorted(set(graph.theses_by_tag.get(tag, ())), key=thesis_rank.__getitem__)),
                  *(("source", s) for s in sorted(set(graph.sources_by_tag.get(tag, ())), key=source_rank.__getitem__)))
            for tag in graph.tags}


def tag_documents(publication: Publication, tag: str) -> Iterator[tuple[str, str]]:
    """The documents that carry `tag`, in no order (what the tags index's row of it counts)."""
    graph = publication.graph
    yield from (("thesis", t) for t in graph.theses_by_tag.get(tag, ()))
    yield from (("source", s) for s in graph.sources_by_tag.get(tag, ()))


def tag_listing_pages(publication: Publication, context: PageContext) -> Iterator[TagListingPage]:
    """Every page of every tag, tag by tag."""
    for tag, order in tagged_in_order(publication).items():
        remembered = functools.partial(context.remembered_split, urls.tag_page(tag), THESIS_ROWS_SHOW) if context.remembered_split else None
        for page in measured_pages(order, "tag.md.j2", _tag_page_maker(publication, context, tag), _tag_rows,
                                   context.measure_rows, remembered=remembered, shows=_itself):
            yield TagListingPage(tag, page)


def _itself(node: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """A tag's row is about one document: the one it names."""
    return (node,)


def _tag_page_maker(publication: Publication, context: PageContext,
                    tag: str) -> Callable[[ListingPage[tuple[str, str]]], TagPage]:
    return lambda listing: make_tag_page(publication, context, TagListingPage(tag, listing))


def make_tag_page(publication: Publication, context: PageContext, page: TagListingPage) -> TagPage:
    tag, listing, history = page.tag, page.listing, context.dates
    first = urls.tag_page(tag)
    here = Here(urls.paged(first, listing.number))
    return TagPage(
        nav=make_nav(here), pager=make_pager(first, listing), tag=tag,
        theses=tuple(thesis_row(here, publication, i, history) for kind, i in listing.rows if kind == "thesis"),
        sources=tuple(source_row(here, publication, i) for kind, i in listing.rows if kind == "source"),
    )
