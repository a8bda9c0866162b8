"""`thesis-site review BASE [HEAD]`: the claim-level change report between two git revisions.

One temporary repository is built from tests/fixtures/review/base/ with one commit (and tag) per
kind of change; each commit is reviewed against its parent and the exact Markdown and JSON
reports are compared with tests/golden/review/<step>.md|json.

Regenerate the golden files after an intended change of the report (with every other expected
file, README "Tests"):

    UPDATE_EXPECTED=1 python -m pytest -m expected_files

and read the diff of tests/golden/review/ before committing it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from generator.review import content_at
from generator.settings import ProjectPaths

from review_support import FIXTURE, GOLDEN, Repo, check_golden, git_env, line_of, run_cli

MEMORY = "content/theses/memory-bound.yaml"
IDLE = "content/theses/idle-accelerators.md"
RENAMED_MEMORY = "content/theses/memory-bound-decode.yaml"

SUPPLY_NOTE = """\
id: supply-note
title: A note on memory supply
kind: article
publisher: Example Weekly
published: 2026-01-06
coverage: fragments
tldr: New fabs take years to build.
"""

ASSET_WW = """\
id: WW
name: Omega Fabs Ltd.
kind: private
sector: Semiconductors
description: Builds memory fabs.
"""

PERSON_DI = """\
id: di-guest
name: Di Guest
role: Guest speaker
"""

THESIS_SUPPLY = """\
id: supply-tight
title: Memory supply stays tight through the year
status: draft
style: thematic
horizon: short-term
actionability: high
opened: 2026-01-08
authors:
  - ana-analyst
summary: Memory makers cannot add capacity fast enough.
claims:
  - id: supply-tight
    text: Memory supply is tight.
    evidence:
      - source: market-article
        at: tldr
        quote: supply stays tight
    confidence: medium
assets:
  - asset: ZZ
    direction: long
    role: memory supplier
    rationale: Pricing power while supply is tight.
    because:
      - supply-tight
"""

NEW_CLAIM = """\
  - id: idle-compute
    text: Accelerators sit idle waiting for memory.
    evidence:
      - source: memory-lecture
        at: moment/0:12:30
        quote: Accelerators sit idle waiting for memory.
    confidence: low
assets:
"""

EXTRA_EVIDENCE = """\
        quote: is memory bandwidth-bound
      - source: memory-lecture
        at: tldr
        quote: Decode is bound by memory bandwidth.
"""

WW_POSITION = """\
      - context-grows
  - asset: WW
    direction: watch
    role: fab builder
    rationale: New capacity would ease the shortage.
risks:
"""


def _steps() -> list[tuple[str, str, Callable[[Repo], None]]]:
    """(tag, commit message, edit) for each kind of change, applied in this order."""

    def edit(path: str, old: str, new: str) -> Callable[[Repo], None]:
        return lambda repo: repo.replace(path, old, new)

    def write(path: str, text: str) -> Callable[[Repo], None]:
        return lambda repo: repo.write(path, text)

    def remove(path: str) -> Callable[[Repo], None]:
        return lambda repo: repo.remove(path)

    def rename_memory(repo: Repo) -> None:
        """The file is renamed and the thesis lists its old id: a rename, not a removal and an addition."""
        text = repo.read(MEMORY).replace("id: memory-bound\n", "id: memory-bound-decode\nrenamed_from:\n  - memory-bound\n", 1)
        repo.remove(MEMORY)
        repo.write(RENAMED_MEMORY, text)

    def flip_with_review(repo: Repo) -> None:
        repo.replace(MEMORY, "    direction: watch\n", "    direction: long\n")
        repo.replace(MEMORY, "  status: disputed\n  by: cy-reviewer\n  on: 2026-01-05\n",
                     "  status: reviewed\n  by: cy-reviewer\n  on: 2026-02-19\n")

    return [
        ("source-added", "Add the supply note", write("content/sources/supply-note.yaml", SUPPLY_NOTE)),
        ("asset-added", "Add WW", write("content/assets/WW.yaml", ASSET_WW)),
        ("person-added", "Add Di Guest", write("content/people/di-guest.yaml", PERSON_DI)),
        ("thesis-added", "Add the supply thesis", write("content/theses/supply-tight.yaml", THESIS_SUPPLY)),
        ("claim-added", "Add a claim", edit(MEMORY, "assets:\n", NEW_CLAIM)),
        ("claim-reworded", "Reword decode-bound",
         edit(MEMORY, "text: Decode is bound by memory bandwidth rather than compute.",
              "text: Token-by-token decode is bound by memory bandwidth, not by compute.")),
        ("claim-removed", "Remove the claim again", edit(MEMORY, NEW_CLAIM, "assets:\n")),
        ("evidence-added", "Cite the tldr too", edit(MEMORY, "        quote: is memory bandwidth-bound\n", EXTRA_EVIDENCE)),
        ("evidence-removed", "Drop the tldr quote", edit(MEMORY, EXTRA_EVIDENCE, "        quote: is memory bandwidth-bound\n")),
        ("evidence-quote-changed", "Shorten a quote",
         edit(MEMORY, "quote: The KV cache grows with every token of context.", "quote: The KV cache grows")),
        ("evidence-locator-changed", "Cite the tldr instead",
         edit(MEMORY, "at: insight/kv-cache\n", "at: tldr\n")),
        ("evidence-paraphrase-changed", "Mark a paraphrase",
         edit(MEMORY, "        quote: rose for a third quarter in a row as supply stays tight\n",
              "        quote: rose for a third quarter in a row as supply stays tight\n        paraphrase: true\n")),
        ("position-added", "Watch WW", edit(MEMORY, "      - context-grows\nrisks:\n", WW_POSITION)),
        ("position-removed", "Stop watching WW", edit(MEMORY, WW_POSITION, "      - context-grows\nrisks:\n")),
        ("direction-flip", "Flip ZZ", edit(MEMORY, "    direction: long\n", "    direction: short\n")),
        ("because-changed", "YY also rests on decode-bound",
         edit(MEMORY, "    because:\n      - context-grows\n", "    because:\n      - context-grows\n      - decode-bound\n")),
        ("status-changed", "Monitor the thesis", edit(MEMORY, "status: active\n", "status: monitoring\n")),
        ("review-changed", "Dispute the thesis", edit(MEMORY, "  status: reviewed\n", "  status: disputed\n")),
        ("flip-reviewed", "Go long YY with a fresh review", flip_with_review),
        ("proof-downgrade", "The article is only a headline",
         edit("content/sources/market-article.yaml", "coverage: summary\n", "coverage: title-only\n")),
        ("thesis-removed", "Drop the idle thesis", remove(IDLE)),
        ("source-removed", "Drop the supply note", remove("content/sources/supply-note.yaml")),
        ("asset-removed", "Drop WW", remove("content/assets/WW.yaml")),
        ("person-removed", "Drop Di Guest", remove("content/people/di-guest.yaml")),
        ("outside-claims", "Reword a risk", edit(MEMORY, "  - New memory capacity arrives", "  - New memory capacity comes online")),
        ("thesis-renamed", "Rename the memory thesis", rename_memory),
    ]


STEPS = _steps()
STEP_TAGS = [tag for tag, _, _ in STEPS]


def _previous(tag: str) -> str:
    index = STEP_TAGS.index(tag)
    return "base" if index == 0 else STEP_TAGS[index - 1]


pytestmark = pytest.mark.usefixtures("isolated_git")  # see conftest.py


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """The repository with one tagged commit per step, a day apart. Read-only for the tests."""
    repo = Repo.create(tmp_path_factory.mktemp("review") / "project")
    repo.commit("Base content", date="2026-02-01", tag="base")
    for day, (tag, message, change) in enumerate(STEPS, start=2):
        change(repo)
        repo.commit(message, date=f"2026-02-{day:02d}", tag=tag)
    assert repo.status() == ""
    return repo


def review(repo: Repo, *args: str):
    return run_cli("review", "--root", str(repo.root), *args)


def test_every_revision_is_valid_content(history: Repo) -> None:
    """The steps are realistic edits: every tagged revision passes `check` (warnings aside)."""
    for tag in ["base", *STEP_TAGS]:
        result = content_at(ProjectPaths(history.root), tag)
        assert result.errors == [], (tag, [d.format_text() for d in result.errors])


@pytest.mark.expected_files
@pytest.mark.parametrize("step", STEP_TAGS)
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_step_report_matches_golden(history: Repo, step: str, fmt: str, update_expected: bool) -> None:
    result = review(history, _previous(step), step, "--format", "markdown" if fmt == "md" else "json")
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        json.loads(result.stdout)  # well-formed
    check_golden(GOLDEN / "review" / f"{STEP_TAGS.index(step) + 1:02d}-{step}.{fmt}", result.stdout, update_expected)


@pytest.mark.expected_files
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_whole_range_report_matches_golden(history: Repo, fmt: str, update_expected: bool) -> None:
    """Base to the last step in one report: what a pull request with all the commits shows."""
    result = review(history, "base", STEP_TAGS[-1], "--format", "markdown" if fmt == "md" else "json")
    assert result.exit_code == 0, result.stderr
    check_golden(GOLDEN / "review" / f"00-base-to-end.{fmt}", result.stdout, update_expected)


def _json(history: Repo, step: str) -> dict:
    result = review(history, _previous(step), step, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _thesis(report: dict, thesis_id: str) -> dict:
    (thesis,) = [t for t in report["theses"] if t["id"] == thesis_id]
    return thesis


# ------------------------------------------------------------------ the report's content, spelled out
# (the golden files pin every byte; these say what matters in each step, so a regenerated golden
# file that loses it still fails)


@pytest.mark.parametrize("step, kind, entity, change", [
    ("source-added", "source", "supply-note", "added"),
    ("asset-added", "asset", "WW", "added"),
    ("person-added", "person", "di-guest", "added"),
    ("thesis-added", "thesis", "supply-tight", "added"),
    ("thesis-removed", "thesis", "idle-accelerators", "removed"),
    ("source-removed", "source", "supply-note", "removed"),
    ("asset-removed", "asset", "WW", "removed"),
    ("person-removed", "person", "di-guest", "removed"),
])
def test_entities_added_and_removed(history: Repo, step: str, kind: str, entity: str, change: str) -> None:
    report = _json(history, step)
    assert [(e["kind"], e["id"], e["change"]) for e in report["entities"]] == [(kind, entity, change)]


def test_renamed_thesis_is_a_rename_not_a_removal_and_an_addition(history: Repo) -> None:
    report = _json(history, "thesis-renamed")
    assert report["entities"] == [] and report["theses"] == []
    assert report["renames"] == [{"kind": "thesis", "from": "memory-bound", "to": "memory-bound-decode",
                                  "title": "Inference is bound by memory, not compute"}]
    markdown = review(history, "outside-claims", "thesis-renamed").stdout
    assert "- thesis `memory-bound` renamed to `memory-bound-decode`" in markdown
    body = markdown.replace("file(s) added or removed", "")
    assert "removed" not in body and "added" not in body, markdown
    annotations = review(history, "outside-claims", "thesis-renamed", "--format", "github").stdout.splitlines()
    assert annotations == [f"::notice file={RENAMED_MEMORY},line=3,col=3,title=claim review::"
                           "thesis 'memory-bound' renamed to 'memory-bound-decode'"]


def test_renamed_thesis_keeps_its_changes_under_the_new_id(history: Repo) -> None:
    """Across many commits the renamed thesis is compared old id against new id: its claim and
    position changes stay, marked with the old id; nothing is reported removed or added for it."""
    report = json.loads(review(history, "base", STEP_TAGS[-1], "--format", "json").stdout)
    assert [(e["id"], e["change"]) for e in report["entities"]] == [("idle-accelerators", "removed"), ("supply-tight", "added")]
    thesis = _thesis(report, "memory-bound-decode")
    assert thesis["change"] == "changed" and thesis["renamed_from"] == "memory-bound"
    assert thesis["summary"].startswith("renamed from 'memory-bound'; ")
    assert [p["asset"] for p in thesis["positions"] if p["change"] == "direction"] == ["ZZ", "YY"]
    assert not [t for t in report["theses"] if t["id"] == "memory-bound"]


def test_claim_reworded_has_a_word_level_diff(history: Repo) -> None:
    (claim,) = _thesis(_json(history, "claim-reworded"), "memory-bound")["claims"]
    assert claim["id"] == "decode-bound" and claim["change"] == "reworded"
    assert claim["word_diff"] == [
        ["-", "Decode"], ["+", "Token-by-token decode"],
        ["=", "is bound by memory"],
        ["-", "bandwidth rather than"], ["+", "bandwidth, not by"],
        ["=", "compute."],
    ]
    markdown = review(history, "claim-added", "claim-reworded").stdout
    assert ("- ✏️ **`decode-bound` reworded**: ~~Decode~~ **Token-by-token decode** is bound by memory "
            "~~bandwidth rather than~~ **bandwidth, not by** compute.") in markdown


@pytest.mark.parametrize("step, change", [("claim-added", "added"), ("claim-removed", "removed")])
def test_claim_added_and_removed(history: Repo, step: str, change: str) -> None:
    thesis = _thesis(_json(history, step), "memory-bound")
    assert [(c["id"], c["change"]) for c in thesis["claims"]] == [("idle-compute", change)]
    assert thesis["summary"] == f"1 claim {change}"
    # the claim count is part of the derived proof line
    counts = ("3 extracted claims", "4 extracted claims")
    assert thesis["proof"] == [f"Strong source proof | {n} | 1 directional asset | 2 supporting authors | statement title review"
                               for n in (counts if change == "added" else counts[::-1])]


@pytest.mark.parametrize("step, change, fields, before, after", [
    ("evidence-added", "added", [], None,
     {"source": "memory-lecture", "at": "tldr", "quote": "Decode is bound by memory bandwidth.", "paraphrase": False}),
    ("evidence-removed", "removed", [],
     {"source": "memory-lecture", "at": "tldr", "quote": "Decode is bound by memory bandwidth.", "paraphrase": False}, None),
    ("evidence-quote-changed", "changed", ["quote"],
     {"source": "memory-lecture", "at": "insight/kv-cache", "quote": "The KV cache grows with every token of context.",
      "paraphrase": False},
     {"source": "memory-lecture", "at": "insight/kv-cache", "quote": "The KV cache grows", "paraphrase": False}),
    ("evidence-locator-changed", "changed", ["locator"],
     {"source": "memory-lecture", "at": "insight/kv-cache", "quote": "The KV cache grows", "paraphrase": False},
     {"source": "memory-lecture", "at": "tldr", "quote": "The KV cache grows", "paraphrase": False}),
    ("evidence-paraphrase-changed", "changed", ["paraphrase"],
     {"source": "market-article", "at": "tldr", "quote": "rose for a third quarter in a row as supply stays tight",
      "paraphrase": False},
     {"source": "market-article", "at": "tldr", "quote": "rose for a third quarter in a row as supply stays tight",
      "paraphrase": True}),
])
def test_evidence_changes(history: Repo, step: str, change: str, fields: list, before, after) -> None:
    (claim,) = _thesis(_json(history, step), "memory-bound")["claims"]
    assert claim["change"] == "evidence"
    assert claim["evidence"] == [{"change": change, "source": (before or after)["source"], "fields": fields,
                                  "before": before, "after": after}]


def test_evidence_lines_in_markdown(history: Repo) -> None:
    def md(step: str) -> str:
        return review(history, _previous(step), step).stdout

    assert "  - ➕ evidence added: quote “Decode is bound by memory bandwidth.” — `memory-lecture` at `tldr`" in md("evidence-added")
    assert "  - ➖ evidence dropped: quote “Decode is bound by memory bandwidth.” — `memory-lecture` at `tldr`" in md("evidence-removed")
    assert ("  - evidence changed (memory-lecture): quote “The KV cache grows with every token of context.” → "
            "“The KV cache grows”") in md("evidence-quote-changed")
    assert "  - evidence changed (memory-lecture): locator `insight/kv-cache` → `tldr`" in md("evidence-locator-changed")
    assert "  - evidence changed (market-article): paraphrase false → true" in md("evidence-paraphrase-changed")


@pytest.mark.parametrize("step, asset, change, before, after, on, summary", [
    ("position-added", "WW", "added", None, {"direction": "watch", "because": []}, "2026-01-04",
     "WW watch position added, opened 2026-01-04"),
    ("position-removed", "WW", "removed", {"direction": "watch", "because": []}, None, None, "WW watch position removed"),
    ("direction-flip", "ZZ", "direction", {"direction": "long", "because": ["decode-bound", "prices-rise"]},
     {"direction": "short", "because": ["decode-bound", "prices-rise"]}, None, "ZZ long → short"),
    ("because-changed", "YY", "because", {"direction": "watch", "because": ["context-grows"]},
     {"direction": "watch", "because": ["context-grows", "decode-bound"]}, None, "YY because changed"),
])
def test_position_changes(history: Repo, step: str, asset: str, change: str, before, after, on, summary: str) -> None:
    """A position added carries the day its call was made (`on`: its `opened`, else the thesis's)."""
    thesis = _thesis(_json(history, step), "memory-bound")
    assert thesis["positions"] == [{"asset": asset, "change": change, "before": before, "after": after, "on": on}]
    assert thesis["summary"].startswith(summary)


def test_direction_flip_in_markdown(history: Repo) -> None:
    markdown = review(history, "position-removed", "direction-flip").stdout
    assert "1 thesis change(s), 0 claim change(s), 1 direction flip(s), 0 file(s) added or removed." in markdown
    assert "| ZZ | ⚠️ direction | long ← decode-bound, prices-rise | short ← decode-bound, prices-rise |" in markdown


def test_status_review_and_proof_changes(history: Repo) -> None:
    assert _thesis(_json(history, "status-changed"), "memory-bound")["status"] == ["active", "monitoring"]
    sides = _thesis(_json(history, "review-changed"), "memory-bound")["review"]
    assert [side["status"] for side in sides] == ["reviewed", "disputed"]
    assert sides[0]["by"] == "cy-reviewer" and sides[0]["on"] == "2026-01-05"
    flip = _thesis(_json(history, "flip-reviewed"), "memory-bound")
    assert [side["status"] for side in flip["review"]] == ["disputed", "reviewed"] and flip["summary"] == "YY watch → long; review changed"
    assert "- Review: disputed (by cy-reviewer, on 2026-01-05) → reviewed (by cy-reviewer, on 2026-02-19)" in \
        review(history, "review-changed", "flip-reviewed").stdout

    downgrade = _json(history, "proof-downgrade")
    assert downgrade["entities"] == []  # only the source's coverage changed ...
    thesis = _thesis(downgrade, "memory-bound")  # ... and the thesis's derived proof follows it
    assert thesis["strength"] == ["strong", "moderate"]
    assert thesis["claims"] == [] and thesis["positions"] == []
    assert thesis["proof"][0].startswith("Strong source proof | ")
    assert thesis["proof"][1].startswith("Moderate source proof | ")
    # supply-tight cites only the downgraded article: moderate → weak
    assert _thesis(downgrade, "supply-tight")["strength"] == ["moderate", "weak"]
    assert "- Source proof: Strong source proof" in review(history, "flip-reviewed", "proof-downgrade").stdout


def test_changes_outside_the_report_give_an_empty_report(history: Repo) -> None:
    result = review(history, "person-removed", "outside-claims")
    assert result.stdout == "## Claim review: `person-removed` → `outside-claims`\n\nNo change to sources, theses, assets or people.\n\n"
    assert json.loads(review(history, "person-removed", "outside-claims", "--format", "json").stdout)["theses"] == []


def test_same_revision_twice_is_an_empty_report(history: Repo) -> None:
    result = review(history, "main", STEP_TAGS[-1], "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"format_version": 1, "base": "main", "head": STEP_TAGS[-1],
                                         "entities": [], "theses": [], "renames": []}


# ------------------------------------------------------------------ --format github


def _annotations(history: Repo, step: str) -> list[str]:
    result = review(history, _previous(step), step, "--format", "github")
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("step, level, path, needle, occurrence, message", [
    # a changed claim: at its list item (the `id` key of the claim mapping)
    ("claim-reworded", "notice", MEMORY, "id: decode-bound", 1, "claim 'decode-bound' reworded"),
    ("claim-added", "notice", MEMORY, "id: idle-compute", 1, "claim 'idle-compute' added"),
    ("evidence-added", "notice", MEMORY, "id: decode-bound", 1, "claim 'decode-bound' evidence"),
    # dropped evidence and removed claims or positions are warnings
    ("evidence-removed", "warning", MEMORY, "id: decode-bound", 1, "claim 'decode-bound' evidence"),
    # (a removed item points at the list that held it: its first `-`)
    ("claim-removed", "warning", MEMORY, "- id: decode-bound", 1, "claim 'idle-compute' removed"),
    ("position-removed", "warning", MEMORY, "- asset: ZZ", 1, "position on WW removed"),
    # a direction flip points at the new direction value
    ("direction-flip", "warning", MEMORY, "short", 1, "ZZ long → short"),
    ("position-added", "notice", MEMORY, "asset: WW", 1, "position on WW added, opened 2026-01-04"),
    ("because-changed", "notice", MEMORY, "asset: YY", 1, "position on YY because"),
    # a proof change points at the title; a new thesis at its first field
    ("proof-downgrade", "notice", MEMORY, "Inference is bound", 1, "proof strong → moderate"),
    ("thesis-added", "notice", "content/theses/supply-tight.yaml", "id: supply-tight", 1, "new thesis: Memory supply stays tight through the year"),
])
def test_github_annotations_point_at_the_changed_line(history: Repo, step: str, level: str, path: str,
                                                      needle: str, occurrence: int, message: str) -> None:
    line, column = line_of(history.show(step, path), needle, occurrence)
    expected = f"::{level} file={path},line={line},col={column},title=claim review::{message}"
    assert expected in _annotations(history, step)


def test_github_annotations_in_a_markdown_thesis(history: Repo, tmp_path: Path) -> None:
    """Lines in a `.md` thesis count from the file's first line (the `---`), not from the front matter."""
    repo = Repo.create(tmp_path / "project")
    repo.commit("Base content", date="2026-02-01")
    repo.replace(IDLE, "    text: Accelerators sit idle waiting for memory.", "    text: Accelerators often sit idle waiting for memory.")
    line, column = line_of(repo.read(IDLE), "id: idle-time")
    result = run_cli("review", "--root", str(repo.root), "HEAD", "--format", "github")
    assert result.stdout.splitlines() == [f"::notice file={IDLE},line={line},col={column},title=claim review::claim 'idle-time' reworded"]


def test_github_annotations_list_every_change_once(history: Repo) -> None:
    """The whole range: every annotation is well-formed and names a file of the head revision."""
    result = review(history, "base", STEP_TAGS[-1], "--format", "github")
    lines = result.stdout.splitlines()
    assert lines and len(lines) == len(set(lines))
    for annotation in lines:
        assert annotation.startswith(("::notice file=content/theses/", "::warning file=content/theses/"))
        file = annotation.split("file=", 1)[1].split(",", 1)[0]
        history.show(STEP_TAGS[-1], file)  # exists at HEAD


# ------------------------------------------------------------------ exit codes and --fail-on


@pytest.mark.parametrize("condition, holds_at, clear_at", [
    ("flip-unreviewed", "direction-flip", "flip-reviewed"),
    ("dropped-quote", "evidence-removed", "evidence-added"),
    ("claim-removed", "claim-removed", "claim-added"),
    ("proof-downgrade", "proof-downgrade", "claim-added"),
])
def test_fail_on_conditions(history: Repo, condition: str, holds_at: str, clear_at: str) -> None:
    held = review(history, _previous(holds_at), holds_at, "--fail-on", condition)
    assert held.exit_code == 1
    assert held.stdout.startswith("## Claim review:")  # the report is still printed
    assert held.stderr.startswith("fail-on: memory-bound: ")
    clear = review(history, _previous(clear_at), clear_at, "--fail-on", condition)
    assert clear.exit_code == 0, clear.stderr
    assert clear.stderr == ""


def test_fail_on_messages(history: Repo) -> None:
    def stderr(step: str, condition: str) -> str:
        return review(history, _previous(step), step, "--fail-on", condition).stderr

    assert stderr("direction-flip", "flip-unreviewed") == "fail-on: memory-bound: direction changed without a renewed review\n"
    assert stderr("evidence-removed", "dropped-quote") == "fail-on: memory-bound: 1 evidence item(s) dropped\n"
    assert stderr("claim-removed", "claim-removed") == "fail-on: memory-bound: a claim was removed\n"
    assert stderr("proof-downgrade", "proof-downgrade") == "fail-on: memory-bound: proof strong → moderate\n" \
                                                          "fail-on: supply-tight: proof moderate → weak\n"


def test_fail_on_several_conditions_and_any_change(history: Repo) -> None:
    result = review(history, "base", STEP_TAGS[-1], "--fail-on", "flip-unreviewed")
    assert result.exit_code == 0  # over the whole range the last flip was reviewed...
    result = review(history, "base", STEP_TAGS[-1], "--fail-on", "claim-removed")
    assert result.exit_code == 1  # ... but removing the idle thesis removed its claims
    assert "idle-accelerators: the thesis and its claims and evidence were removed" in result.stderr
    result = review(history, "base", STEP_TAGS[-1], "--fail-on", "flip-unreviewed", "--fail-on", "proof-downgrade")
    assert result.exit_code == 1  # ... but the proof went down
    assert review(history, "person-removed", "outside-claims", "--fail-on", "any-change").exit_code == 0
    assert review(history, "asset-removed", "person-removed", "--fail-on", "any-change").exit_code == 1


def test_unknown_fail_on_condition_is_a_usage_error(history: Repo) -> None:
    result = run_cli("review", "--root", str(history.root), "base", "--fail-on", "everything")
    assert result.exit_code == 2
    assert "unknown condition(s) everything" in result.stderr


@pytest.mark.parametrize("base, head", [
    ("no-such-revision", None),
    ("base", "no-such-revision"),
    ("--all", None),
    ("0" * 40, None),
])
def test_unreadable_revision_exits_2(history: Repo, base: str, head: str | None) -> None:
    args = ["review", "--root", str(history.root), "--", base] + ([head] if head else [])
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cannot read revision" in result.stderr


def test_not_a_git_repository_exits_2(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    shutil.copytree(FIXTURE / "content", project / "content")
    result = run_cli("review", "--root", str(project), "HEAD")
    assert result.exit_code == 2
    assert "cannot read revision" in result.stderr


def test_real_command_exit_codes(history: Repo) -> None:
    """The installed entry point, as CI calls it."""
    def run(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "generator", "review", "--root", str(history.root), *args],
                              capture_output=True, env=git_env(history.root), check=False).returncode

    assert run("base", "claim-added") == 0
    assert run("position-removed", "direction-flip", "--fail-on", "flip-unreviewed") == 1
    assert run("nope") == 2


# ------------------------------------------------------------------ HEAD omitted: the work tree


@pytest.fixture
def dirty(tmp_path: Path) -> Repo:
    """A repository whose work tree and index differ from HEAD in every way git knows."""
    repo = Repo.create(tmp_path / "project")
    repo.commit("Base content", date="2026-02-01")
    repo.replace(MEMORY, "    direction: long\n", "    direction: short\n")  # modified, unstaged
    repo.write("content/assets/WW.yaml", ASSET_WW)  # untracked
    repo.write("content/people/di-guest.yaml", PERSON_DI)
    repo.git("add", "content/people/di-guest.yaml")  # staged
    repo.replace("content/sources/market-article.yaml", "coverage: summary\n", "coverage: title-only\n")
    repo.git("add", "content/sources/market-article.yaml")  # staged, then modified again
    repo.replace("content/sources/market-article.yaml", "publisher: Example Weekly\n", "publisher: Example Monthly\n")
    repo.remove(IDLE)  # deleted, unstaged
    return repo


def test_head_omitted_compares_with_the_work_tree(dirty: Repo) -> None:
    report = json.loads(run_cli("review", "--root", str(dirty.root), "HEAD", "--format", "json").stdout)
    assert report["base"] == "HEAD" and report["head"] == "work tree"
    assert [(e["kind"], e["id"], e["change"]) for e in report["entities"]] == [
        ("thesis", "idle-accelerators", "removed"), ("asset", "WW", "added"), ("person", "di-guest", "added"),
    ]
    memory = _thesis(report, "memory-bound")
    assert memory["summary"] == "ZZ long → short; proof strong → moderate"
    markdown = run_cli("review", "--root", str(dirty.root), "HEAD").stdout
    assert markdown.startswith("## Claim review: `HEAD` → `work tree`\n")


def test_review_changes_neither_work_tree_nor_index(dirty: Repo) -> None:
    status, prints = dirty.status(), dirty.fingerprint()
    assert status  # the tree is dirty, so there is something to disturb
    for args in (["HEAD"], ["HEAD", "--format", "json"], ["HEAD", "--format", "github"],
                 ["HEAD~0", "HEAD"], ["nope"], ["HEAD", "--fail-on", "flip-unreviewed"]):
        run_cli("review", "--root", str(dirty.root), *args)
    assert dirty.status() == status
    assert dirty.fingerprint() == prints
    assert dirty.git("stash", "list") == ""
