"""The title review: `headline-like` only when the whole thesis title, in whole words, is in a cited source's title."""

from __future__ import annotations

import pytest

from generator.pipeline import check_snapshot


def _publication(thesis_title: str, source_title: str):
    contents = {
        "content/people/ann-lee.yaml": b"id: ann-lee\nname: Ann Lee\n",
        "content/sources/talk.yaml": (
            f"id: talk\ntitle: \"{source_title}\"\nkind: lecture\npublisher: Example University\n"
            "published: 2024-05-01\ncoverage: transcript\nspeakers: [ann-lee]\ntldr: Demand keeps growing.\n").encode(),
        "content/theses/bet.yaml": (
            f"id: bet\ntitle: \"{thesis_title}\"\nstatus: active\nstyle: thematic\nhorizon: medium-term\n"
            "actionability: moderate\nopened: 2024-06-01\nauthors: [ann-lee]\nsummary: Labs want more GPUs.\n"
            "claims:\n  - id: demand\n    text: Demand grows.\n    confidence: high\n    evidence:\n"
            "      - source: talk\n        at: tldr\n        quote: Demand keeps growing\n").encode(),
    }
    result = check_snapshot(contents)
    assert result.diagnostics == [] and result.publication is not None
    return result.publication


@pytest.mark.parametrize(("thesis_title", "source_title", "review"), [
    ("CS336 Lecture 15", "Stanford CS336 Lecture 15: Mid/Post-Training", "headline-like"),
    ("Stanford CS336 Lecture 15: Mid/Post-Training", "Stanford CS336 Lecture 15: Mid/Post-Training", "headline-like"),
    ("AI", "Email in the enterprise", "statement"),
    ("Lecture 1", "Lecture 15", "statement"),
    ("Memory bandwidth bounds inference", "Stanford CS336 Lecture 15", "statement"),
])
def test_title_review_matches_whole_words(thesis_title: str, source_title: str, review: str) -> None:
    assert _publication(thesis_title, source_title).proofs["bet"].title_review == review
