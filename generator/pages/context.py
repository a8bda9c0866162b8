"""What every page maker may need besides the publication, decided once per build (`PageContext`).

The build reads mkdocs.yml's settings, the git history and the edition once and hands this one
value to every maker, so no maker takes the disclaimer, the address or the dates on its own and
a new setting reaches the pages through one field. The renderer (and its link style) is not here:
pages are the same whichever renderer presents them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from ..history import ThesisHistory, fallback_history
from ..publication import Publication
from .urls import SiteAddress

if TYPE_CHECKING:
    from .edition import EditionNote
    from .paging import RowMeasure, SplitMemo


@dataclass(frozen=True)
class PageContext:
    disclaimer: str
    """The footer every page about positions carries (mkdocs.yml `extra.disclaimer`)."""
    address: SiteAddress
    """Where this build's files answer: absolute links (JSON-LD, subscribe links) start here."""
    dates: Mapping[str, ThesisHistory]
    """Per thesis id: its dates and change log (git's where known, see `thesis_dates`)."""
    edition: EditionNote | None = None
    """The edition being published, or None for a plain build (the changes page says so)."""
    measure_rows: RowMeasure | None = None
    """Renders a listing's template as the build does, so its rows are measured as written
    (`paging`); without it (a plan made without templates) rows are bounded from their view models."""
    remembered_split: SplitMemo | None = None
    """A long-lived process's memory of each listing's split (`paging.measured_pages`)."""


def thesis_dates(publication: Publication, history: Mapping[str, ThesisHistory] | None) -> Mapping[str, ThesisHistory]:
    """Git dates where known; the thesis's `opened` date otherwise (SPEC §3)."""
    history = history or {}
    dates: dict[str, ThesisHistory] = {}
    for thesis_id, thesis in publication.graph.theses.items():
        dates[thesis_id] = history.get(thesis_id) or fallback_history(thesis)
    return MappingProxyType(dates)
