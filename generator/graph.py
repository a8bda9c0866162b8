"""Link: validated documents → one sealed, read-only graph with every reference resolved.

One pass resolves sources, locators, assets, people and claims, verifies every quote against
its located source text, and records each link in both directions ("cites" / "cited by",
"rests on" / "supports"), so backlinks are derived and never written by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .diagnostics import Diagnostic, did_you_mean
from .load import KeyPath, dotted_path
from .models import Asset, Claim, Evidence, Person, Position, Source, Thesis
from .quotes import LocatedText, located_parts
from .validate import ValidDocument


@dataclass(frozen=True)
class Citation:
    """One evidence item, resolved: which claim cites which part of a source, verified or paraphrased."""

    thesis_id: str
    claim_id: str
    index: int
    evidence: Evidence
    verified: bool

    @property
    def source_id(self) -> str:
        return self.evidence.source


@dataclass(frozen=True)
class PositionRef:
    """A thesis's position on an asset (the incoming side of "position on")."""

    thesis_id: str
    position: Position


@dataclass(frozen=True)
class ThesisGraph:
    """Everything the later stages see; mappings are read-only and values are frozen models."""

    sources: Mapping[str, Source]
    theses: Mapping[str, Thesis]
    assets: Mapping[str, Asset]
    people: Mapping[str, Person]
    files: Mapping[tuple[str, str], str]
    citations_by_claim: Mapping[tuple[str, str], tuple[Citation, ...]]
    citations_by_source: Mapping[str, tuple[Citation, ...]]
    positions_by_asset: Mapping[str, tuple[PositionRef, ...]]
    positions_by_claim: Mapping[tuple[str, str], tuple[PositionRef, ...]]
    sources_by_speaker: Mapping[str, tuple[str, ...]]
    theses_by_author: Mapping[str, tuple[str, ...]]
    reviews_by_person: Mapping[str, tuple[str, ...]]
    sources_by_tag: Mapping[str, tuple[str, ...]]
    theses_by_tag: Mapping[str, tuple[str, ...]]
    claim_order: Mapping[tuple[str, str], int]
    """(thesis id, claim id) → the claim's place in its thesis: lookups stay constant-time in long theses."""

    def claim(self, thesis_id: str, claim_id: str) -> Claim:
        return self.theses[thesis_id].claims[self.claim_order[(thesis_id, claim_id)]]

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.sources_by_tag) | set(self.theses_by_tag)))


class _Linker:
    def __init__(self, documents: list[ValidDocument]) -> None:
        self.by_kind: dict[str, dict[str, ValidDocument]] = defaultdict(dict)
        for document in documents:
            self.by_kind[document.kind][document.model.id] = document  # type: ignore[attr-defined]
        self.diagnostics: list[Diagnostic] = []
        self._parts: dict[str, dict[str, LocatedText]] = {}
        self.citations_by_claim: dict[tuple[str, str], list[Citation]] = defaultdict(list)
        self.citations_by_source: dict[str, list[Citation]] = defaultdict(list)
        self.positions_by_asset: dict[str, list[PositionRef]] = defaultdict(list)
        self.positions_by_claim: dict[tuple[str, str], list[PositionRef]] = defaultdict(list)
        self.sources_by_speaker: dict[str, list[str]] = defaultdict(list)
        self.theses_by_author: dict[str, list[str]] = defaultdict(list)
        self.reviews_by_person: dict[str, list[str]] = defaultdict(list)
        self.sources_by_tag: dict[str, list[str]] = defaultdict(list)
        self.theses_by_tag: dict[str, list[str]] = defaultdict(list)

    def report(self, document: ValidDocument, path: KeyPath, code: str, message: str, hint: str = "") -> None:
        line, column = document.document.locate(path)
        self.diagnostics.append(Diagnostic(document.document.relpath, line, column, code, dotted_path(path), message, hint))

    def person_exists(self, document: ValidDocument, path: KeyPath, person_id: str) -> bool:
        if person_id in self.by_kind["person"]:
            return True
        self.report(document, path, "ref.unknown-person", f"no person '{person_id}'",
                    did_you_mean(person_id, self.by_kind["person"]) or f"add content/people/{person_id}.yaml")
        return False

    def parts_of(self, source: Source) -> dict[str, LocatedText]:
        """Built once per source: many quotes cite one source, and each part normalises once."""
        if source.id not in self._parts:
            self._parts[source.id] = located_parts(source)
        return self._parts[source.id]

    def link_source(self, document: ValidDocument) -> None:
        source: Source = document.model  # type: ignore[assignment]
        for index, speaker in enumerate(source.speakers):
            if self.person_exists(document, ("speakers", index), speaker):
                self.sources_by_speaker[speaker].append(source.id)
        for tag in source.tags:
            self.sources_by_tag[tag].append(source.id)

    def link_thesis(self, document: ValidDocument) -> None:
        thesis: Thesis = document.model  # type: ignore[assignment]
        for index, author in enumerate(thesis.authors):
            if self.person_exists(document, ("authors", index), author):
                self.theses_by_author[author].append(thesis.id)
        if thesis.review and thesis.review.by and self.person_exists(document, ("review", "by"), thesis.review.by):
            self.reviews_by_person[thesis.review.by].append(thesis.id)
        for tag in thesis.tags:
            self.theses_by_tag[tag].append(thesis.id)
        for claim_index, claim in enumerate(thesis.claims):
            if not claim.evidence:
                self.report(document, ("claims", claim_index, "evidence"), "claim.no-evidence",
                            f"claim '{claim.id}' has no evidence", "quote the source it rests on")
            for evidence_index, evidence in enumerate(claim.evidence):
                self.link_evidence(document, thesis, claim, (claim_index, evidence_index), evidence)
        claim_ids = {claim.id for claim in thesis.claims}
        seen_assets: set[str] = set()
        for position_index, position in enumerate(thesis.assets):
            path: KeyPath = ("assets", position_index)
            if position.asset not in self.by_kind["asset"]:
                self.report(document, (*path, "asset"), "ref.unknown-asset", f"no asset '{position.asset}'",
                            did_you_mean(position.asset, self.by_kind["asset"]) or f"add content/assets/{position.asset}.yaml")
            elif position.asset in seen_assets:
                self.report(document, (*path, "asset"), "ref.duplicate-position",
                            f"a second position on '{position.asset}' in this thesis", "merge the two positions")
            else:
                self.positions_by_asset[position.asset].append(PositionRef(thesis.id, position))
            seen_assets.add(position.asset)
            for because_index, claim_id in enumerate(position.because):
                if claim_id not in claim_ids:
                    self.report(document, (*path, "because", because_index), "ref.unknown-claim",
                                f"thesis '{thesis.id}' has no claim '{claim_id}'", did_you_mean(claim_id, [claim.id for claim in thesis.claims]))
                else:
                    self.positions_by_claim[(thesis.id, claim_id)].append(PositionRef(thesis.id, position))
        if any(position.direction in ("long", "short") for position in thesis.assets):
            resting = {claim_id for position in thesis.assets for claim_id in position.because}
            for claim_index, claim in enumerate(thesis.claims):
                if claim.id not in resting:
                    self.report(document, ("claims", claim_index), "claim.unused", f"no position rests on claim '{claim.id}'",
                                "name it in a position's `because`, or remove it")

    def link_evidence(self, document: ValidDocument, thesis: Thesis, claim: Claim, indexes: tuple[int, int],
                      evidence: Evidence) -> None:
        path: KeyPath = ("claims", indexes[0], "evidence", indexes[1])
        source_document = self.by_kind["source"].get(evidence.source)
        if source_document is None:
            self.report(document, (*path, "source"), "ref.unknown-source", f"no source '{evidence.source}'",
                        did_you_mean(evidence.source, self.by_kind["source"]) or f"add content/sources/{evidence.source}.yaml")
            return
        source: Source = source_document.model  # type: ignore[assignment]
        parts = self.parts_of(source)
        if evidence.at not in parts:
            self.report(document, (*path, "at"), "ref.unknown-locator",
                        f"source '{source.id}' has no part '{evidence.at}'", did_you_mean(evidence.at, parts))
            return
        verified = False
        if not evidence.paraphrase:
            if not parts[evidence.at].contains(evidence.quote):
                self.report(document, (*path, "quote"), "quote.not-found",
                            f"the quote is not in {source.id} at {evidence.at}",
                            "copy the words exactly, or set paraphrase: true")
                return
            verified = True
        citation = Citation(thesis.id, claim.id, indexes[1], evidence, verified)
        self.citations_by_claim[(thesis.id, claim.id)].append(citation)
        self.citations_by_source[source.id].append(citation)

    def seal(self) -> ThesisGraph:
        def models(kind: str) -> Mapping[str, object]:
            return MappingProxyType({key: self.by_kind[kind][key].model for key in sorted(self.by_kind[kind])})

        def frozen(mapping: Mapping) -> Mapping:
            return MappingProxyType({key: tuple(value) for key, value in sorted(mapping.items())})

        files = {(kind, key): doc.document.relpath for kind, docs in self.by_kind.items() for key, doc in docs.items()}
        return ThesisGraph(
            sources=models("source"), theses=models("thesis"), assets=models("asset"), people=models("person"),  # type: ignore[arg-type]
            files=MappingProxyType(files),
            citations_by_claim=frozen(self.citations_by_claim), citations_by_source=frozen(self.citations_by_source),
            positions_by_asset=frozen(self.positions_by_asset), positions_by_claim=frozen(self.positions_by_claim),
            sources_by_speaker=frozen(self.sources_by_speaker), theses_by_author=frozen(self.theses_by_author),
            reviews_by_person=frozen(self.reviews_by_person), sources_by_tag=frozen(self.sources_by_tag),
            theses_by_tag=frozen(self.theses_by_tag),
            claim_order=MappingProxyType({(thesis_id, claim.id): index for thesis_id, doc in sorted(self.by_kind["thesis"].items())
                                          for index, claim in enumerate(doc.model.claims)}),  # type: ignore[attr-defined]
        )


def resolve_references(documents: list[ValidDocument]) -> tuple[ThesisGraph, list[Diagnostic]]:
    """Link every document; the graph holds only references that resolved."""
    linker = _Linker(documents)
    for source_id in sorted(linker.by_kind["source"]):
        linker.link_source(linker.by_kind["source"][source_id])
    for thesis_id in sorted(linker.by_kind["thesis"]):
        linker.link_thesis(linker.by_kind["thesis"][thesis_id])
    return linker.seal(), linker.diagnostics
