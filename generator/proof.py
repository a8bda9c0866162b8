"""Derive: the source proof of each thesis (SPEC §3), from the sealed graph.

The rule is written once, here (`RULE`, built from the thresholds and directions the code applies);
the Method page prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, get_args

from .graph import Citation, ThesisGraph
from .models import DIRECTIONAL, Source, Thesis
from .quotes import quote_is_in

Grade = Literal["verified", "fragmentary", "weak", "none"]
GRADES: tuple[Grade, ...] = get_args(Grade)
"""Evidence grades, best first."""
Strength = Literal["strong", "moderate", "weak", "unsupported"]
STRENGTHS: tuple[Strength, ...] = get_args(Strength)
"""Proof strengths, strongest first."""
GRADE_RANK: Mapping[str, int] = {grade: len(GRADES) - 1 - index for index, grade in enumerate(GRADES)}
"""Grade → rank, `none` 0 up to `verified`: a higher rank is better evidence."""
STRENGTH_RANK: Mapping[str, int] = {strength: len(STRENGTHS) - 1 - index for index, strength in enumerate(STRENGTHS)}
"""Strength → rank, `unsupported` 0 up to `strong`."""
STRONG_MIN_CLAIMS = 3

RULE = f"""Each claim gets an evidence grade from its best citation:
  - `verified`    a verbatim quote from a source whose coverage is `transcript` or `summary`;
  - `fragmentary` a verbatim quote from a `fragments` source, or a paraphrase of a
                  `transcript` or `summary` source;
  - `weak`        only paraphrases of `fragments` sources, or anything from `title-only` sources;
  - `none`        no evidence at all.
The thesis's strength follows from its claims' grades:
  - `unsupported` every claim is `none`;
  - `strong`      at least {STRONG_MIN_CLAIMS} claims, no claim below `fragmentary`, more than half `verified`,
                  and at least one directional ({"/".join(DIRECTIONAL)}) position;
  - `moderate`    no claim is `none`, and at least half the claims are `fragmentary` or better;
  - `weak`        anything else (e.g. claims resting only on title-only sources)."""
"""THE RULE, as the Method page prints it; `grade_citation`, `grade_claim` and `decide_strength` apply it."""


@dataclass(frozen=True)
class SourceProof:
    strength: Strength
    claim_count: int
    directional_assets: int
    supporting_authors: tuple[str, ...]
    title_review: Literal["headline-like", "statement"]
    claim_grades: Mapping[str, Grade]

    @property
    def line(self) -> str:
        """The proof line exactly as seed 000 prints it."""
        authors = len(self.supporting_authors)
        return " | ".join([
            f"{self.strength.capitalize()} source proof",
            f"{self.claim_count} extracted claim{'s' * (self.claim_count != 1)}",
            f"{self.directional_assets} directional asset{'s' * (self.directional_assets != 1)}",
            f"{authors} supporting author{'s' * (authors != 1)}",
            f"{self.title_review} title review",
        ])


def grade_citation(citation: Citation, source: Source) -> Grade:
    if source.coverage == "title-only":
        return "weak"
    if source.coverage in ("transcript", "summary"):
        return "verified" if citation.verified else "fragmentary"
    return "fragmentary" if citation.verified else "weak"


def grade_claim(citations: tuple[Citation, ...], graph: ThesisGraph) -> Grade:
    grades = [grade_citation(c, graph.sources[c.source_id]) for c in citations]
    return max(grades, key=GRADE_RANK.__getitem__, default="none")


def decide_strength(grades: list[Grade], directional_assets: int) -> Strength:
    ranks = [GRADE_RANK[g] for g in grades]
    none, weak, fragmentary, verified = (GRADE_RANK[g] for g in ("none", "weak", "fragmentary", "verified"))
    if all(rank == none for rank in ranks):
        return "unsupported"
    at_least_fragmentary = sum(rank >= fragmentary for rank in ranks)
    verified_claims = sum(rank == verified for rank in ranks)
    if (len(ranks) >= STRONG_MIN_CLAIMS and min(ranks) >= fragmentary and verified_claims * 2 > len(ranks)
            and directional_assets > 0):
        return "strong"
    if min(ranks) >= weak and at_least_fragmentary * 2 >= len(ranks):
        return "moderate"
    return "weak"


def supporting_authors(thesis: Thesis, graph: ThesisGraph) -> tuple[str, ...]:
    """Distinct speakers of the cited sources (a source without speakers counts its publisher)."""
    names: set[str] = set()
    for claim in thesis.claims:
        for citation in graph.citations_by_claim.get((thesis.id, claim.id), ()):
            source = graph.sources[citation.source_id]
            if source.speakers:
                names.update(graph.people[s].name for s in source.speakers if s in graph.people)
            else:
                names.add(source.publisher)
    return tuple(sorted(names))


def review_title(thesis: Thesis, graph: ThesisGraph) -> Literal["headline-like", "statement"]:
    """`headline-like` when the thesis is named after a cited source rather than its argument."""
    cited = {c.source_id for claim in thesis.claims for c in graph.citations_by_claim.get((thesis.id, claim.id), ())}
    if any(quote_is_in(thesis.title, graph.sources[source_id].title) for source_id in cited):
        return "headline-like"  # the whole title, in whole words, as a quote would have to be
    return "statement"


def proof_inputs(thesis: Thesis, graph: ThesisGraph) -> tuple[object, ...]:
    """Everything `derive_source_proof` reads for `thesis`: the thesis, its claims' citations,
    the sources they cite and those sources' speakers."""
    citations = [c for claim in thesis.claims for c in graph.citations_by_claim.get((thesis.id, claim.id), ())]
    sources = [graph.sources[c.source_id] for c in citations]
    speakers = [graph.people[s] for source in sources for s in source.speakers if s in graph.people]
    return (thesis, *citations, *sources, *speakers)


def derive_source_proof(thesis: Thesis, graph: ThesisGraph) -> SourceProof:
    grades = {claim.id: grade_claim(graph.citations_by_claim.get((thesis.id, claim.id), ()), graph)
              for claim in thesis.claims}
    directional = sum(position.is_directional for position in thesis.assets)
    return SourceProof(
        strength=decide_strength(list(grades.values()), directional),
        claim_count=len(thesis.claims),
        directional_assets=directional,
        supporting_authors=supporting_authors(thesis, graph),
        title_review=review_title(thesis, graph),
        claim_grades=grades,
    )
