"""Dated calls: since when a position stands, whether it is closed, and whether it moves the stance.

Written once, here, and read by the stance, the pages, the export, `review` and the feeds:

- a position is opened on its own `opened` date, else on its thesis's `opened`;
- it is closed when it has a `closed` date (`check` keeps that date on or after the opening);
- it counts toward the asset's stance when its thesis is active or monitoring and the position
  is not closed (`counts_toward_stance`). A closed position stays on the pages, marked
  "closed on ...", as a draft or closed thesis's positions do.
"""

from __future__ import annotations

import datetime as dt

from .models import COUNTED_STATUSES, Position, Thesis, status_counts_toward_stance

__all__ = ["COUNTED_STATUSES", "call_dates", "counts_toward_stance", "is_closed", "opened_on", "price_text", "reference_text"]


def opened_on(thesis: Thesis, position: Position) -> dt.date:
    """The day the call was made: the position's own `opened`, else its thesis's."""
    return position.opened or thesis.opened


def is_closed(position: Position) -> bool:
    return position.closed is not None


def counts_toward_stance(thesis: Thesis, position: Position) -> bool:
    """The one rule for what the stance counts: an open position of an active or monitoring thesis."""
    return status_counts_toward_stance(thesis.status) and not is_closed(position)


def call_dates(thesis: Thesis, position: Position) -> str:
    """How every page words a call's dates: 'since 2026-05-28' or 'closed on 2026-09-01 (opened 2026-05-28)'."""
    opened = opened_on(thesis, position).isoformat()
    if position.closed is not None:
        return f"closed on {position.closed.isoformat()} (opened {opened})"
    return f"since {opened}"


def reference_text(position: Position) -> str:
    """'123.45 USD on 2026-05-28 (Nasdaq official close)', or '' without a reference price."""
    reference = position.reference
    if reference is None:
        return ""
    return f"{price_text(reference.price)} {reference.currency} on {reference.on.isoformat()} ({reference.source})"


def price_text(price: float) -> str:
    """A price as a decimal, never in exponent notation (1e-05 → 0.00001)."""
    text = format(price, "f") if "e" in repr(price) else repr(price)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
