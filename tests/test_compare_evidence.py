"""Evidence matching in `review`: the bucketed matcher pairs exactly as the rule says.

The rule (compare.compare_evidence): unchanged evidence is no change; then each remaining old
item, in order, pairs with the first remaining new item of equal (source, locator), then of equal
(source, quote); the rest is removed or added. The reference below is that rule written the
plain quadratic way; hypothesis checks the two agree.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from generator.compare import EvidenceChange, compare_evidence
from generator.models import Evidence


def reference(before: tuple[Evidence, ...], after: tuple[Evidence, ...]) -> tuple[EvidenceChange, ...]:
    old, new = list(before), list(after)
    for item in list(old):
        if item in new:
            old.remove(item)
            new.remove(item)
    changes = []
    for key in (lambda e: (e.source, e.at), lambda e: (e.source, e.quote)):
        for item in list(old):
            match = next((n for n in new if key(n) == key(item)), None)
            if match is not None:
                changes.append(EvidenceChange("changed", item.source, item, match))
                old.remove(item)
                new.remove(match)
    changes += [EvidenceChange("removed", e.source, e, None) for e in old]
    changes += [EvidenceChange("added", e.source, None, e) for e in new]
    return tuple(changes)


evidence = st.builds(
    Evidence,
    source=st.sampled_from(["a", "b"]),
    at=st.sampled_from(["tldr", "body", "insight/x"]),
    quote=st.sampled_from(["one", "two", "three"]),
    paraphrase=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(evidence, max_size=8).map(tuple), st.lists(evidence, max_size=8).map(tuple))
def test_the_bucketed_matcher_pairs_as_the_rule_says(before, after) -> None:
    assert compare_evidence(before, after) == reference(before, after)

