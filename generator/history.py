"""Derive: when each thesis and claim was first published and last changed, with a change log.

One `git log --raw` pass lists every commit touching content/ with the old and new blob of each
file; one `cat-file --batch` reads those blobs; `compare` turns each thesis change into a
claim-level summary. Without git history every date falls back to the thesis's `opened`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .compare import PositionChange, compare_thesis
from .gitrepo import Commit, GitError, GitRepository
from .graph import ThesisGraph
from .load import load_document
from .models import Thesis
from .validate import validate_document

_THESIS_PREFIX = "content/theses/"


@dataclass(frozen=True)
class ChangeEntry:
    date: dt.date
    commit: str
    author: str
    summary: str
    timestamp: int = 0
    """Commit time (Unix seconds), for feeds that need more than the day."""


@dataclass(frozen=True)
class AssetEvent:
    """A position on an asset opened, changed or closed by a commit (for the asset's feed)."""

    timestamp: int
    commit: str
    author: str
    thesis_id: str
    asset_id: str
    change: str
    summary: str


@dataclass(frozen=True)
class ClaimHistory:
    first_published: dt.date
    last_changed: dt.date


@dataclass(frozen=True)
class PublicationHistory:
    theses: Mapping[str, ThesisHistory]
    asset_events: Mapping[str, tuple[AssetEvent, ...]]


@dataclass(frozen=True)
class ThesisHistory:
    first_published: dt.date
    last_changed: dt.date
    entries: tuple[ChangeEntry, ...]
    claims: Mapping[str, ClaimHistory]
    from_git: bool
    claims_changed_after_review: bool = False
    """True when a commit changed a claim after the last commit that set or changed `review`
    (commit order, not dates: a review written before its commit is still current)."""


def _date(timestamp: int) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).date()


def _parse_thesis(path: str, raw: bytes) -> Thesis | None:
    stem, extension = os.path.splitext(os.path.basename(path))
    document, _ = load_document(path, "thesis", stem, raw, "markdown" if extension == ".md" else "yaml")
    if document is None:
        return None
    valid, _ = validate_document(document)
    return valid.model if valid is not None else None  # type: ignore[return-value]


def fallback_history(thesis: Thesis) -> ThesisHistory:
    claims = {claim.id: ClaimHistory(thesis.opened, thesis.opened) for claim in thesis.claims}
    return ThesisHistory(thesis.opened, thesis.opened, (), MappingProxyType(claims), False)


def thesis_histories(root: Path, graph: ThesisGraph) -> Mapping[str, ThesisHistory]:
    """History of every thesis in the graph (fallback dates for those git does not know)."""
    return publication_history(root, graph).theses


def _position_event(commit: Commit, thesis_id: str, position: PositionChange) -> AssetEvent:
    before, after = position.before, position.after
    day = _date(commit.timestamp).isoformat()
    if position.change == "added":
        assert after is not None
        opened = position.on.isoformat() if position.on else day
        change, summary = "opened", f"{after.direction} position opened on {opened} in {thesis_id}"
    elif position.change == "closed":
        assert after is not None and position.on is not None
        change, summary = "closed", f"{after.direction} position closed on {position.on.isoformat()} in {thesis_id}"
    elif position.change == "removed":
        assert before is not None
        change, summary = "closed", f"{before.direction} position closed on {day} in {thesis_id}"  # removed: closed that day
    elif position.change == "reopened":
        assert after is not None
        change, summary = "opened", f"{after.direction} position reopened on {day} in {thesis_id}"
    else:
        change, summary = "changed", f"{position.describe()} in {thesis_id}"
    return AssetEvent(commit.timestamp, commit.short, commit.author, thesis_id, position.asset, change, summary)


@dataclass(frozen=True)
class CommittedHistory:
    """What git says about the theses, independent of the work tree: the part of a
    `PublicationHistory` worth keeping while HEAD stays where it is (the live preview does)."""

    head: str | None
    first: Mapping[str, dt.date]
    last: Mapping[str, dt.date]
    entries: Mapping[str, list[ChangeEntry]]
    claim_first: Mapping[str, Mapping[str, dt.date]]
    claim_last: Mapping[str, Mapping[str, dt.date]]
    events: Mapping[str, list[AssetEvent]]
    unreviewed: frozenset[str]
    """Theses whose claims changed in a commit after the last one that touched their review."""


def head_of(root: Path) -> str | None:
    """The commit HEAD names, or None outside a repository or before the first commit."""
    try:
        return GitRepository(root).resolve("HEAD")
    except GitError:
        return None


def committed_history(root: Path, known: Mapping[tuple[str, str], Thesis] = MappingProxyType({})) -> CommittedHistory:
    """One pass over `git log` of content/: thesis dates, change entries and position events.
    `known`: (path, git's blob id) → the model a check made of those very bytes at that path (the
    work tree's theses, `pipeline.CheckResult.theses_by_blob`), neither read from git nor parsed again."""
    repository = GitRepository(root)
    head = head_of(root)
    commits: list[Commit] = repository.content_log() if head is not None else []
    thesis_changes = [(commit, change) for commit in commits for change in commit.changes
                      if change.path.startswith(_THESIS_PREFIX)]
    try:
        blobs = repository.read_blobs([b for _, c in thesis_changes for b in (c.old_blob, c.new_blob)
                                       if b and (c.path, b) not in known])
    except GitError:
        blobs = {}
    parsed: dict[tuple[str, str], Thesis | None] = dict(known)

    def thesis_of(path: str, blob: str | None) -> Thesis | None:
        if blob is None:
            return None
        if (path, blob) not in parsed:
            parsed[(path, blob)] = _parse_thesis(path, blobs[blob]) if blob in blobs else None
        return parsed[(path, blob)]

    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    entries: dict[str, list[ChangeEntry]] = {}
    claim_first: dict[str, dict[str, dt.date]] = {}
    claim_last: dict[str, dict[str, dt.date]] = {}
    events: dict[str, list[AssetEvent]] = {}
    last_review_step: dict[str, int] = {}
    last_claim_step: dict[str, int] = {}
    for step, (commit, change) in enumerate(thesis_changes):
        before, after = thesis_of(change.path, change.old_blob), thesis_of(change.path, change.new_blob)
        either = after or before
        thesis_id = either.id if either else None
        if thesis_id is None:
            continue
        diff = compare_thesis(before, after)
        if diff is None:
            continue
        day = _date(commit.timestamp)
        first.setdefault(thesis_id, day)
        last[thesis_id] = day
        entries.setdefault(thesis_id, []).append(ChangeEntry(day, commit.short, commit.author, diff.summary(),
                                                             commit.timestamp))
        for position in diff.positions:
            events.setdefault(position.asset, []).append(_position_event(commit, thesis_id, position))
        if diff.change == "removed" and before is not None:
            for held in before.assets:
                events.setdefault(held.asset, []).append(AssetEvent(
                    commit.timestamp, commit.short, commit.author, thesis_id, held.asset, "closed",
                    f"{held.direction} position closed: thesis {thesis_id} removed"))
        if diff.claims:
            last_claim_step[thesis_id] = step
        if diff.review or (diff.change == "added" and after is not None and after.review is not None):
            last_review_step[thesis_id] = step
        for claim in diff.claims:
            if claim.change != "removed":
                claim_first.setdefault(thesis_id, {}).setdefault(claim.claim_id, day)
                claim_last.setdefault(thesis_id, {})[claim.claim_id] = day

    return CommittedHistory(head, first, last, entries, claim_first, claim_last, events,
                            frozenset(t for t in last_claim_step if last_claim_step[t] > last_review_step.get(t, -1)))


def current_committed_history(root: Path, cached: CommittedHistory | None,
                              known: Mapping[tuple[str, str], Thesis] = MappingProxyType({})) -> CommittedHistory:
    """`cached` while HEAD has not moved since it was taken; else a new pass over `git log`,
    taking the theses in `known` (see `committed_history`: the last check's, for a long-lived process)."""
    if cached is not None and cached.head is not None and cached.head == head_of(root):
        return cached
    return committed_history(root, known)


def publication_history(root: Path, graph: ThesisGraph, committed: CommittedHistory | None = None) -> PublicationHistory:
    """Thesis histories (git's where it has one, else from `opened`) and per-asset position
    events, from `committed` (see `current_committed_history`) or a pass over `git log`."""
    if committed is None:
        committed = committed_history(root)
    first, last, entries = committed.first, committed.last, committed.entries
    claim_first, claim_last, events = committed.claim_first, committed.claim_last, committed.events
    histories: dict[str, ThesisHistory] = {}
    for thesis_id, thesis in graph.theses.items():
        if thesis_id not in first:
            histories[thesis_id] = fallback_history(thesis)
            continue
        claims = {}
        for claim in thesis.claims:
            claim_start = claim_first.get(thesis_id, {}).get(claim.id, first[thesis_id])
            claims[claim.id] = ClaimHistory(claim_start, claim_last.get(thesis_id, {}).get(claim.id, claim_start))
        histories[thesis_id] = ThesisHistory(first[thesis_id], last[thesis_id], tuple(reversed(entries[thesis_id])),
                                             MappingProxyType(claims), True, thesis_id in committed.unreviewed)
    return PublicationHistory(MappingProxyType(histories),
                              MappingProxyType({asset: tuple(reversed(items)) for asset, items in sorted(events.items())}))
