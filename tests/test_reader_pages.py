"""The publication as an investor reads it: the home page's lead, the thesis page's strongest
quote per claim against the evidence page's full dossier, the index tables' sort and filter
attributes, partial publication dates shown as given. Docs trees are made in memory from a copy
of the sample content (tests/samples/basic) with one change each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.models import PartialDate
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from site_support import make_project, render_docs

THESIS = "theses/memory-bound-inference/index.md"
EVIDENCE = "theses/memory-bound-inference/evidence/index.md"


def project(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> ProjectPaths:
    """The sample project with `edits`: content path → (old text, new text), each replaced once."""
    paths = make_project(tmp_path / "project")
    for relative, (old, new) in (edits or {}).items():
        file = paths.root / "content" / relative
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return paths


def opened_later(tmp_path: Path, opened: str, old: str = "opened: 2026-02-20", new: str | None = None) -> ProjectPaths:
    """The sample with leading-edge-scarcity opened on `opened`: its dated call moves to that day
    too (a call cannot predate its thesis)."""
    paths = project(tmp_path, {"theses/leading-edge-scarcity.yaml": (old, new or f"opened: {opened}")})
    thesis = paths.content / "theses" / "leading-edge-scarcity.yaml"
    text = thesis.read_text(encoding="utf-8")
    assert "    opened: 2026-02-25\n" in text
    thesis.write_text(text.replace("    opened: 2026-02-25\n", f"    opened: {opened}\n"), encoding="utf-8")
    return paths


def page(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


# --------------------------------------------------------------------------- thesis and evidence

PARAPHRASED_FIRST = ("theses/memory-bound-inference.md", (
    "      - source: memory-wall-talk\n        at: insight/kv-cache-dominates\n",
    "      - source: memory-wall-talk\n        at: tldr\n"
    "        quote: the memory is where the serving money goes\n        paraphrase: true\n"
    "      - source: memory-wall-talk\n        at: insight/kv-cache-dominates\n",
))


def test_thesis_page_shows_the_strongest_quote_and_links_to_the_rest(tmp_path):
    """A paraphrase cited first gives way to the verified quote; the others are one link away."""
    files = render_docs(project(tmp_path, dict([PARAPHRASED_FIRST])))
    thesis, evidence = page(files, THESIS), page(files, EVIDENCE)
    section = thesis.split('<a id="kv-cache-dominates-memory">', 1)[1].split("<h3>", 1)[0]
    assert section.count("<blockquote") == 1, section
    assert "the KV cache, not the weights" in section
    claims = thesis.split('<a id="claims">', 1)[1].split('id="risks"', 1)[0]
    assert "the memory is where the serving money goes" not in claims
    assert '<a href="evidence/#kv-cache-dominates-memory">2 more quotes on the evidence page</a>' in section
    # A claim with one quote has no "more" link.
    for claim_id in ("decoding-bandwidth-bound", "memory-makers-gain"):
        assert f'href="evidence/#{claim_id}">1 more quote on the evidence page' in thesis
    # The evidence page keeps every quote, the claim's anchor, and says it is the full dossier.
    assert "The full proof dossier" in evidence
    assert '## <a id="kv-cache-dominates-memory"></a>' in evidence
    for quote in ("the memory is where the serving money goes", "the KV cache, not the weights",
                  "HBM capacity per accelerator is the number to watch."):
        assert quote in evidence.replace("&#x27;", "'")


def test_strongest_quote_prefers_the_better_source_then_the_first_cited(tmp_path):
    """Grades first (`proof.grade_citation`): a verified quote of a summary beats a verified quote
    of fragments cited before it; among equals the first cited is shown."""
    from generator.pages.entities import strongest_citation

    paths = project(tmp_path, {"sources/fab-capacity-article.yaml": ("coverage: summary", "coverage: fragments")})
    publication = check_project(paths, jobs=1).publication
    graph = publication.graph
    for (thesis_id, claim_id), citations in graph.citations_by_claim.items():
        chosen = strongest_citation(citations, publication)
        ranked = sorted(citations, key=lambda c: c.index)
        grades = {c.index: (graph.sources[c.source_id].coverage in ("transcript", "summary"), c.verified) for c in ranked}
        best = max(grades.values())
        assert grades[chosen.index] == best, (thesis_id, claim_id)
        assert chosen.index == min(i for i, g in grades.items() if g == best)
    assert strongest_citation((), publication) is None


# --------------------------------------------------------------------------- home

def test_home_leads_with_the_most_recently_changed_active_thesis(tmp_path):
    """Without git, dates are each thesis's `opened`: the active thesis opened last leads,
    although the other is stronger, and both tables are shown."""
    files = render_docs(project(tmp_path, {"theses/leading-edge-scarcity.yaml": (
        "status: monitoring\n", "status: active\n")}))
    home = page(files, "index.md")
    lead = home.split('<section class="ts-lead"', 1)[1].split("</section>", 1)[0]
    assert "Most recently changed active thesis, on 2026-03-15" in lead
    assert 'href="theses/memory-bound-inference/"' in lead
    files = render_docs(opened_later(
        tmp_path / "later", "2026-04-01",
        "status: monitoring\nstyle: event-driven\nhorizon: short-term\nactionability: low\nopened: 2026-02-20",
        "status: active\nstyle: event-driven\nhorizon: short-term\nactionability: low\nopened: 2026-04-01"))
    home = page(files, "index.md")
    lead = home.split('<section class="ts-lead"', 1)[1].split("</section>", 1)[0]
    assert "Most recently changed active thesis, on 2026-04-01" in lead
    assert 'href="theses/leading-edge-scarcity/"' in lead
    assert "## Newest theses" in home and "## Recently changed" in home


def test_home_lead_passes_over_a_later_thesis_that_is_not_active(tmp_path):
    files = render_docs(opened_later(tmp_path, "2026-04-01"))
    home = page(files, "index.md")
    lead = home.split('<section class="ts-lead"', 1)[1].split("</section>", 1)[0]
    assert 'href="theses/memory-bound-inference/"' in lead
    assert "## Recently changed" in home


def test_home_with_flat_history_leads_with_the_strongest_active_thesis_and_one_table(tmp_path):
    files = render_docs(opened_later(tmp_path, "2026-03-15"))
    home = page(files, "index.md")
    lead = home.split('<section class="ts-lead"', 1)[1].split("</section>", 1)[0]
    assert "Strongest active thesis" in lead
    assert 'href="theses/memory-bound-inference/"' in lead
    assert "Strong source proof" in lead
    assert re.search(r'<li><a href="assets/MU/">MU</a> <span class="ts-badge ts-badge--long">long</span>', lead)
    assert "## Recently changed" not in home and "## Newest theses" not in home
    assert home.count("<table") == 1


# --------------------------------------------------------------------------- indexes

@pytest.mark.parametrize("path, filters, attributes", [
    ("theses/index.md", "status horizon strength", ("data-status", "data-horizon", "data-strength")),
    ("claims/index.md", "grade confidence direction", ("data-grade", "data-confidence", "data-direction")),
    ("assets/index.md", "direction", ("data-direction",)),
])
def test_index_rows_carry_their_filter_values(tmp_path, path, filters, attributes):
    files = render_docs(project(tmp_path))
    text = page(files, path)
    assert f'<table data-ts-index data-ts-filters="{filters}">' in text
    rows = re.findall(r"<tr (data-[^>]*)>", text)
    assert rows
    for row in rows:
        for attribute in attributes:
            assert re.search(rf'{attribute}="[a-z -]*"', row), row


def test_index_script_ships_with_the_site(tmp_path):
    files = render_docs(project(tmp_path))
    assert b"data-ts-index" in files["javascripts/thesis-site.js"]
    template = (Path(__file__).resolve().parent.parent / "site_templates" / "overrides" / "main.html").read_text()
    assert "javascripts/thesis-site.js" in template


# --------------------------------------------------------------------------- partial dates

@pytest.mark.parametrize("value, earliest", [("2026", "2026-01-01"), ("2026-05", "2026-05-01"), ("2026-05-27", "2026-05-27")])
def test_partial_dates_keep_what_was_written(value, earliest):
    date = PartialDate(value)
    assert date.isoformat() == value and date.earliest().isoformat() == earliest


def test_a_source_dated_by_month_is_shown_as_given(tmp_path):
    paths = project(tmp_path, {"sources/memory-wall-talk.md": ("published: 2026-03-02", "published: 2026-03")})
    source = paths.root / "content" / "sources" / "memory-wall-talk.md"
    source.write_text(source.read_text().replace("as_of: 2026-03-10", 'as_of: "2026"'))
    files = render_docs(paths)
    assert "published 2026-03 ·" in page(files, "sources/memory-wall-talk/index.md")
    assert "as of 2026" in page(files, "sources/memory-wall-talk/index.md")
    assert "<td>2026-03</td>" in page(files, "sources/index.md") or "| 2026-03 |" in page(files, "sources/index.md")
    exported = json.loads(files["api/sources/memory-wall-talk.json"])
    assert exported["published"] == "2026-03" and exported["metrics"]["as_of"] == "2026"
    assert '"datePublished":"2026-03"' in page(files, THESIS)


@pytest.mark.parametrize("value", ["2026-13", "2026-02-30", "May 2026", "26", "2026-5", "2026-05-27T10:00"])
def test_a_date_that_is_not_one_is_a_format_error(tmp_path, value):
    paths = project(tmp_path, {"sources/memory-wall-talk.md": ("published: 2026-03-02", f'published: "{value}"')})
    diagnostics = [d for d in check_project(paths, jobs=1).diagnostics if d.path == "published"]
    assert [d.code for d in diagnostics] == ["field.format"], diagnostics
