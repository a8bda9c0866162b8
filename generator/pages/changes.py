"""The "What changed in this edition" page: the edition's `ChangeReport` (from `compare`, the
engine that `review` uses; carried by `PageContext.edition`) turned into a view model. Outside a
published edition the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import ChangeReport, ThesisChange
from ..publication import Publication
from . import urls
from .context import PageContext
from .entities import make_nav
from .urls import CHANGES, Here, Link
from .views import Nav


@dataclass(frozen=True)
class WordRun:
    op: str  # "=", "-", "+"
    text: str


@dataclass(frozen=True)
class ClaimChangeView:
    claim_id: str
    change: str
    text: str
    wording: tuple[WordRun, ...]
    link: Link | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ThesisChangeView:
    link: Link | None
    title: str
    change: str
    summary: str
    proof: tuple[str, str] | None
    positions: tuple[str, ...]
    claims: tuple[ClaimChangeView, ...]


@dataclass(frozen=True)
class EditionChangesPage:
    nav: Nav
    version: str | None
    previous: str | None
    opened: tuple[Link, ...]
    closed: tuple[str, ...]
    flips: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]
    theses: tuple[ThesisChangeView, ...]
    entities: tuple[str, ...]


def _thesis_view(here: Here, publication: Publication, change: ThesisChange) -> ThesisChangeView:
    exists = change.thesis_id in publication.graph.theses
    link = here.link(urls.thesis_page(change.thesis_id), change.title) if exists else None
    claims = []
    for claim in change.claims:
        model = claim.after or claim.before
        assert model is not None
        claim_link = (here.link(urls.evidence_page(change.thesis_id), claim.claim_id, claim.claim_id)
                      if exists and claim.after else None)
        evidence = tuple(
            f"{e.change} evidence from {e.source}" + (f" ({', '.join(e.what)})" if e.what else "") for e in claim.evidence
        )
        claims.append(ClaimChangeView(claim.claim_id, claim.change, model.text,
                                      tuple(WordRun(op, text) for op, text in claim.wording.runs) if claim.wording else (),
                                      claim_link, evidence))
    positions = [f"{position.asset}: {position.describe()}" for position in change.positions]
    return ThesisChangeView(link, change.title, change.change, change.summary(), change.strength, tuple(positions),
                            tuple(claims))


def make_changes_page(publication: Publication, context: PageContext) -> EditionChangesPage:
    here = Here(CHANGES)
    nav = make_nav(here)
    version = context.edition.version if context.edition else None
    report: ChangeReport | None = context.edition.changes if context.edition else None
    if report is None:
        return EditionChangesPage(nav, version, None, (), (), (), (), (), ())
    opened = tuple(here.link(urls.thesis_page(t.thesis_id), t.title) for t in report.theses
                   if t.change == "added" and t.thesis_id in publication.graph.theses)
    closed = tuple(t.title for t in report.theses if t.change == "removed" or (t.status and t.status[1] == "closed"))
    flips = tuple(f"{p.asset} {p.describe()} ({t.title})" for t in report.theses for p in t.flipped)
    counted = {"claims added": 0, "claims reworded": 0, "claims removed": 0, "proof strength changes": 0}
    for thesis in report.theses:
        if thesis.change != "changed":
            continue
        for claim in thesis.claims:
            key = {"added": "claims added", "reworded": "claims reworded", "removed": "claims removed"}.get(claim.change)
            if key:
                counted[key] += 1
        counted["proof strength changes"] += bool(thesis.strength)
    entities = tuple(f"{e.kind} {e.entity_id} {e.change}" for e in report.entities if e.kind != "thesis")
    entities += tuple(rename.describe() for rename in report.renames)
    return EditionChangesPage(
        nav, version, report.base, opened, closed, flips, tuple(counted.items()),
        tuple(_thesis_view(here, publication, t) for t in report.theses if t.change == "changed"), entities,
    )
