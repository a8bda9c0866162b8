"""The claim-level comparison of two states of the publication, matched by id.

One engine serves `review` (two git revisions), `history` (each commit against its parent) and
the edition change pages (one published version against the previous one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping

from .calls import opened_on
from .models import Claim, Evidence, Position, Review, Thesis
from .publication import Publication

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class WordDiff:
    """Word-level diff as (op, words) runs: op is '=' kept, '-' removed, '+' added."""

    runs: tuple[tuple[str, str], ...]

    @classmethod
    def between(cls, before: str, after: str) -> WordDiff:
        old, new = before.split(), after.split()
        runs: list[tuple[str, str]] = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if op == "equal":
                runs.append(("=", " ".join(old[a1:a2])))
            if op in ("replace", "delete"):
                runs.append(("-", " ".join(old[a1:a2])))
            if op in ("replace", "insert"):
                runs.append(("+", " ".join(new[b1:b2])))
        return cls(tuple(runs))


@dataclass(frozen=True)
class EvidenceChange:
    change: Change
    source: str
    before: Evidence | None
    after: Evidence | None

    @property
    def what(self) -> list[str]:
        """For a changed item: which of quote, locator, paraphrase flag moved."""
        if self.change != "changed" or not self.before or not self.after:
            return []
        return [name for name, a, b in (("quote", self.before.quote, self.after.quote), ("locator", self.before.at, self.after.at),
                                        ("paraphrase", self.before.paraphrase, self.after.paraphrase)) if a != b]


@dataclass(frozen=True)
class ClaimChange:
    claim_id: str
    change: Literal["added", "removed", "reworded", "evidence", "confidence"]
    before: Claim | None
    after: Claim | None
    wording: WordDiff | None
    evidence: tuple[EvidenceChange, ...]


@dataclass(frozen=True)
class PositionChange:
    asset: str
    change: Literal["added", "removed", "direction", "closed", "reopened", "because", "rationale", "dates"]
    before: Position | None
    after: Position | None
    on: dt.date | None = None
    """The call's date for a position added (opened on) or closed (closed on); else None."""

    def describe(self) -> str:
        """The change without its asset, as every report words it: 'long → short', 'long position
        added, opened 2026-05-28', 'long position closed on 2026-09-01', 'because changed'."""
        if self.change == "direction" and self.before and self.after:
            return f"{self.before.direction} → {self.after.direction}"
        held = self.after or self.before
        if self.change == "added" and held is not None:
            return f"{held.direction} position added" + (f", opened {self.on.isoformat()}" if self.on else "")
        if self.change == "closed" and held is not None:
            return f"{held.direction} position closed" + (f" on {self.on.isoformat()}" if self.on else "")
        if self.change in ("removed", "reopened") and held is not None:
            return f"{held.direction} position {self.change}"
        if self.change == "dates":
            return "opening date or reference price changed"
        return f"{self.change} changed"


@dataclass(frozen=True)
class ThesisChange:
    thesis_id: str
    title: str
    change: Change
    claims: tuple[ClaimChange, ...] = ()
    positions: tuple[PositionChange, ...] = ()
    status: tuple[str, str] | None = None
    review: tuple[Review | None, Review | None] | None = None
    title_before: str | None = None
    proof: tuple[str, str] | None = None
    strength: tuple[str, str] | None = None
    renamed_from: str | None = None
    """The thesis's id in the base when it was renamed (see `Rename`)."""

    def summary(self) -> str:
        """One line for change logs and feeds: '2 claims added; NVDA long → short; proof moderate → strong'."""
        if self.change != "changed":
            return f"thesis {self.change}"
        parts: list[str] = [f"renamed from '{self.renamed_from}'"] if self.renamed_from else []
        counts: dict[str, int] = {}
        for claim in self.claims:
            counts[claim.change] = counts.get(claim.change, 0) + 1
        for kind, label in (("added", "added"), ("removed", "removed"), ("reworded", "reworded"),
                            ("evidence", "with evidence changed"), ("confidence", "with confidence changed")):
            if counts.get(kind):
                parts.append(f"{counts[kind]} claim{'s' * (counts[kind] != 1)} {label}")
        parts.extend(f"{position.asset} {position.describe()}" for position in self.positions)
        if self.status:
            parts.append(f"status {self.status[0]} → {self.status[1]}")
        if self.review:
            parts.append("review changed")
        if self.title_before:
            parts.append("retitled")
        if self.strength:
            parts.append(f"proof {self.strength[0]} → {self.strength[1]}")
        return "; ".join(parts) or "wording outside claims changed"

    @property
    def flipped(self) -> tuple[PositionChange, ...]:
        return tuple(p for p in self.positions if p.change == "direction")

    @property
    def dropped_evidence(self) -> tuple[EvidenceChange, ...]:
        return tuple(e for c in self.claims for e in c.evidence if e.change == "removed")


@dataclass(frozen=True)
class EntityChange:
    kind: str
    entity_id: str
    change: Literal["added", "removed"]
    title: str


@dataclass(frozen=True)
class Rename:
    """An entity whose id changed: `new_id` lists `old_id` in `renamed_from`, and only the
    base has `old_id`, only the head `new_id`."""

    kind: str
    old_id: str
    new_id: str
    title: str

    def describe(self) -> str:
        return f"{self.kind} '{self.old_id}' renamed to '{self.new_id}'"


@dataclass(frozen=True)
class ChangeReport:
    base: str
    head: str
    entities: tuple[EntityChange, ...]
    theses: tuple[ThesisChange, ...]
    renames: tuple[Rename, ...] = ()
    """Renamed entities; they are in neither `entities` (as removed and added) nor, unless their
    claims or positions changed too, in `theses` (matched old id to new id)."""

    @property
    def is_empty(self) -> bool:
        return not self.entities and not self.theses and not self.renames


def _pair_by(key: Callable[[Evidence], object], old: list[Evidence], new: list[Evidence],
             unmatched_old: set[int], unmatched_new: set[int]) -> list[tuple[int, int]]:
    """Pair each unmatched old item, in order, with the first unmatched new item of equal key;
    keys are bucketed, so a claim with thousands of quotes costs linear time."""
    waiting: dict[object, deque[int]] = defaultdict(deque)
    for j in sorted(unmatched_new):
        waiting[key(new[j])].append(j)
    pairs = []
    for i in sorted(unmatched_old):
        candidates = waiting.get(key(old[i]))
        if candidates:
            j = candidates.popleft()
            unmatched_old.discard(i)
            unmatched_new.discard(j)
            pairs.append((i, j))
    return pairs


def compare_evidence(before: tuple[Evidence, ...], after: tuple[Evidence, ...]) -> tuple[EvidenceChange, ...]:
    """Match evidence exactly, then by (source, locator), then by (source, quote); the rest is added or removed."""
    old, new = list(before), list(after)
    unmatched_old, unmatched_new = set(range(len(old))), set(range(len(new)))
    _pair_by(lambda e: e, old, new, unmatched_old, unmatched_new)  # unchanged evidence is no change
    pairs = [pair for key in ((lambda e: (e.source, e.at)), (lambda e: (e.source, e.quote)))
             for pair in _pair_by(key, old, new, unmatched_old, unmatched_new)]
    changes = [EvidenceChange("changed", old[i].source, old[i], new[j]) for i, j in pairs]
    changes += [EvidenceChange("removed", old[i].source, old[i], None) for i in sorted(unmatched_old)]
    changes += [EvidenceChange("added", new[j].source, None, new[j]) for j in sorted(unmatched_new)]
    return tuple(changes)


def compare_claims(before: tuple[Claim, ...], after: tuple[Claim, ...]) -> tuple[ClaimChange, ...]:
    old = {c.id: c for c in before}
    new = {c.id: c for c in after}
    changes: list[ClaimChange] = []
    for claim_id in [c.id for c in after] + [c.id for c in before if c.id not in new]:
        a, b = old.get(claim_id), new.get(claim_id)
        if a is None:
            changes.append(ClaimChange(claim_id, "added", None, b, None, compare_evidence((), tuple(b.evidence))))  # type: ignore[union-attr]
        elif b is None:
            changes.append(ClaimChange(claim_id, "removed", a, None, None, compare_evidence(tuple(a.evidence), ())))
        elif a != b:
            evidence = compare_evidence(tuple(a.evidence), tuple(b.evidence))
            if a.text != b.text:
                changes.append(ClaimChange(claim_id, "reworded", a, b, WordDiff.between(a.text, b.text), evidence))
            elif evidence:
                changes.append(ClaimChange(claim_id, "evidence", a, b, None, evidence))
            else:
                changes.append(ClaimChange(claim_id, "confidence", a, b, None, ()))
    return tuple(changes)


def compare_positions(before: tuple[Position, ...], after: tuple[Position, ...],
                      thesis_after: Thesis | None = None) -> tuple[PositionChange, ...]:
    """Positions matched by asset. A direction change outranks a closing (a closed call that also
    flipped is reported as the flip); `thesis_after` dates a new position when it has no `opened`."""
    old = {p.asset: p for p in before}
    new = {p.asset: p for p in after}
    changes: list[PositionChange] = []
    for asset in [p.asset for p in after] + [p.asset for p in before if p.asset not in new]:
        a, b = old.get(asset), new.get(asset)
        if a is None:
            assert b is not None
            changes.append(PositionChange(asset, "added", None, b, opened_on(thesis_after, b) if thesis_after else b.opened))
        elif b is None:
            changes.append(PositionChange(asset, "removed", a, None))
        elif a.direction != b.direction:
            changes.append(PositionChange(asset, "direction", a, b))
        elif b.closed is not None and a.closed != b.closed:  # closed now, or its closing re-dated
            changes.append(PositionChange(asset, "closed", a, b, b.closed))
        elif a.closed is not None and b.closed is None:
            changes.append(PositionChange(asset, "reopened", a, b))
        elif a.because != b.because:
            changes.append(PositionChange(asset, "because", a, b))
        elif (a.role, a.rationale) != (b.role, b.rationale):
            changes.append(PositionChange(asset, "rationale", a, b))
        elif a != b:  # its opening date or reference price
            changes.append(PositionChange(asset, "dates", a, b))
    return tuple(changes)


def compare_thesis(before: Thesis | None, after: Thesis | None,
                   strength: tuple[str, str] | None = None, proof: tuple[str, str] | None = None) -> ThesisChange | None:
    """Claim-level change of one thesis; None when nothing the report covers changed."""
    if before is None and after is None:
        return None
    if before is None:
        return ThesisChange(after.id, after.title, "added", compare_claims((), tuple(after.claims)),  # type: ignore[union-attr]
                            compare_positions((), tuple(after.assets), after), proof=proof, strength=strength)  # type: ignore[union-attr]
    if after is None:
        return ThesisChange(before.id, before.title, "removed", proof=proof, strength=strength)
    change = ThesisChange(
        after.id, after.title, "changed",
        claims=compare_claims(tuple(before.claims), tuple(after.claims)),
        positions=compare_positions(tuple(before.assets), tuple(after.assets), after),
        status=(before.status, after.status) if before.status != after.status else None,
        review=(before.review, after.review) if before.review != after.review else None,
        title_before=before.title if before.title != after.title else None,
        proof=proof if proof and proof[0] != proof[1] else None,
        strength=strength if strength and strength[0] != strength[1] else None,
    )
    if not (change.claims or change.positions or change.status or change.review
            or change.title_before or change.proof):
        return None
    return change


def find_renames(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[Rename, ...]:
    """Renames between two states of one kind: each head-only id matched with the first id of its
    `renamed_from` that only the base has (one base id goes to one head id at most)."""
    renames: list[Rename] = []
    taken: set[str] = set()
    for new_id in sorted(set(new) - set(old)):
        for old_id in getattr(new[new_id], "renamed_from", ()):
            if old_id in old and old_id not in new and old_id not in taken:
                taken.add(old_id)
                renames.append(Rename(kind, old_id, new_id, _label(new[new_id])))
                break
    return tuple(renames)


def compare_publications(base: Publication, head: Publication, base_name: str, head_name: str) -> ChangeReport:
    entities: list[EntityChange] = []
    renames: list[Rename] = []
    kinds: tuple[tuple[str, Mapping[str, Any], Mapping[str, Any]], ...] = (
        ("source", base.graph.sources, head.graph.sources), ("thesis", base.graph.theses, head.graph.theses),
        ("asset", base.graph.assets, head.graph.assets), ("person", base.graph.people, head.graph.people),
    )
    for kind, old, new in kinds:
        found = find_renames(kind, old, new)
        renames.extend(found)
        renamed = {r.old_id for r in found} | {r.new_id for r in found}
        for entity_id in sorted((set(old) | set(new)) - renamed):
            if entity_id not in old:
                entities.append(EntityChange(kind, entity_id, "added", _label(new[entity_id])))
            elif entity_id not in new:
                entities.append(EntityChange(kind, entity_id, "removed", _label(old[entity_id])))
    previous_id = {r.new_id: r.old_id for r in renames if r.kind == "thesis"}
    renamed_away = set(previous_id.values())
    theses: list[ThesisChange] = []
    for thesis_id in sorted((set(base.graph.theses) | set(head.graph.theses)) - renamed_away):
        base_id = previous_id.get(thesis_id, thesis_id)
        before, after = base.graph.theses.get(base_id), head.graph.theses.get(thesis_id)
        proof_before, proof_after = base.proofs.get(base_id), head.proofs.get(thesis_id)
        strength = (proof_before.strength if proof_before else "none", proof_after.strength if proof_after else "none")
        line = (proof_before.line if proof_before else "", proof_after.line if proof_after else "")
        change = compare_thesis(before, after, strength, line)
        if change is not None:
            theses.append(change if base_id == thesis_id else dataclasses.replace(change, renamed_from=base_id))
    return ChangeReport(base_name, head_name, tuple(entities), tuple(theses), tuple(renames))


def _label(model: object) -> str:
    return str(getattr(model, "title", None) or getattr(model, "name", None) or getattr(model, "id", ""))
