"""The track record: how closed theses turned out, written once here (and on the Method page).

- Only `closed` theses are listed. Each shows its outcome's verdict, or "no outcome recorded"
  (`check` warns about those: `thesis.no-outcome`).
- How long a thesis was open: the days from its `opened` to its outcome's `on`.
- Counts per author: each closed thesis counts once for each of its authors, by verdict.
  `right`, `wrong` and `mixed` are *judged* and make up the record; `withdrawn` (abandoned before
  it could be judged) and a closed thesis without an outcome are listed and counted apart, never
  as right or wrong. No score is derived beyond these counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable

from .diagnostics import Diagnostic
from .graph import ThesisGraph
from .models import Thesis

JUDGED_VERDICTS = ("right", "wrong", "mixed")
"""Verdicts that judge the thesis's claims; `withdrawn` judges nothing."""


@dataclass(frozen=True)
class ClosedThesis:
    thesis_id: str
    verdict: str | None
    """The outcome's verdict, or None when the closed thesis records no outcome."""
    opened: dt.date
    outcome_on: dt.date | None
    note: str | None

    @property
    def days_open(self) -> int | None:
        return (self.outcome_on - self.opened).days if self.outcome_on is not None else None


@dataclass(frozen=True)
class VerdictCounts:
    right: int = 0
    wrong: int = 0
    mixed: int = 0
    withdrawn: int = 0
    unrecorded: int = 0

    @property
    def judged(self) -> int:
        return sum(getattr(self, verdict) for verdict in JUDGED_VERDICTS)

    def plus(self, verdict: str | None) -> VerdictCounts:
        name = verdict or "unrecorded"
        return VerdictCounts(**{**self.__dict__, name: getattr(self, name) + 1})


@dataclass(frozen=True)
class TrackRecord:
    closed: tuple[ClosedThesis, ...]
    """Newest outcome first; theses without an outcome last, newest opened first."""
    by_author: tuple[tuple[str, VerdictCounts], ...]
    """(person id, counts), by number of closed theses then id."""
    total: VerdictCounts


def closed_thesis(thesis: Thesis) -> ClosedThesis:
    outcome = thesis.outcome
    return ClosedThesis(thesis.id, outcome.verdict if outcome else None, thesis.opened,
                        outcome.on if outcome else None, outcome.note if outcome else None)


def derive_track_record(graph: ThesisGraph) -> TrackRecord:
    closed = [closed_thesis(t) for t in graph.theses.values() if t.status == "closed"]
    closed.sort(key=lambda c: (c.outcome_on is None, -(c.outcome_on or c.opened).toordinal(),
                               graph.theses[c.thesis_id].title.casefold(), c.thesis_id))
    total = VerdictCounts()
    authors: dict[str, VerdictCounts] = {}
    for item in closed:
        total = total.plus(item.verdict)
        for person_id in dict.fromkeys(graph.theses[item.thesis_id].authors):
            authors[person_id] = authors.get(person_id, VerdictCounts()).plus(item.verdict)
    by_author = sorted(authors.items(), key=lambda pair: (-(pair[1].judged + pair[1].withdrawn + pair[1].unrecorded), pair[0]))
    return TrackRecord(tuple(closed), tuple(by_author), total)


def outcome_diagnostics(theses: Iterable[tuple[Thesis, str, Callable[[], tuple[int, int]]]]) -> list[Diagnostic]:
    """`thesis.no-outcome` for each closed thesis without an outcome: (thesis, file, where its
    `status` is written), asked only of a thesis reported (a document's positions are read when first asked)."""
    return [Diagnostic(file, *status_at(), "thesis.no-outcome", "status",
                       f"thesis '{thesis.id}' is closed but records no outcome",
                       "add outcome: {on: <date>, verdict: right|wrong|mixed|withdrawn, note: <what happened>}")
            for thesis, file, status_at in theses if thesis.status == "closed" and thesis.outcome is None]
