"""Staleness: an active or monitoring thesis that nobody has changed or reviewed for too long.

The rule, written once here (and on the Method page):

- a thesis is *stale* when its status is `active` or `monitoring` and more than
  `stale_after_days` days separate the publication's date from the day it was last changed or
  reviewed: the latest of its `opened`, its last change in git history and its review's `on`;
- `stale_after_days` is set once, in mkdocs.yml (`extra: thesis_site: stale_after_days: 180`;
  default 180, a whole number of days, at least 1);
- the publication's date is SOURCE_DATE_EPOCH, else the day of the project's last commit (the
  same date a build of that commit prints), never the wall clock, so `check` and the build of one
  commit give the same answer on every machine and day. The project's commits are those of the
  repository whose top level is the project folder, the one its git history is read from.
  Without either (a tarball, or a project inside another repository, and no SOURCE_DATE_EPOCH)
  staleness is not measured.

`check` reports a stale thesis (`thesis.stale`, a warning); its page and the indexes say
"not reviewed since <date>".
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .gitrepo import default_source_date_epoch
from .models import status_counts_toward_stance
from .models import Thesis

DEFAULT_STALE_AFTER_DAYS = 180
STALE_AFTER_SETTING = "stale_after_days"
"""Key under `extra.thesis_site` in mkdocs.yml."""


@dataclass(frozen=True)
class ReviewClock:
    """The date staleness is measured at, and the threshold."""

    today: dt.date
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS


def stale_after_days(config: Mapping[str, Any]) -> int:
    """`extra.thesis_site.stale_after_days` of a loaded mkdocs.yml, else the default.
    Raises ValueError naming the setting when it is not a whole number of days of at least 1."""
    extra = config.get("extra")
    settings = extra.get("thesis_site") if isinstance(extra, Mapping) else None
    value = settings.get(STALE_AFTER_SETTING) if isinstance(settings, Mapping) else None
    if value is None:
        return DEFAULT_STALE_AFTER_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"extra.thesis_site.{STALE_AFTER_SETTING} is {value!r}; it is a whole number of days, at least 1")
    return value


def _git(root: Path, *args: str) -> str:
    try:
        completed = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def publication_date(root: Path) -> dt.date | None:
    """SOURCE_DATE_EPOCH, else the day of the last commit of the repository whose top level is
    `root`, else None."""
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not stamp:
        top = _git(root, "rev-parse", "--show-toplevel")
        if not top or Path(top).resolve() != Path(root).resolve():
            return None
        stamp = default_source_date_epoch(root) or ""
    if not stamp.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def last_reviewed(thesis: Thesis, last_changed: dt.date | None) -> dt.date:
    """The latest of `opened`, the last change in git history (if known) and the review's `on`."""
    days = [thesis.opened]
    if last_changed is not None:
        days.append(last_changed)
    if thesis.review is not None and thesis.review.on is not None:
        days.append(thesis.review.on)
    return max(days)


def may_go_stale(thesis: Thesis) -> bool:
    return status_counts_toward_stance(thesis.status)


def stale_since(thesis: Thesis, last_changed: dt.date | None, clock: ReviewClock | None) -> dt.date | None:
    """The day the thesis was last changed or reviewed when it is stale by the rule above, else None."""
    if clock is None or not may_go_stale(thesis):
        return None
    since = last_reviewed(thesis, last_changed)
    return since if (clock.today - since).days > clock.stale_after_days else None


def stale_note(since: dt.date) -> str:
    """How the pages word it."""
    return f"not reviewed since {since.isoformat()}"
