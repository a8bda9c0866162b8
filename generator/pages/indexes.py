"""Index pages and home: theses, sources, the stance board, claims, people, tags, method.

Input: the publication, the build's `PageContext`, and for long listings a `ListingPage` (the
ordered items, a page number and the page's slice, split by size in `paging`). Output: view
models; orders are decided here (`order_*`), once per build, and shared by the pages of a listing
(`kinds`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import get_args

from markupsafe import Markup


from .. import pictures, proof
from ..publication import Publication
from ..models import DIRECTIONAL, DIRECTIONS, rank
from ..history import ThesisHistory
from ..stance import NetStance
from .. import calls, freshness, track_record
from ..calls import COUNTED_STATUSES, counts_toward_stance, opened_on
from . import urls
from .context import PageContext
from .entities import (
    CONFIDENCE_RANK, DIRECTION_RANK, GRADE_FIRST, STRENGTH_FIRST, make_nav, order_theses, source_row, stance_view, thesis_row,
)
from .paging import ListingPage, make_pager
from .urls import Here
from .views import (
    ClaimRow, ClaimsIndex, HomeLead, HomePage, LeadPosition, MethodPage, PeopleIndex, PersonRow, SourcesIndex, StanceBoard, StanceRow,
    SupportView, TagRow, TagsIndex, ThesesIndex,
)

HOME_LIST_LENGTH = 8
NET_RANK = rank(get_args(NetStance))
"""Sort key of the stance board's net stance column (`StanceView.net_key`)."""
CHART_MAX_ASSETS = 40
"""The stance chart shows the assets with the most counted positions; the table lists all."""


# ----------------------------------------------------------------------- orders


def order_claims(publication: Publication) -> tuple[tuple[str, str], ...]:
    theses = sorted(publication.graph.theses.values(), key=lambda t: (t.title.casefold(), t.id))
    return tuple((thesis.id, claim.id) for thesis in theses for claim in thesis.claims)


def order_assets(publication: Publication) -> tuple[str, ...]:
    """Most net long first, then most positions, then ticker."""
    stances = publication.stances
    return tuple(sorted(publication.graph.assets, key=lambda a: (
        -(stances[a].long - stances[a].short), -stances[a].total, a)))


def order_people(publication: Publication) -> tuple[str, ...]:
    people = publication.graph.people
    return tuple(sorted(people, key=lambda p: (people[p].name.casefold(), p)))


# ----------------------------------------------------------------------- pages


def _last_change(dates: ThesisHistory) -> tuple[int, str]:
    """When a thesis last changed, as finely as its history knows: the commit (time, id), or its day."""
    if dates.entries:
        latest = max(dates.entries, key=lambda e: e.timestamp)
        return latest.timestamp, latest.commit
    return int(dt.datetime.combine(dates.last_changed, dt.time(), dt.UTC).timestamp()), ""


def history_is_flat(history: Mapping[str, ThesisHistory], thesis_ids: Iterable[str]) -> bool:
    """Every one of these theses last changed in the same commit (or on the same day, without
    git): "newest" and "recently changed" then say nothing."""
    return len({_last_change(history[t]) for t in thesis_ids}) <= 1


def choose_lead(publication: Publication, history: Mapping[str, ThesisHistory]) -> tuple[str, str] | None:
    """(thesis id, why) of the thesis the home page opens with. A lead should be investable, so
    it is chosen among the active theses (all of them when none is active): the most recently
    changed one (ties by title); when they all last changed in the same commit, the strongest
    (source proof, then most claims, then title)."""
    theses = publication.graph.theses
    if not theses:
        return None
    candidates = [t for t in theses if theses[t].status == "active"] or list(theses)
    kind = "active thesis" if theses[candidates[0]].status == "active" else "thesis"
    if not history_is_flat(history, candidates):
        latest = max(_last_change(history[t]) for t in candidates)
        chosen = min((t for t in candidates if _last_change(history[t]) == latest),
                     key=lambda t: (theses[t].title.casefold(), t))
        return chosen, f"Most recently changed {kind}, on {history[chosen].last_changed.isoformat()}"
    proofs = publication.proofs
    chosen = min(candidates, key=lambda t: (STRENGTH_FIRST[proofs[t].strength], -proofs[t].claim_count,
                                            theses[t].title.casefold(), t))
    return chosen, f"Strongest {kind}"


def make_lead(here: Here, publication: Publication, thesis_id: str, reason: str) -> HomeLead:
    graph = publication.graph
    thesis, thesis_proof = graph.theses[thesis_id], publication.proofs[thesis_id]
    positions = sorted(thesis.assets, key=lambda p: (DIRECTION_RANK[p.direction], p.asset))
    return HomeLead(
        reason=reason, link=here.link(urls.thesis_page(thesis_id), thesis.title), summary=thesis.summary,
        proof_line=thesis_proof.line, strength=thesis_proof.strength, positions_intro=thesis.assets_intro,
        positions=tuple(LeadPosition(here.link(urls.asset_page(p.asset), p.asset), p.direction, p.rationale)
                        for p in positions),
        evidence=here.link(urls.evidence_page(thesis_id), "the evidence behind it"),
    )


def make_home(publication: Publication, context: PageContext) -> HomePage:
    """The home page: a lead thesis, then the newest and the recently changed theses (one table,
    "Theses", when history is flat). Which thesis leads is decided here (`choose_lead`)."""
    here = Here(urls.HOME)
    graph, history = publication.graph, context.dates
    ids = list(graph.theses)
    lead = choose_lead(publication, history)
    flat = history_is_flat(history, ids)
    if flat:
        newest = list(order_theses(publication, ids))
    else:
        newest = sorted(ids, key=lambda t: (-history[t].first_published.toordinal(), graph.theses[t].title.casefold(), t))
    changed = sorted(ids, key=lambda t: (-_last_change(history[t])[0], graph.theses[t].title.casefold(), t))
    return HomePage(
        nav=make_nav(here), theses=len(graph.theses),
        claims=sum(len(t.claims) for t in graph.theses.values()), sources=len(graph.sources),
        assets=len(graph.assets),
        lead=make_lead(here, publication, *lead) if lead else None,
        newest=tuple(thesis_row(here, publication, t, history, lambda dates: dates.first_published)
                     for t in newest[:HOME_LIST_LENGTH]),
        recently_changed=() if flat else tuple(
            thesis_row(here, publication, t, history, lambda dates: dates.last_changed) for t in changed[:HOME_LIST_LENGTH]),
        disclaimer=context.disclaimer,
    )


def make_theses_index(publication: Publication, context: PageContext, page: ListingPage[str]) -> ThesesIndex:
    here = Here(urls.paged(urls.THESES, page.number))
    rows = tuple(thesis_row(here, publication, t, context.dates) for t in page.rows)
    return ThesesIndex(make_nav(here), make_pager(urls.THESES, page), rows)


def make_sources_index(publication: Publication, context: PageContext, page: ListingPage[str]) -> SourcesIndex:
    here = Here(urls.paged(urls.SOURCES, page.number))
    rows = tuple(source_row(here, publication, s) for s in page.rows)
    return SourcesIndex(make_nav(here), make_pager(urls.SOURCES, page), rows)


def stance_chart(publication: Publication, order: Sequence[str]) -> tuple[Markup, str]:
    """The stance board's first page's chart (SVG) and the note under it."""
    graph = publication.graph
    here = Here(urls.ASSETS)
    held = [a for a in order if publication.stances[a].total]
    charted = set(sorted(held, key=lambda a: (-publication.stances[a].total, a))[:CHART_MAX_ASSETS])
    chart = pictures.stance_chart(tuple(
        pictures.ChartedAsset(a, graph.assets[a].name, here.link(urls.asset_page(a), a).url, publication.stances[a])
        for a in order if a in charted))
    note = ""
    if len(charted) < len(held):
        note = (f"The chart shows the {len(charted)} assets with the most counted positions; "
                "the table lists every asset.")
    return chart, note


def stance_chart_bytes(publication: Publication) -> int:
    """What the chart and its note take of the stance board's first page: measured, twice, as room
    for their markup (the chart is raw SVG, passed on as written; the note a paragraph)."""
    return 2 * sum(len(str(text).encode("utf-8")) for text in stance_chart(publication, order_assets(publication)))


def make_stance_board(publication: Publication, context: PageContext, page: ListingPage[str]) -> StanceBoard:
    order, number = page.order, page.number
    here = Here(urls.paged(urls.ASSETS, number))
    graph = publication.graph

    def row(asset_id: str) -> StanceRow:
        refs = graph.positions_by_asset.get(asset_id, ())
        theses = len({r.thesis_id for r in refs})
        calls = [opened_on(graph.theses[r.thesis_id], r.position) for r in refs
                 if counts_toward_stance(graph.theses[r.thesis_id], r.position)]
        stance = stance_view(publication, asset_id)
        return StanceRow(here.link(urls.asset_page(asset_id), asset_id), graph.assets[asset_id].name,
                         graph.assets[asset_id].sector, stance, theses,
                         max(calls).isoformat() if calls else "", NET_RANK[stance.net])

    chart, note = stance_chart(publication, order) if number == 1 else (pictures.stance_chart(()), "")
    return StanceBoard(
        nav=make_nav(here), pager=make_pager(urls.ASSETS, page),
        rows=tuple(row(a) for a in page.rows), chart=chart, chart_note=note,
        counted_statuses=" and ".join(COUNTED_STATUSES), disclaimer=context.disclaimer,
    )


def make_claims_index(publication: Publication, context: PageContext, page: ListingPage[tuple[str, str]]) -> ClaimsIndex:
    here = Here(urls.paged(urls.CLAIMS, page.number))
    graph = publication.graph
    rows = []
    for thesis_id, claim_id in page.rows:
        thesis = graph.theses[thesis_id]
        claim = graph.claim(thesis_id, claim_id)
        supports = sorted(graph.positions_by_claim.get((thesis_id, claim_id), ()),
                          key=lambda r: (DIRECTION_RANK[r.position.direction], r.position.asset))
        rows.append(ClaimRow(
            claim=here.link(urls.evidence_page(thesis_id), claim.text, claim_id),
            thesis=here.link(urls.thesis_page(thesis_id), thesis.title),
            confidence=claim.confidence, grade=publication.proofs[thesis_id].claim_grades[claim_id],
            quotes=len(graph.citations_by_claim.get((thesis_id, claim_id), ())),
            supports=tuple(SupportView(here.link(urls.asset_page(r.position.asset), r.position.asset),
                                       r.position.direction) for r in supports),
            grade_rank=GRADE_FIRST[publication.proofs[thesis_id].claim_grades[claim_id]],
            confidence_rank=CONFIDENCE_RANK[claim.confidence],
            directions=" ".join(sorted({r.position.direction for r in supports}, key=DIRECTION_RANK.__getitem__)),
        ))
    return ClaimsIndex(make_nav(here), make_pager(urls.CLAIMS, page), tuple(rows))


def make_people_index(publication: Publication, context: PageContext, page: ListingPage[str]) -> PeopleIndex:
    here = Here(urls.paged(urls.PEOPLE, page.number))
    graph = publication.graph
    rows = tuple(
        PersonRow(here.link(urls.person_page(p), graph.people[p].name), graph.people[p].affiliation,
                  graph.people[p].role, len(graph.sources_by_speaker.get(p, ())),
                  len(set(graph.theses_by_author.get(p, ())) | set(graph.reviews_by_person.get(p, ()))))
        for p in page.rows
    )
    return PeopleIndex(make_nav(here), make_pager(urls.PEOPLE, page), rows)


def make_tags_index(publication: Publication, context: PageContext, page: ListingPage[str]) -> TagsIndex:
    here = Here(urls.paged(urls.TAGS, page.number))
    graph = publication.graph
    rows = tuple(
        TagRow(here.link(urls.tag_page(tag), tag), len(graph.theses_by_tag.get(tag, ())),
               len(graph.sources_by_tag.get(tag, ())))
        for tag in page.rows
    )
    return TagsIndex(make_nav(here), make_pager(urls.TAGS, page), rows)


def _rule_of(module: ModuleType) -> str:
    """A rule as its module's docstring states it: from the first list item on (the docstring is the rule)."""
    text = (module.__doc__ or "").strip()
    start = text.find("\n- ")
    return text[start + 1:].strip() if start >= 0 else text


def make_method_page(stale_after_days: int = freshness.DEFAULT_STALE_AFTER_DAYS) -> MethodPage:
    here = Here(urls.METHOD)
    return MethodPage(make_nav(here), proof.RULE, " and ".join(COUNTED_STATUSES), DIRECTIONAL, DIRECTIONS, _rule_of(calls),
                      _rule_of(track_record), _rule_of(freshness), stale_after_days)
