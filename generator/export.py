"""Export: the publication as JSON for programs — one graph file, one file per entity, and the
JSON Schemas of both the export and the authored content.

Input: a `Publication`, the thesis histories and the URL function of `pages`. Output: a mapping
of relative path → bytes under `api/`, written by `write` into the docs tree or by
`thesis-site export` into any folder. The export's shape is described by the pydantic models
below; its schema is generated from them, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any, Callable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field

from .caches import Memo, Remembers
from .calls import counts_toward_stance, opened_on
from .characters import JSON_UNCARRIABLE_CLASS, json_escape
from .history import ThesisHistory, fallback_history
from .models import Asset, Claim, Direction, Evidence, Person, Source, Thesis
from .pages.urls import API_GRAPH, api_entity_file, api_schema_file
from .proof import Grade, Strength
from .publication import Publication
from .schema import schema_text
from .settings import KIND_FOLDERS

EXPORT_FORMAT_VERSION = 1

UrlOf = Callable[[str, str], str]
"""(kind, id) → site-relative URL path such as 'theses/<id>/'; decided by `pages`."""


class _Exported(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExportedCitation(_Exported):
    thesis: str = Field(description="Id of the citing thesis.")
    claim: str = Field(description="Id of the citing claim within the thesis.")
    at: str = Field(description="Locator into the source.")
    verified: bool = Field(description="True when the quote was found verbatim in the source.")


class ExportedEvidence(Evidence):
    model_config = ConfigDict(strict=False)
    verified: bool = Field(description="True when the quote was found verbatim in the source; false for a paraphrase.")


class ExportedClaim(Claim):
    model_config = ConfigDict(strict=False)
    # The export narrows the field to its enriched item type; lists are invariant to mypy.
    evidence: list[ExportedEvidence] = Field(description="Evidence with its verification state.")  # type: ignore[assignment]
    reference: str = Field(description="Global reference `<thesis-id>#<claim-id>`.")
    grade: Grade = Field(description="Evidence grade (see the proof rule).")
    supports: list[str] = Field(description="Assets whose positions in this thesis rest on the claim.")
    first_published: dt.date = Field(description="Date the claim first appeared (git history, else `opened`).")
    last_changed: dt.date = Field(description="Date the claim last changed.")
    page: str = Field(description="Site path of the claim on the evidence page.")


class ExportedProof(_Exported):
    strength: Strength
    extracted_claims: int
    directional_assets: int
    supporting_authors: list[str]
    title_review: Literal["headline-like", "statement"]
    line: str = Field(description="The proof line as the site prints it.")


class ExportedThesis(Thesis):
    model_config = ConfigDict(strict=False)
    claims: list[ExportedClaim] = Field(description="Claims with derived values.")  # type: ignore[assignment]  # as above
    proof: ExportedProof = Field(description="Derived source proof.")
    first_published: dt.date = Field(description="First published (git history, else `opened`).")
    last_changed: dt.date = Field(description="Last changed (git history, else `opened`).")
    page: str = Field(description="Site path of the thesis page.")


class ExportedSource(Source):
    model_config = ConfigDict(strict=False)
    cited_by: list[ExportedCitation] = Field(description="Claims that cite this source.")
    page: str = Field(description="Site path of the source page (`url` is where the source itself is published).")


class ExportedPositionRef(_Exported):
    thesis: str
    direction: Direction
    because: list[str] = Field(description="Global claim references the position rests on.")
    counted: bool = Field(description="True when the thesis is active or monitoring and the position is not closed, so it moves the stance.")
    opened: dt.date = Field(description="Date the call was made (the position's `opened`, else the thesis's).")
    closed: dt.date | None = Field(default=None, description="Date the call was closed; absent while it stands.")


class ExportedStance(_Exported):
    long: int
    short: int
    neutral: int
    watch: int
    net: str


class ExportedAsset(Asset):
    model_config = ConfigDict(strict=False)
    stance: ExportedStance
    positions: list[ExportedPositionRef]
    page: str = Field(description="Site path of the asset page.")


class ExportedPerson(Person):
    model_config = ConfigDict(strict=False)
    spoke: list[str] = Field(description="Sources the person speaks in.")
    wrote: list[str] = Field(description="Theses the person wrote.")
    reviewed: list[str] = Field(description="Theses the person reviewed.")
    page: str = Field(description="Site path of the person page.")


class ExportedGraph(_Exported):
    format_version: Literal[1] = Field(description="Version of this export format; bumped only on breaking changes.")
    sources: list[ExportedSource]
    theses: list[ExportedThesis]
    assets: list[ExportedAsset]
    people: list[ExportedPerson]
    tags: list[str]


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _day(value: dt.date) -> str:
    return value.isoformat()


ENTITY_FOLDERS = ("sources", "theses", "assets", "people")
"""Members of graph.json that are also written one file per entity, `api/<folder>/<id>.json`."""

FOLDER_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}
"""An entity folder → the kind of the content files its entities come from."""

Part = tuple[Source | Thesis | Asset | Person, dict[str, Any]]
"""An entity of the export: its content model, and what the build derived for it (`_entry` joins them)."""


def _parts(publication: Publication, histories: Mapping[str, ThesisHistory], url_of: UrlOf) -> dict[str, list[Part]]:
    """Every entity as (model, derived), by folder. What is derived is small (references, grades,
    dates, verified flags) and names evidence by its index: the bulk of an entry is its model's."""
    graph = publication.graph
    sources: list[Part] = [
        (source, {"cited_by": [{"thesis": c.thesis_id, "claim": c.claim_id, "at": c.evidence.at, "verified": c.verified}
                               for c in graph.citations_by_source.get(source.id, ())],
                  "page": url_of("source", source.id)})
        for source in graph.sources.values()
    ]
    theses: list[Part] = []
    for thesis in graph.theses.values():
        history = histories.get(thesis.id) or fallback_history(thesis)
        proof = publication.proofs[thesis.id]
        claims = []
        for claim in thesis.claims:
            claim_history = history.claims.get(claim.id)
            claims.append({
                "evidence": [[c.index, c.verified] for c in graph.citations_by_claim.get((thesis.id, claim.id), ())],
                "reference": f"{thesis.id}#{claim.id}",
                "grade": proof.claim_grades[claim.id],
                "supports": [ref.position.asset for ref in graph.positions_by_claim.get((thesis.id, claim.id), ())],
                "first_published": _day(claim_history.first_published if claim_history else history.first_published),
                "last_changed": _day(claim_history.last_changed if claim_history else history.last_changed),
                "page": f"{url_of('evidence', thesis.id)}#{claim.id}",
            })
        theses.append((thesis, {
            "claims": claims,
            "proof": {"strength": proof.strength, "extracted_claims": proof.claim_count,
                      "directional_assets": proof.directional_assets,
                      "supporting_authors": list(proof.supporting_authors), "title_review": proof.title_review,
                      "line": proof.line},
            "first_published": _day(history.first_published), "last_changed": _day(history.last_changed),
            "page": url_of("thesis", thesis.id),
        }))
    assets: list[Part] = []
    for asset in graph.assets.values():
        stance = publication.stances[asset.id]
        positions = []
        for ref in graph.positions_by_asset.get(asset.id, ()):
            thesis = graph.theses[ref.thesis_id]
            position = {"thesis": ref.thesis_id, "direction": ref.position.direction,
                        "because": [f"{ref.thesis_id}#{c}" for c in ref.position.because],
                        "counted": counts_toward_stance(thesis, ref.position),
                        "opened": _day(opened_on(thesis, ref.position))}
            if ref.position.closed is not None:
                position["closed"] = _day(ref.position.closed)
            positions.append(position)
        assets.append((asset, {"stance": {"long": stance.long, "short": stance.short, "neutral": stance.neutral,
                                          "watch": stance.watch, "net": stance.net},
                               "positions": positions, "page": url_of("asset", asset.id)}))
    people: list[Part] = [
        (person, {"spoke": list(graph.sources_by_speaker.get(person.id, ())),
                  "wrote": list(graph.theses_by_author.get(person.id, ())),
                  "reviewed": list(graph.reviews_by_person.get(person.id, ())), "page": url_of("person", person.id)})
        for person in graph.people.values()
    ]
    return {"sources": sources, "theses": theses, "assets": assets, "people": people}


def _entry(part: Part) -> dict[str, Any]:
    """An entity's entry in the shape of its `Exported…` model: its model's fields and what was derived."""
    model, derived = part
    if not isinstance(model, Thesis):
        return {**_dump(model), **derived}
    claims = []
    for claim, claim_derived in zip(model.claims, derived["claims"], strict=True):
        evidence = [{**_dump(claim.evidence[index]), "verified": verified} for index, verified in claim_derived["evidence"]]
        claims.append({**_dump(claim), **claim_derived, "evidence": evidence})
    return {**_dump(model), **derived, "claims": claims}


def export_tree_files(publication: Publication, histories: Mapping[str, ThesisHistory], url_of: UrlOf,
                      memo: Memo | None = None, kept: Remembers[bytes] | None = None,
                      made_from: Mapping[tuple[str, str], str] | None = None) -> dict[str, bytes]:
    """The export's files (relative path under the site root → bytes): graph.json in the shape of
    `ExportedGraph`, one file per entity, the schemas. Each entity's encoded JSON is taken from
    `memo` (`serve`) when its model is the same object and what was derived for it the same; or
    from what an earlier build `kept`, when its model is made from the same (`made_from`: (kind,
    id) → the digest of its file, `CheckResult.made_from`) and what was derived for it the same. A
    save or a build encodes again only the entities it changed, not the 45 MB of graph.json at
    5,000 sources.

    Built as plain data, not as the models: validating every entity a second time cost more than
    the rest of the export. The models stay the definition of the shape (the schema is generated
    from them) and the tests hold the data to them (`ExportedGraph.model_validate`)."""
    made_from = made_from or {}

    def entry(kind: str, part: Part) -> bytes:
        if memo is not None:
            return _remembered_entry(part, memo)
        key = made_from.get((kind, part[0].id))
        return _kept_entry(part, key, kept) if kept is not None and key is not None else _entry_bytes(part)

    parts = _parts(publication, histories, url_of)
    encoded = {folder: [(part[0].id, entry(FOLDER_KINDS[folder], part)) for part in parts[folder]]
               for folder in ENTITY_FOLDERS}
    return _files(encoded, {"format_version": EXPORT_FORMAT_VERSION, "tags": list(publication.graph.tags)})


def _entry_bytes(part: Part) -> bytes:
    return _json_text(_entry(part)).encode("utf-8")


def _remembered_entry(part: Part, memo: Memo) -> bytes:
    """An entity's encoded JSON as an earlier run made it from the same model object and the same derived data."""
    return memo.of("export entry", part[0], functools.partial(_entry_bytes, part), along=_json_text(part[1]))


def _kept_entry(part: Part, made_from: str, kept: Remembers[bytes]) -> bytes:
    """An entity's encoded JSON as an earlier build made it from a model made from the same
    (`made_from`, its file's digest) and the same derived data."""
    return kept.get(("export entry", made_from, _json_text(part[1])), functools.partial(_entry_bytes, part))


_UNCARRIABLE = re.compile(f"[{JSON_UNCARRIABLE_CLASS}]")


def _json_text(data: object) -> str:
    """Compact, key-sorted JSON. Compact on purpose: with an `indent`, the json module falls back
    from its C encoder to pure Python, which was most of the export's time on large corpora.
    DEL, C1 controls, lone surrogates and noncharacters (`check` refuses them; a publication built
    in code may hold them) are written as `\\uXXXX` escapes: UTF-8 cannot encode a lone surrogate."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if not text.isprintable() and _UNCARRIABLE.search(text):  # each of them is unprintable: most texts skip the search
        text = _UNCARRIABLE.sub(json_escape, text)
    return text


def export_schema() -> dict[str, Any]:
    schema = ExportedGraph.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "thesis-site graph export", **schema}


@functools.cache
def _schema_files() -> tuple[tuple[str, bytes], ...]:
    """The schemas shipped beside the export: they depend on the code only, so a process makes them once."""
    files = [(api_schema_file("graph"), (json.dumps(export_schema(), indent=1, ensure_ascii=False, sort_keys=True)
                                          + "\n").encode("utf-8"))]
    files.extend((api_schema_file(kind), schema_text(kind).encode("utf-8")) for kind in ("source", "thesis", "asset", "person"))
    return tuple(files)


def _files(encoded: Mapping[str, list[tuple[str, bytes]]], rest: Mapping[str, object]) -> dict[str, bytes]:
    """The export's files from each entity's id and encoded JSON (by folder) and graph.json's other
    members. Assembled as bytes: joining 45 MB of text, then encoding it, cost a save more than its
    changed entities did."""
    files: dict[str, bytes] = {}
    members: dict[str, bytes] = {}  # graph.json member → its encoded JSON
    for folder in ENTITY_FOLDERS:
        for entity_id, data in encoded[folder]:
            files[api_entity_file(folder, entity_id)] = data + b"\n"
        members[folder] = b"[" + b",".join(data for _, data in encoded[folder]) + b"]"
    for key, value in rest.items():
        members[key] = _json_text(value).encode("utf-8")
    # graph.json is assembled from the entity files' bytes: each entity is encoded once.
    files[API_GRAPH] = (b"{" + b",".join(_json_text(key).encode("utf-8") + b":" + members[key] for key in sorted(members))
                        + b"}\n")
    files.update(_schema_files())
    return files
