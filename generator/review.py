"""`thesis-site review BASE [HEAD]`: the claim-level change report between two revisions.

Input: two git revisions (HEAD may be the work tree). Output: a `ChangeReport` rendered as
Markdown (a pull-request comment), JSON (a stable, documented shape) or GitHub annotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .compare import ChangeReport, ClaimChange, EvidenceChange, ThesisChange, WordDiff, compare_publications
from .console import github_command, json_text, printable
from .gitrepo import GitRepository
from .load import KeyPath
from .models import Evidence, Review
from .pipeline import CheckResult, check_project, check_snapshot
from .proof import STRENGTH_RANK
from .settings import ProjectPaths

REPORT_FORMAT_VERSION = 1
WORK_TREE = "work tree"

FAIL_CONDITIONS: dict[str, str] = {
    "flip-unreviewed": "a position's direction changed and the thesis review was not renewed",
    "dropped-quote": "evidence was removed from a claim",
    "claim-removed": "a claim was removed",
    "proof-downgrade": "a thesis's proof strength went down",
    "any-change": "anything in the report changed",
}
_STRENGTH_RANK = {"none": 0, **STRENGTH_RANK}


@dataclass(frozen=True)
class ReviewInput:
    report: ChangeReport
    head: CheckResult


def content_at(paths: ProjectPaths, revision: str | None) -> CheckResult:
    """The checked publication at a git revision, read from git objects; None means the work tree."""
    if revision is None:
        return check_project(paths, jobs=1)
    repository = GitRepository(paths.root)
    blobs = repository.content_blobs(revision)
    contents = repository.read_blobs(list(blobs.values()))
    return check_snapshot({path: contents.get(blob) for path, blob in blobs.items()})


def review_revisions(paths: ProjectPaths, base: str, head: str | None) -> ReviewInput:
    base_result = content_at(paths, base)
    head_result = content_at(paths, head)
    assert base_result.publication and head_result.publication
    report = compare_publications(base_result.publication, head_result.publication, base, head or WORK_TREE)
    return ReviewInput(report, head_result)


def failed_conditions(report: ChangeReport, conditions: list[str]) -> list[str]:
    """The named conditions that hold, each as a sentence naming the thesis."""
    failures: list[str] = []
    for thesis in report.theses:
        reviewed_now = thesis.review is not None and thesis.review[1] is not None and thesis.review[1].status == "reviewed"
        if "flip-unreviewed" in conditions and thesis.flipped and not reviewed_now:
            failures.append(f"{thesis.thesis_id}: direction changed without a renewed review")
        if "dropped-quote" in conditions and thesis.dropped_evidence:
            failures.append(f"{thesis.thesis_id}: {len(thesis.dropped_evidence)} evidence item(s) dropped")
        if thesis.change == "removed":
            if "claim-removed" in conditions or "dropped-quote" in conditions:
                failures.append(f"{thesis.thesis_id}: the thesis and its claims and evidence were removed")
            continue
        if "claim-removed" in conditions and any(c.change == "removed" for c in thesis.claims):
            failures.append(f"{thesis.thesis_id}: a claim was removed")
        if "proof-downgrade" in conditions and thesis.strength and \
                _STRENGTH_RANK[thesis.strength[1]] < _STRENGTH_RANK[thesis.strength[0]]:
            failures.append(f"{thesis.thesis_id}: proof {thesis.strength[0]} → {thesis.strength[1]}")
    if "any-change" in conditions and not report.is_empty:
        failures.append("the content changed")
    return failures


# --------------------------------------------------------------------------- markdown


def _words(diff: WordDiff) -> str:
    rendered = []
    for op, words in diff.runs:
        escaped = _md(words)
        rendered.append(escaped if op == "=" else (f"~~{escaped}~~" if op == "-" else f"**{escaped}**"))
    return " ".join(rendered)


def _md(text: str) -> str:
    """Escape contributor text for a Markdown comment (no HTML, no links, no emphasis), on one
    line, with control characters shown escaped as in terminal output."""
    out = text.replace("\\", "\\\\")
    for char in "`*_[]<>|#~":
        out = out.replace(char, "\\" + char)
    return printable(" ".join(out.split()))


def _evidence_line(change: EvidenceChange) -> str:
    if change.change == "changed" and change.before and change.after:
        details = []
        for what in change.what:
            if what == "quote":
                details.append(f"quote “{_md(change.before.quote)}” → “{_md(change.after.quote)}”")
            elif what == "locator":
                details.append(f"locator `{change.before.at}` → `{change.after.at}`")
            else:
                details.append(f"paraphrase {str(change.before.paraphrase).lower()} → {str(change.after.paraphrase).lower()}")
        return f"  - evidence changed ({change.source}): " + "; ".join(details)
    item = change.after or change.before
    assert item is not None
    marker = "➕ evidence added" if change.change == "added" else "➖ evidence dropped"
    kind = "paraphrase" if item.paraphrase else "quote"
    return f"  - {marker}: {kind} “{_md(item.quote)}” — `{item.source}` at `{item.at}`"


def _claim_lines(claim: ClaimChange) -> list[str]:
    if claim.change == "added" and claim.after:
        lines = [f"- ➕ **`{claim.claim_id}` added**: {_md(claim.after.text)}"]
    elif claim.change == "removed" and claim.before:
        lines = [f"- ➖ **`{claim.claim_id}` removed**: ~~{_md(claim.before.text)}~~"]
    elif claim.change == "reworded" and claim.wording:
        lines = [f"- ✏️ **`{claim.claim_id}` reworded**: {_words(claim.wording)}"]
    elif claim.change == "confidence" and claim.before and claim.after:
        lines = [f"- **`{claim.claim_id}`** confidence {claim.before.confidence} → {claim.after.confidence}"]
    else:
        lines = [f"- **`{claim.claim_id}`** evidence changed"]
    if claim.change != "removed":
        lines += [_evidence_line(e) for e in claim.evidence]
    return lines


def _review_label(review: Review | None) -> str:
    if review is None:
        return "none"
    details = ", ".join(part for part in (f"by {review.by}" if review.by else "", f"on {review.on}" if review.on else "") if part)
    return f"{review.status} ({details})" if details else review.status


def _thesis_markdown(thesis: ThesisChange) -> list[str]:
    renamed = f", renamed from `{thesis.renamed_from}`" if thesis.renamed_from else ""
    lines = [f"### {_md(thesis.title)} (`{thesis.thesis_id}`) — {thesis.change}{renamed}", ""]
    if thesis.change == "removed":
        return lines
    if thesis.title_before:
        lines.append(f"- Title: {_md(thesis.title_before)} → {_md(thesis.title)}")
    if thesis.status:
        lines.append(f"- Status: {thesis.status[0]} → {thesis.status[1]}")
    if thesis.review:
        before, after = (_review_label(r) for r in thesis.review)
        lines.append(f"- Review: {before} → {after}")
    if thesis.proof:
        lines.append(f"- Source proof: {thesis.proof[0] or '—'} → **{thesis.proof[1]}**")
    if thesis.claims:
        lines += ["**Claims**", ""] if lines[-1] == "" else ["", "**Claims**", ""]
        for claim in thesis.claims:
            lines += _claim_lines(claim)
    if thesis.positions:
        lines += ([] if lines[-1] == "" else [""]) + ["**Positions**", "", "| asset | change | before | after |", "|---|---|---|---|"]
        for position in thesis.positions:
            before = f"{position.before.direction} ← {', '.join(position.before.because) or '—'}" if position.before else "—"
            after = f"{position.after.direction} ← {', '.join(position.after.because) or '—'}" if position.after else "—"
            label: str = "⚠️ direction" if position.change == "direction" else position.change
            if position.on is not None:  # a position added (opened on) or closed (closed on), with its date
                label = f"{label} on {position.on.isoformat()}" if position.change == "closed" else f"{label}, opened {position.on.isoformat()}"
            lines.append(f"| {position.asset} | {label} | {before} | {after} |")
    return lines + [""]


def report_markdown(report: ChangeReport) -> str:
    lines = [f"## Claim review: `{printable(report.base)}` → `{printable(report.head)}`", ""]
    if report.is_empty:
        return "\n".join(lines + ["No change to sources, theses, assets or people.", ""])
    flips = sum(len(t.flipped) for t in report.theses)
    claims = sum(len(t.claims) for t in report.theses)
    renamed = f", {len(report.renames)} renamed" if report.renames else ""
    lines.append(f"{len(report.theses)} thesis change(s), {claims} claim change(s), {flips} direction flip(s), "
                 f"{len(report.entities)} file(s) added or removed{renamed}.")
    lines.append("")
    if report.entities:
        lines += ["| kind | id | change | title |", "|---|---|---|---|"]
        lines += [f"| {e.kind} | `{e.entity_id}` | {e.change} | {_md(e.title)} |" for e in report.entities]
        lines.append("")
    if report.renames:
        lines += [f"- {r.kind} `{r.old_id}` renamed to `{r.new_id}` ({_md(r.title)}); the old URL redirects"
                  for r in report.renames]
        lines.append("")
    for thesis in report.theses:
        lines += _thesis_markdown(thesis)
    return "\n".join(lines)


# --------------------------------------------------------------------------- json


def _evidence_json(change: EvidenceChange) -> dict[str, Any]:
    def item(e: Evidence | None) -> dict[str, Any] | None:
        return None if e is None else {"source": e.source, "at": e.at, "quote": e.quote, "paraphrase": e.paraphrase}
    return {"change": change.change, "source": change.source, "fields": change.what,
            "before": item(change.before), "after": item(change.after)}


def report_json(report: ChangeReport) -> dict[str, Any]:
    """The documented JSON shape (`format_version` 1); keys are only ever added."""
    theses = []
    for thesis in report.theses:
        theses.append({
            "id": thesis.thesis_id, "title": thesis.title, "change": thesis.change, "summary": thesis.summary(),
            "title_before": thesis.title_before,
            "status": list(thesis.status) if thesis.status else None,
            "review": [None if r is None else {"status": r.status, "by": r.by, "on": r.on.isoformat() if r.on else None}
                       for r in thesis.review] if thesis.review else None,
            "proof": list(thesis.proof) if thesis.proof else None,
            "strength": list(thesis.strength) if thesis.strength else None,
            "renamed_from": thesis.renamed_from,
            "claims": [{
                "id": c.claim_id, "change": c.change,
                "text_before": c.before.text if c.before else None, "text_after": c.after.text if c.after else None,
                "word_diff": [list(run) for run in c.wording.runs] if c.wording else None,
                "evidence": [_evidence_json(e) for e in c.evidence],
            } for c in thesis.claims],
            "positions": [{
                "asset": p.asset, "change": p.change,
                "before": {"direction": p.before.direction, "because": list(p.before.because)} if p.before else None,
                "after": {"direction": p.after.direction, "because": list(p.after.because)} if p.after else None,
                "on": p.on.isoformat() if p.on else None,
            } for p in thesis.positions],
        })
    return {
        "format_version": REPORT_FORMAT_VERSION, "base": report.base, "head": report.head,
        "entities": [{"kind": e.kind, "id": e.entity_id, "change": e.change, "title": e.title} for e in report.entities],
        "theses": theses,
        "renames": [{"kind": r.kind, "from": r.old_id, "to": r.new_id, "title": r.title} for r in report.renames],
    }


# --------------------------------------------------------------------------- github


def report_github(review: ReviewInput) -> str:
    """`::notice` per change and `::warning` per direction flip or dropped quote, at the head's lines."""
    lines: list[str] = []

    def annotate(level: str, thesis_id: str, path: KeyPath, message: str) -> None:
        document = review.head.documents.get(("thesis", thesis_id))
        if document is None:
            return
        line, column = document.document.locate(path)
        properties = {"file": document.document.relpath, "line": line, "col": column, "title": "claim review"}
        lines.append(github_command(level, properties, message))

    for rename in review.report.renames:
        document = review.head.documents.get((rename.kind, rename.new_id))
        if document is not None:
            line, column = document.document.locate(("renamed_from",))
            lines.append(f"::notice file={document.document.relpath},line={line},col={column},title=claim review::"
                         + rename.describe().replace("%", "%25").replace("\n", "%0A"))
    for thesis in review.report.theses:
        head_thesis = review.head.publication.graph.theses.get(thesis.thesis_id) if review.head.publication else None
        if head_thesis is None:
            continue
        claim_index = {c.id: i for i, c in enumerate(head_thesis.claims)}
        asset_index = {p.asset: i for i, p in enumerate(head_thesis.assets)}
        if thesis.change == "added":
            annotate("notice", thesis.thesis_id, (), f"new thesis: {thesis.title}")
            continue
        for claim in thesis.claims:
            if claim.claim_id not in claim_index:
                annotate("warning", thesis.thesis_id, ("claims",), f"claim '{claim.claim_id}' removed")
                continue
            path = ("claims", claim_index[claim.claim_id])
            level = "warning" if any(e.change == "removed" for e in claim.evidence) else "notice"
            annotate(level, thesis.thesis_id, path, f"claim '{claim.claim_id}' {claim.change}")
        for position in thesis.positions:
            if position.asset not in asset_index:
                annotate("warning", thesis.thesis_id, ("assets",), f"position on {position.asset} removed")
                continue
            path = ("assets", asset_index[position.asset])
            if position.change == "direction" and position.before and position.after:
                annotate("warning", thesis.thesis_id, (*path, "direction"),
                         f"{position.asset} {position.describe()}")
            else:
                dated = (f" on {position.on.isoformat()}" if position.change == "closed" else f", opened {position.on.isoformat()}") \
                    if position.on else ""
                annotate("notice", thesis.thesis_id, path, f"position on {position.asset} {position.change}{dated}")
        if thesis.strength:
            annotate("notice", thesis.thesis_id, ("title",), f"proof {thesis.strength[0]} → {thesis.strength[1]}")
    return "\n".join(lines)


def format_review(review: ReviewInput, fmt: str) -> str:
    if fmt == "json":
        return json_text(report_json(review.report))
    if fmt == "github":
        return report_github(review)
    return report_markdown(review.report)
