"""What the edition being built is: the note `publish` hands to the build and the pages read.

In the pages package, beside the URLs it carries (`urls.SiteAddress`), and above `compare`,
whose report it carries, so build, publish and the pages import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..compare import ChangeReport
from .urls import SiteAddress


@dataclass(frozen=True)
class EditionNote:
    """What the edition being built is, what it changes against the previous one, and where it answers."""

    version: str
    changes: ChangeReport | None
    address: SiteAddress
