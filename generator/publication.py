"""The sealed publication: the linked graph and the facts derived from it (source proof, stance).

Its own module, below everything that reads it (pages, export, feeds, cards, compare, review), so
none of them depends on the pipeline that makes it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .freshness import DEFAULT_STALE_AFTER_DAYS

from .graph import ThesisGraph
from .caches import Memo
from .models import Thesis
from .proof import SourceProof, derive_source_proof, proof_inputs
from .stance import Stance, derive_stance


@dataclass(frozen=True)
class Publication:
    """The sealed graph and everything derived from it; what pages and exports are made from."""

    graph: ThesisGraph
    proofs: Mapping[str, SourceProof]
    stances: Mapping[str, Stance]
    stale: Mapping[str, dt.date] = field(default_factory=lambda: MappingProxyType({}))
    """Stale theses (`freshness`) → the day each was last changed or reviewed; empty when
    staleness was not measured (no publication date, or a snapshot of a git revision)."""
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    """The project's threshold (`extra.thesis_site.stale_after_days`), for the Method page."""


def derive_publication(graph: ThesisGraph, memo: Memo | None = None) -> Publication:
    """`memo`: each thesis's proof an earlier run in this process derived from the same thesis,
    citations, sources and speakers (`serve`)."""
    def proof(thesis: Thesis) -> SourceProof:
        derive = functools.partial(derive_source_proof, thesis, graph)
        return derive() if memo is None else memo.of_all("source proof", proof_inputs(thesis, graph), derive)

    proofs = {thesis_id: proof(thesis) for thesis_id, thesis in graph.theses.items()}
    stances = {asset_id: derive_stance(asset_id, graph) for asset_id in graph.assets}
    return Publication(graph, MappingProxyType(proofs), MappingProxyType(stances))
