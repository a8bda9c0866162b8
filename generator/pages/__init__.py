"""Pages: publication → the page plan (docs-tree path, page kind, view-model maker per page).

This package is the one place that decides URLs, slugs, anchors, sorting and what each page
shows; templates only present what it hands them. See `urls` for the URL scheme, `kinds` for the
registry of page kinds and `context` for what the build hands every maker.
"""

from __future__ import annotations

from ..siteconfig import DEFAULT_DISCLAIMER
from . import urls
from .context import PageContext, thesis_dates
from .edition import EditionNote
from .kinds import KINDS, PageKind, PlannedPage, plan_pages
from ..history import ThesisHistory

__all__ = ["DEFAULT_DISCLAIMER", "KINDS", "EditionNote", "PageContext", "PageKind", "PlannedPage", "ThesisHistory",
           "plan_pages", "thesis_dates", "urls"]
