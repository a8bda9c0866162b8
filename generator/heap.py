"""How a build asks Python's garbage collector to run: seldom, while it holds the checked corpus.

A check at 5,000 sources makes millions of objects that live until the build ends (the models of
8,000 files, their links, the pages planned from them), and almost none of them is part of a
reference cycle. Python's default thresholds (a young collection every 700 allocations) made
5,000 young and 14 full collections in one check, each full one walking all of them again: a
third to a half of the check's time (bench/README.md, "Twelfth round"). `few_collections` raises
the thresholds for the stages that build the corpus; cycles are still collected, at a lower rate.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

BUILD_THRESHOLDS = (100_000, 20, 100)
"""A young collection every 100,000 allocations, an older one every 20 young ones, a full one
every 100 older ones (and never before the long-lived objects grew by a quarter, as always)."""


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """`BUILD_THRESHOLDS` inside, the thresholds as they were afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
