"""The release gate of `check --require-review`: active theses must carry a current review.

A review is current when its status is `reviewed`, it has a date, and no commit changed a claim
after the last commit that set the review (git commit order; without history, the date must
not precede the thesis's `opened`).
"""

from __future__ import annotations

from typing import Mapping

from .diagnostics import Diagnostic
from .history import ThesisHistory
from .pipeline import CheckResult


def review_gate(result: CheckResult, histories: Mapping[str, ThesisHistory]) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    if result.publication is None:
        return diagnostics
    for thesis_id, thesis in result.publication.graph.theses.items():
        if thesis.status != "active":
            continue
        document = result.documents[("thesis", thesis_id)].document
        review = thesis.review
        if review is None or review.status != "reviewed":
            line, column = document.locate(("review",) if review else ())
            state = review.status if review else "no review"
            diagnostics.append(Diagnostic(document.relpath, line, column, "review.missing", "review" if review else "",
                                          f"active thesis '{thesis_id}' is not reviewed ({state})",
                                          "add review: {status: reviewed, by: <person>, on: <date>}"))
            continue
        history = histories.get(thesis_id)
        last_claim_change = max((c.last_changed for c in history.claims.values()), default=None) if history else None
        if history is not None and history.from_git:
            stale = history.claims_changed_after_review
        else:
            stale = review.on is not None and review.on < thesis.opened
        if review.on is None or stale:
            line, column = document.locate(("review", "on") if review.on else ("review",))
            diagnostics.append(Diagnostic(document.relpath, line, column, "review.stale", "review.on",
                                          f"review of {review.on or 'unknown date'} is older than the last claim change"
                                          f" on {last_claim_change}", "review the changed claims and update `on`"))
    return diagnostics
