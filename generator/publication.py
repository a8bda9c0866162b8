"""The sealed publication: the linked graph and the facts derived from it (source proof, stance).

Its own module, below everything that reads it (pages, export, feeds, cards, compare, review), so
none of them depends on the pipeline that makes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .graph import ThesisGraph
from .proof import SourceProof, derive_source_proof
from .stance import Stance, derive_stance


@dataclass(frozen=True)
class Publication:
    """The sealed graph and everything derived from it; what pages and exports are made from."""

    graph: ThesisGraph
    proofs: Mapping[str, SourceProof]
    stances: Mapping[str, Stance]


def derive_publication(graph: ThesisGraph) -> Publication:
    proofs = {thesis_id: derive_source_proof(thesis, graph) for thesis_id, thesis in graph.theses.items()}
    stances = {asset_id: derive_stance(asset_id, graph) for asset_id in graph.assets}
    return Publication(graph, MappingProxyType(proofs), MappingProxyType(stances))
