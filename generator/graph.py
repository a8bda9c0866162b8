"""Link: validated documents → one sealed, read-only graph with every reference resolved.

One pass resolves sources, locators, assets, people and claims, verifies every quote against
its located source text, and records each link in both directions ("cites" / "cited by",
"rests on" / "supports"), so backlinks are derived and never written by hand.

Documents with schema errors take part as what of them validated (`PartialDocument`): their own
references and quotes are checked in the same run, a reference to one of them is reported as
`ref.invalid-target` (never as unknown), and quotes from them are checked against the parts
that validated. They never enter the graph.
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from .diagnostics import Diagnostic, did_you_mean
from .load import KeyPath, dotted_path
from .models import Asset, Claim, Evidence, Person, Position, Source, Thesis
from .quotes import LocatedText, located_parts, normalise_text
from .settings import KIND_FOLDERS
from .validate import (Items, Partial, PartialDocument, ValidDocument, all_items_known, field_value, items_of, list_item,
                       model_class_of)

Entry = ValidDocument | PartialDocument

_UNKNOWN_CODES = {"source": "ref.unknown-source", "asset": "ref.unknown-asset", "person": "ref.unknown-person"}
_GAP = "\ue000unavailable\ue000"
"""Stands for a part of a source that did not validate (see `_stand_in`)."""


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


Located = Callable[[Source], dict[str, LocatedText]]
"""A valid source → its parts (`quotes.located_parts`), or the parts an earlier run made of it."""

_ACCUMULATED = ("citations_by_claim", "citations_by_source", "positions_by_asset", "positions_by_claim",
                "sources_by_speaker", "theses_by_author", "reviews_by_person", "sources_by_tag", "theses_by_tag")
"""The linker's indexes, each filled as documents are linked (`_Linker._start_links`)."""


@dataclass(frozen=True)
class ThesisLinks:
    """What linking one valid thesis recorded in the linker's indexes and reported, as a value:
    a long-lived process keeps it and links again only a thesis whose document, or a document it
    references, changed (`Linked`)."""

    added: tuple[tuple[str, tuple[tuple[Any, tuple[Any, ...]], ...]], ...]
    """Per index (`_ACCUMULATED`): (key, items appended under it)."""
    diagnostics: tuple[Diagnostic, ...]


Linked = Callable[[tuple[ValidDocument, ...], Callable[[], ThesisLinks]], ThesisLinks]
"""(a thesis's document and the documents it references, the linking) → what linking it
recorded, made now or kept from an earlier run by their identities (`pipeline.check_project`)."""


class _Linker:
    def __init__(self, documents: list[ValidDocument], partials: list[PartialDocument],
                 invalid: Mapping[tuple[str, str], str], located: Located = located_parts,
                 linked: Linked | None = None) -> None:
        self.located = located
        self.by_kind: dict[str, dict[str, ValidDocument]] = defaultdict(dict)
        for document in documents:
            self.by_kind[document.kind][document.id] = document
        self.checked_only: dict[str, dict[str, Entry]] = defaultdict(dict)
        """Documents with errors by id and file name: their parts are checked, never recorded."""
        for partial in partials:
            for key in (partial.document.stem, partial.id):
                self.checked_only[partial.kind].setdefault(key, partial)
        for document in documents:
            if document.document.stem != document.id:
                self.checked_only[document.kind].setdefault(document.document.stem, document)
        self.invalid = invalid
        self.linked = linked
        self._parts: dict[str, dict[str, LocatedText]] = {}
        self._partial_parts: dict[str, tuple[dict[str, LocatedText], frozenset[str], bool]] = {}
        self._start_links()
        self.renamed: dict[str, dict[str, str]] = defaultdict(dict)
        """kind → old id → the id it was renamed to (the first claimant, if several)."""
        for kind in sorted(self.by_kind):
            for key in sorted(self.by_kind[kind]):
                for old in getattr(self.by_kind[kind][key].model, "renamed_from", ()):
                    self.renamed[kind].setdefault(old, key)

    def _start_links(self) -> None:
        """No link recorded and nothing reported yet (`_ACCUMULATED`)."""
        self.diagnostics: list[Diagnostic] = []
        self.citations_by_claim: dict[tuple[str, str], list[Citation]] = defaultdict(list)
        self.citations_by_source: dict[str, list[Citation]] = defaultdict(list)
        self.positions_by_asset: dict[str, list[PositionRef]] = defaultdict(list)
        self.positions_by_claim: dict[tuple[str, str], list[PositionRef]] = defaultdict(list)
        self.sources_by_speaker: dict[str, list[str]] = defaultdict(list)
        self.theses_by_author: dict[str, list[str]] = defaultdict(list)
        self.reviews_by_person: dict[str, list[str]] = defaultdict(list)
        self.sources_by_tag: dict[str, list[str]] = defaultdict(list)
        self.theses_by_tag: dict[str, list[str]] = defaultdict(list)

    def report(self, document: Entry, path: KeyPath, code: str, message: str, hint: str = "") -> None:
        line, column = document.document.locate(path)
        self.diagnostics.append(Diagnostic(document.document.relpath, line, column, code, dotted_path(path), message, hint))

    def missing_hint(self, kind: str, reference: str) -> str:
        """What to tell a reference that names no entity: the new id when it names an old one
        (references use current ids only, so a rename shows every place to update), else the
        closest id (of valid files and files with errors alike), else the file to add."""
        if reference in self.renamed[kind]:
            return f"'{reference}' was renamed to '{self.renamed[kind][reference]}'"
        known = [*self.by_kind[kind], *(key for other, key in self.invalid if other == kind)]
        return did_you_mean(reference, known) or f"add content/{KIND_FOLDERS[kind]}/{reference}.yaml"

    def resolves(self, document: Entry, path: KeyPath, kind: str, target_id: str) -> bool:
        """True when `target_id` names a valid document of `kind`; otherwise says why not: the
        document exists but has errors of its own, or there is no such document."""
        if target_id in self.by_kind[kind]:
            return True
        relpath = self.invalid.get((kind, target_id))
        if relpath is not None:
            self.report(document, path, "ref.invalid-target", f"{kind} '{target_id}' has errors, see {relpath}",
                        "quotes are checked against its valid parts" if kind == "source" else "")
            return False
        self.report(document, path, _UNKNOWN_CODES[kind], f"no {kind} '{target_id}'", self.missing_hint(kind, target_id))
        return False

    def check_renames(self) -> None:
        """Old ids are URLs per kind folder: none may be a live id of its kind or listed twice.
        Compared ignoring case, like file names (see `discover.refuse_collisions`)."""
        for kind in sorted(self.by_kind):
            live = {key.casefold(): key for key in self.by_kind[kind]}
            claims: dict[str, list[tuple[ValidDocument, int]]] = defaultdict(list)
            for key in sorted(self.by_kind[kind]):
                document = self.by_kind[kind][key]
                for index, old in enumerate(getattr(document.model, "renamed_from", ())):
                    folded = old.casefold()
                    if folded in live:
                        owner = live[folded]
                        where = f"this {kind}'s own id" if owner == key else f"the id of {self.by_kind[kind][owner].document.relpath}"
                        self.report(document, ("renamed_from", index), "rename.collision",
                                    f"old id '{old}' is {where}", "an old id must be free: remove it from renamed_from")
                    else:
                        claims[folded].append((document, index))
            for folded in sorted(claims):
                places = claims[folded]
                if len(places) < 2:
                    continue
                listed = ", ".join(f"{d.document.relpath} renamed_from[{i}]" for d, i in places)
                for document, index in places:
                    old = document.model.renamed_from[index]  # type: ignore[attr-defined]
                    self.report(document, ("renamed_from", index), "rename.duplicate",
                                f"old id '{old}' is listed more than once ({listed})",
                                "an old URL can redirect to one page only: keep one")

    def parts_of(self, source: Source) -> dict[str, LocatedText]:
        """Built once per source: many quotes cite one source, and each part normalises once."""
        if source.id not in self._parts:
            self._parts[source.id] = self.located(source)
        return self._parts[source.id]

    def partial_parts(self, partial: Entry) -> tuple[dict[str, LocatedText], frozenset[str], bool]:
        """For a source with errors: the parts that validated, every locator known to exist, and
        whether some locators may be missing from that set."""
        relpath = partial.document.relpath
        if relpath not in self._partial_parts:
            gap = normalise_text(_GAP)
            try:
                parts = located_parts(_stand_in(partial.view))
                known = frozenset(key for key in parts if _GAP not in key)
                available = {key: text for key, text in parts.items()
                             if key in known and not any(gap in segment for segment in text.segments)}
            except (AttributeError, TypeError, ValueError):  # a stand-in the locator rules cannot read
                self._partial_parts[relpath] = ({}, frozenset(), True)
            else:
                self._partial_parts[relpath] = (available, known, len(known) < len(parts))
        return self._partial_parts[relpath]

    def link_source(self, document: Entry) -> None:
        view = document.view
        full = isinstance(document, ValidDocument)
        for index, speaker in items_of(view, "speakers"):
            if self.resolves(document, ("speakers", index), "person", speaker) and full:
                self.sources_by_speaker[speaker].append(document.id)
        if full:
            for tag in field_value(view, "tags"):
                self.sources_by_tag[tag].append(document.id)

    def link_thesis(self, document: Entry) -> None:
        """`_link_thesis`, or, in a long-lived process (`linked`), what it recorded and reported
        for this thesis before, while neither its document nor any document it references changed."""
        referenced = self._references(document) if self.linked is not None else None
        if self.linked is None or referenced is None:
            self._link_thesis(document)
            return
        assert isinstance(document, ValidDocument)
        links = self.linked((document, *referenced), functools.partial(self._linked_alone, document))
        for cited in referenced:  # asked for, so that a process keeps the parts, and the quotes verified against them, for the next edit
            if isinstance(cited.model, Source):
                self.parts_of(cited.model)
        for name, added in links.added:
            recorded = getattr(self, name)
            for key, items in added:
                recorded[key].extend(items)
        self.diagnostics.extend(links.diagnostics)

    def _references(self, document: Entry) -> tuple[ValidDocument, ...] | None:
        """The documents a valid thesis references (authors, reviewer, cited sources, assets),
        each valid; None for a thesis with errors or a reference that is not: what such a
        reference reports depends on every document of its kind (the closest id, a rename)."""
        if not isinstance(document, ValidDocument) or not isinstance(document.model, Thesis):
            return None
        thesis = document.model
        wanted = [*(("person", author) for author in thesis.authors),
                  *((("person", thesis.review.by),) if thesis.review is not None and thesis.review.by is not None else ()),
                  *(("source", evidence.source) for claim in thesis.claims for evidence in claim.evidence),
                  *(("asset", position.asset) for position in thesis.assets)]
        found = tuple(self.by_kind[kind].get(key) for kind, key in wanted)
        return None if None in found else found  # type: ignore[return-value]

    def _linked_alone(self, document: ValidDocument) -> ThesisLinks:
        """What `_link_thesis` records and reports for this thesis, recorded apart."""
        alone = copy.copy(self)  # the same documents and sources' parts; links of its own
        alone._start_links()
        alone._link_thesis(document)
        added = tuple((name, tuple((key, tuple(items)) for key, items in getattr(alone, name).items()))
                      for name in _ACCUMULATED)
        return ThesisLinks(added, tuple(alone.diagnostics))

    def _link_thesis(self, document: Entry) -> None:
        """Every reference of a thesis; a thesis with errors is checked as far as its parts are
        valid, and only a valid one is recorded in the graph."""
        view = document.view
        full = isinstance(document, ValidDocument)
        thesis_id = document.id
        for index, author in items_of(view, "authors"):
            if self.resolves(document, ("authors", index), "person", author) and full:
                self.theses_by_author[author].append(thesis_id)
        reviewer = field_value(field_value(view, "review"), "by")
        if reviewer is not None and self.resolves(document, ("review", "by"), "person", reviewer) and full:
            self.reviews_by_person[reviewer].append(thesis_id)
        if full:
            for tag in field_value(view, "tags"):
                self.theses_by_tag[tag].append(thesis_id)
        claims = items_of(view, "claims")
        for claim_index, claim in claims:
            if isinstance(claim, Claim) and not claim.evidence:
                self.report(document, ("claims", claim_index, "evidence"), "claim.no-evidence",
                            f"claim '{claim.id}' has no evidence", "quote the source it rests on")
            for evidence_index, evidence in items_of(claim, "evidence"):
                if isinstance(evidence, Evidence):
                    self.link_evidence(document, field_value(claim, "id"), (claim_index, evidence_index), evidence)
        claim_ids = [field_value(claim, "id") for _, claim in claims]
        every_claim_known = all_items_known(view, "claims") and None not in claim_ids
        known_claims = set(claim_ids)  # a set: long theses check thousands of `because` ids
        seen_assets: set[str] = set()
        for position_index, position in items_of(view, "assets"):
            path: KeyPath = ("assets", position_index)
            asset = field_value(position, "asset")
            if asset is not None:
                if not self.resolves(document, (*path, "asset"), "asset", asset):
                    pass
                elif asset in seen_assets:
                    self.report(document, (*path, "asset"), "ref.duplicate-position",
                                f"a second position on '{asset}' in this thesis", "merge the two positions")
                elif full:
                    self.positions_by_asset[asset].append(PositionRef(thesis_id, position))
                seen_assets.add(asset)
            for because_index, claim_id in items_of(position, "because"):
                if claim_id in known_claims:
                    if full:
                        self.positions_by_claim[(thesis_id, claim_id)].append(PositionRef(thesis_id, position))
                elif every_claim_known:  # otherwise it may name a claim whose id did not validate
                    self.report(document, (*path, "because", because_index), "ref.unknown-claim",
                                f"thesis '{thesis_id}' has no claim '{claim_id}'", did_you_mean(claim_id, claim_ids))
        self.report_unused_claims(document)

    def report_unused_claims(self, document: Entry) -> None:
        """Only when every claim and every position validated: otherwise the answer is unknown."""
        view = document.view
        claims, positions = field_value(view, "claims"), field_value(view, "assets")
        if not isinstance(claims, (list, tuple)) or not isinstance(positions, (list, tuple)):
            return
        if any(position.is_directional for position in positions):
            resting = {claim_id for position in positions for claim_id in position.because}
            for claim_index, claim in enumerate(claims):
                if claim.id not in resting:
                    self.report(document, ("claims", claim_index), "claim.unused", f"no position rests on claim '{claim.id}'",
                                "name it in a position's `because`, or remove it")

    def link_evidence(self, document: Entry, claim_id: str | None, indexes: tuple[int, int], evidence: Evidence) -> None:
        path: KeyPath = ("claims", indexes[0], "evidence", indexes[1])
        source_document = self.by_kind["source"].get(evidence.source)
        if source_document is not None:
            source: Source = source_document.model  # type: ignore[assignment]
            parts, known, maybe_more = self.parts_of(source), frozenset[str](), False
        else:
            self.resolves(document, (*path, "source"), "source", evidence.source)
            checked_only = self.checked_only["source"].get(evidence.source)
            if checked_only is None:
                return
            parts, known, maybe_more = self.partial_parts(checked_only)
        if evidence.at not in parts:
            if evidence.at not in known and not maybe_more:
                self.report(document, (*path, "at"), "ref.unknown-locator",
                            f"source '{evidence.source}' has no part '{evidence.at}'", did_you_mean(evidence.at, known or parts))
            return
        verified = False
        if not evidence.paraphrase:
            if not parts[evidence.at].contains(evidence.quote):
                self.report(document, (*path, "quote"), "quote.not-found",
                            f"the quote is not in {evidence.source} at {evidence.at}",
                            "copy the words exactly, or set paraphrase: true")
                return
            verified = True
        if source_document is None or not isinstance(document, ValidDocument) or claim_id is None:
            return
        citation = Citation(document.id, claim_id, indexes[1], evidence, verified)
        self.citations_by_claim[(document.id, claim_id)].append(citation)
        self.citations_by_source[evidence.source].append(citation)

    def seal(self) -> ThesisGraph:
        def models(kind: str) -> Mapping[str, object]:
            return MappingProxyType({key: self.by_kind[kind][key].model for key in sorted(self.by_kind[kind])})

        def frozen(mapping: Mapping[Any, Sequence[Any]]) -> Mapping[Any, tuple[Any, ...]]:
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


def _stand_in(view: Partial | Any) -> Any:
    """A source with errors as a `Source`-shaped value for `quotes.located_parts`, so the locator
    rules stay written once: each part that did not validate holds `_GAP`, which marks its text
    (or its key, when even the id is unknown) as unavailable. Only linking reads it."""
    if not isinstance(view, Partial):
        return view
    values = {}
    for name, info in view.model.model_fields.items():
        values[name] = _stand_in_value(view.fields[name], info.annotation) if name in view.fields else _gap(info.annotation)
    return view.model.model_construct(**values)


def _stand_in_value(value: Any, annotation: Any) -> Any:
    if isinstance(value, Items):
        valid = dict(value.valid)
        item_annotation = list_item(annotation)
        return [_stand_in(valid[index]) if index in valid else _gap(item_annotation) for index in range(value.length)]
    return _stand_in(value)


def _gap(annotation: Any) -> Any:
    """A value of `annotation`'s shape whose every text is `_GAP`."""
    item, model_class = list_item(annotation), model_class_of(annotation)
    if item is not None:
        return [_gap(item)]
    if model_class is not None:
        return model_class.model_construct(**{name: _gap(info.annotation) for name, info in model_class.model_fields.items()})
    return _GAP


def resolve_references(documents: list[ValidDocument], partials: Sequence[PartialDocument] = (),
                       invalid: Mapping[tuple[str, str], str] = MappingProxyType({}),
                       located: Located = located_parts, linked: Linked | None = None) -> tuple[ThesisGraph, list[Diagnostic]]:
    """Link every document; the graph holds only valid documents and the references that resolved.

    `partials`: what validated of documents with schema errors, checked but never recorded;
    `invalid`: (kind, id) → file of every document that has errors (a reference to one is
    reported as such, not as unknown); `located`: each valid source's parts, which quotes are
    verified against (a long-lived process keeps them, with the answers they gave, between runs);
    `linked`: what linking each valid thesis recorded, kept by a long-lived process (`ThesisLinks`)."""
    linker = _Linker(documents, list(partials), invalid, located, linked)
    linker.check_renames()
    partials = sorted(partials, key=lambda partial: partial.document.relpath)
    for source_id in sorted(linker.by_kind["source"]):
        linker.link_source(linker.by_kind["source"][source_id])
    for thesis_id in sorted(linker.by_kind["thesis"]):
        linker.link_thesis(linker.by_kind["thesis"][thesis_id])
    for partial in partials:
        if partial.kind == "source":
            linker.link_source(partial)
        elif partial.kind == "thesis":
            linker.link_thesis(partial)
    return linker.seal(), linker.diagnostics
