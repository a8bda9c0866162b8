"""Derive: the stance on each asset, counted across the open positions of active and monitoring
theses (SPEC §3; the rule is `calls.counts_toward_stance`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .calls import counts_toward_stance
from .graph import ThesisGraph
from .models import DIRECTIONS

__all__ = ["NetStance", "Stance", "derive_stance"]

NetStance = Literal["net long", "net short", "balanced", "watch only", "no stance"]


@dataclass(frozen=True)
class Stance:
    asset_id: str
    long: int
    short: int
    neutral: int
    watch: int

    @property
    def total(self) -> int:
        return self.long + self.short + self.neutral + self.watch

    @property
    def net(self) -> NetStance:
        if self.long > self.short:
            return "net long"
        if self.short > self.long:
            return "net short"
        if self.long:
            return "balanced"
        if self.neutral:
            return "balanced"
        return "watch only" if self.watch else "no stance"


def derive_stance(asset_id: str, graph: ThesisGraph) -> Stance:
    counts = dict.fromkeys(DIRECTIONS, 0)
    for ref in graph.positions_by_asset.get(asset_id, ()):
        if counts_toward_stance(graph.theses[ref.thesis_id], ref.position):
            counts[ref.position.direction] += 1
    return Stance(asset_id, **counts)
