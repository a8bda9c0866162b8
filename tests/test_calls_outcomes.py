"""Dated calls, outcomes and the track record, staleness (the "publication as an investor reads
it" issue): the content rules and where they point, the pages that show the dates, `review` and
the feeds, the Track record page and its counts, and staleness measured against a fixed
publication date (SOURCE_DATE_EPOCH or the last commit, never the wall clock)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator.calls import call_dates, counts_toward_stance, price_text
from generator.feeds import collect_feeds, feed_files
from generator.history import publication_history
from generator.pages import urls
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from generator.track_record import derive_track_record
from review_support import Repo, isolate_git, run_cli
from site_support import SAMPLE_CONTENT, make_project, render_docs

VALID = Path(__file__).parent / "fixtures" / "valid"
BET = "content/theses/bet.yaml"
POSITION = """  - asset: NVDA
    direction: long
    role: GPU maker
    rationale: Sells the GPUs.
    because:
      - demand-exceeds-supply
"""


def epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(f"{day}T00:00:00+00:00").timestamp()))


@pytest.fixture(autouse=True)
def _no_publication_date(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sets the publication date it means; none is inherited, and no repository above tmp_path is found."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    isolate_git(monkeypatch, tmp_path)


def valid_project(tmp_path: Path, old: str = "", new: str = "") -> Path:
    root = tmp_path / "project"
    shutil.copytree(VALID / "content", root / "content")
    if old:
        path = root / BET
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def found(root: Path) -> list[tuple[int, int, str, str, str]]:
    return [(d.line, d.column, d.code, d.path, d.message) for d in check_project(ProjectPaths(root), jobs=1).diagnostics]


# --------------------------------------------------------------------------- content rules


def test_a_dated_call_with_a_reference_price_is_valid(tmp_path: Path) -> None:
    root = valid_project(tmp_path, "      - demand-exceeds-supply\n", "      - demand-exceeds-supply\n    opened: 2024-06-03\n"
                         "    closed: 2024-09-30\n    reference: {price: 123.45, currency: USD, on: 2024-06-03, source: Nasdaq close}\n")
    result = check_project(ProjectPaths(root), jobs=1)
    assert result.diagnostics == []
    thesis = result.publication.graph.theses["bet"]
    position = thesis.assets[0]
    assert (position.opened, position.closed) == (dt.date(2024, 6, 3), dt.date(2024, 9, 30))
    assert (position.reference.price, position.reference.currency) == (123.45, "USD")
    assert call_dates(thesis, position) == "closed on 2024-09-30 (opened 2024-06-03)"
    assert not counts_toward_stance(thesis, position)
    assert result.publication.stances["NVDA"].long == 0  # the closed call no longer moves the stance


@pytest.mark.parametrize("addition, expected", [
    ("    opened: 2024-07-01\n    closed: 2024-06-15\n",
     [(27, 13, "field.value", "assets[0].closed", "the position is closed on 2024-06-15, before it was opened on 2024-07-01")]),
    ("    opened: 2024-05-01\n",
     [(26, 13, "field.value", "assets[0].opened", "the position is opened on 2024-05-01, before the thesis was opened on 2024-06-01")]),
    ("    closed: 2024-05-31\n",
     [(26, 13, "field.value", "assets[0].closed", "the position is closed on 2024-05-31, before the thesis was opened on 2024-06-01")]),
    ("    reference: {price: 0, currency: USD, on: 2024-06-01, source: x}\n",
     [(26, 24, "field.value", "assets[0].reference.price", "Input should be greater than 0")]),
    ("    reference: {price: cheap, currency: USD, on: 2024-06-01, source: x}\n",
     [(26, 24, "field.type", "assets[0].reference.price", "expected a number, got 'cheap'")]),
    ("    reference: {price: 1e400, currency: USD, on: 2024-06-01, source: x}\n",
     [(26, 24, "field.value", "assets[0].reference.price", "Input should be a finite number")]),
    ("    reference: {price: .inf, currency: USD, on: 2024-06-01, source: x}\n",
     [(26, 24, "field.type", "assets[0].reference.price", "expected a number, got '.inf'")]),
    ("    reference: {price: 1.5, currency: usd, on: 2024-06-01, source: x}\n",
     [(26, 39, "field.format", "assets[0].reference.currency", "'usd' is not in the expected format")]),
])
def test_call_rules_point_at_their_field(tmp_path: Path, addition: str, expected: list) -> None:
    root = valid_project(tmp_path, "      - demand-exceeds-supply\n", "      - demand-exceeds-supply\n" + addition)
    assert found(root) == expected


def test_price_text_is_a_plain_decimal() -> None:
    assert [price_text(p) for p in (92.5, 1e-05, 1000.0, 2.5e20)] == ["92.5", "0.00001", "1000", "250000000000000000000"]


def test_an_outcome_belongs_to_a_closed_thesis(tmp_path: Path) -> None:
    outcome = "outcome:\n  on: 2024-05-01\n  verdict: right\n  note: Demand held.\n"
    root = valid_project(tmp_path, "summary:", outcome + "summary:")
    assert found(root) == [
        (11, 3, "field.value", "outcome", "an outcome is recorded on a closed thesis; this one is active"),
        (11, 7, "field.value", "outcome.on", "the outcome is dated 2024-05-01, before the thesis was opened on 2024-06-01"),
    ]
    closed = valid_project(tmp_path / "closed", "status: active", "status: closed")
    assert [d[2] for d in found(closed)] == ["thesis.no-outcome"]
    (closed / BET).write_text((closed / BET).read_text(encoding="utf-8").replace(
        "summary:", outcome.replace("2024-05-01", "2024-12-01") + "summary:"), encoding="utf-8")
    assert found(closed) == []


def test_an_unknown_verdict_is_an_enum_error(tmp_path: Path) -> None:
    root = valid_project(tmp_path, "status: active", "status: closed")
    (root / BET).write_text((root / BET).read_text(encoding="utf-8").replace(
        "summary:", "outcome: {on: 2024-12-01, verdict: lucky, note: x}\nsummary:"), encoding="utf-8")
    assert [(d[2], d[3]) for d in found(root)] == [("field.enum", "outcome.verdict")]


# --------------------------------------------------------------------------- pages


def test_pages_show_since_when_each_call_stands(tmp_path: Path) -> None:
    docs = {k: v.decode() for k, v in render_docs(make_project(tmp_path / "p")).items() if k.endswith(".md")}
    thesis = docs[urls.thesis_page("leading-edge-scarcity")]
    assert '<td data-label="Since">closed on 2026-04-01 (opened 2026-02-25)</td>' in thesis
    assert '<td data-label="Since">since 2026-02-20</td>' in thesis  # no `opened`: the thesis's
    memory = docs[urls.thesis_page("memory-bound-inference")]
    assert "since 2026-03-18<br><span class=\"ts-muted\">reference 92.5 USD on 2026-03-17" in memory
    asset = docs[urls.asset_page("MU")]
    assert "<em>not counted in the stance</em> · closed on 2026-04-01 (opened 2026-02-25)" in asset
    assert "<span class=\"ts-badge ts-badge--status-active\">active</span> · since 2026-03-18 · HBM supplier" in asset
    board = docs[urls.ASSETS]
    # MU: the closed watch neither counts nor dates the stance
    assert "<td>1</td><td>0</td><td>0</td><td>0</td><td>2</td><td>2026-03-18</td>" in board


# --------------------------------------------------------------------------- track record


def closed_sample(tmp_path: Path) -> ProjectPaths:
    """The sample with three closed theses by bo-chen: right, withdrawn, and one without an outcome."""
    paths = make_project(tmp_path / "project")
    theses = paths.root / "content" / "theses"
    scarcity = theses / "leading-edge-scarcity.yaml"
    text = scarcity.read_text(encoding="utf-8")
    scarcity.write_text(text.replace("status: monitoring", "status: closed\noutcome: {on: 2026-05-01, verdict: right, "
                                     "note: Prices held.}"), encoding="utf-8")
    (theses / "scarcity-again.yaml").write_text(text.replace("id: leading-edge-scarcity", "id: scarcity-again")
                                                .replace("status: monitoring", "status: closed")
                                                .replace("title: ", "title: Again, "), encoding="utf-8")
    memory = theses / "memory-bound-inference.md"
    memory.write_text(memory.read_text(encoding="utf-8").replace(
        "status: active", "status: closed\noutcome:\n  on: 2026-04-14\n  verdict: withdrawn\n  note: Shelved."), encoding="utf-8")
    return paths


def test_track_record_lists_closed_theses_and_counts_per_author(tmp_path: Path) -> None:
    paths = closed_sample(tmp_path)
    result = check_project(paths, jobs=1)
    assert [(d.file, d.code) for d in result.diagnostics] == [("content/theses/scarcity-again.yaml", "thesis.no-outcome")]
    record = derive_track_record(result.publication.graph)
    assert [(c.thesis_id, c.verdict, c.days_open) for c in record.closed] == [
        ("leading-edge-scarcity", "right", 70), ("memory-bound-inference", "withdrawn", 30), ("scarcity-again", None, None)]
    assert [(person, counts.right, counts.judged, counts.withdrawn, counts.unrecorded) for person, counts in record.by_author] \
        == [("bo-chen", 1, 1, 1, 1)]
    page = render_docs(paths)[urls.TRACK_RECORD].decode()
    assert "| [Leading-edge foundry scarcity keeps pricing power with the leader](../theses/leading-edge-scarcity/index.md) |" in page
    assert '<span class="ts-badge ts-badge--verdict-right">right</span> | 2026-02-20 | 2026-05-01 | 70 | Prices held. |' in page
    assert '<span class="ts-badge ts-badge--verdict-none">no outcome recorded</span> | 2026-02-20 | — | — |  |' in page
    assert "| 1 | 0 | 0 | 1 | 1 | 1 |" in page  # bo-chen: right, wrong, mixed, judged, withdrawn, no outcome
    assert "| **All closed theses** | 1 | 0 | 0 | 1 | 1 | 1 |" in page
    thesis = render_docs(paths)[urls.thesis_page("leading-edge-scarcity")].decode()
    assert ('Outcome: <span class="ts-badge ts-badge--verdict-right">right</span> on 2026-05-01, after 70 days open · '
            "Prices held.") in thesis


def test_track_record_without_closed_theses_says_so(tmp_path: Path) -> None:
    page = render_docs(make_project(tmp_path / "p"))[urls.TRACK_RECORD].decode()
    assert "No thesis is closed yet." in page and "| Thesis |" not in page


# --------------------------------------------------------------------------- staleness


def test_stale_theses_are_reported_and_noted_on_their_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git (a copy of the sample): measured from `opened` and `review.on` against SOURCE_DATE_EPOCH."""
    paths = make_project(tmp_path / "p")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-09-16"))  # 180 days after the review of 2026-03-20
    assert [(d.file, d.code, d.message) for d in check_project(paths, jobs=1).diagnostics] == [
        ("content/theses/leading-edge-scarcity.yaml", "thesis.stale",
         "monitoring thesis 'leading-edge-scarcity' not changed or reviewed since 2026-02-20, 208 days before 2026-09-16 "
         "(stale after 180 days)")]
    docs = {k: v.decode() for k, v in render_docs(paths).items() if k.endswith(".md")}
    note = "not reviewed since 2026-02-20"
    assert f'<p class="ts-stale" data-search-exclude><strong>Stale:</strong> {note}</p>' in docs[urls.thesis_page("leading-edge-scarcity")]
    assert "ts-stale" not in docs[urls.thesis_page("memory-bound-inference")]
    assert f"<br><em>{note}</em>" in docs[urls.THESES] and docs[urls.THESES].count("<br><em>not reviewed") == 1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-09-17"))  # one day more: the reviewed thesis goes stale too
    assert [d.message.split(" not")[0] for d in check_project(paths, jobs=1).diagnostics] == [
        "monitoring thesis 'leading-edge-scarcity'", "active thesis 'memory-bound-inference'"]


def test_the_threshold_is_set_once_in_mkdocs_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-09-17"))
    config = paths.mkdocs_config.read_text(encoding="utf-8")
    assert config.count("\nextra:\n") == 1 and "\n  thesis_site:" not in config  # shipped: the default, in a comment

    def threshold(days: int) -> None:
        paths.mkdocs_config.write_text(config.replace("\nextra:\n", f"\nextra:\n  thesis_site:\n    stale_after_days: {days}\n"),
                                       encoding="utf-8")

    threshold(400)
    result = check_project(paths, jobs=1)
    assert result.diagnostics == [] and result.publication.stale_after_days == 400
    assert "threshold is 400 days" in render_docs(paths)[urls.METHOD].decode()
    threshold(30)
    assert [d.code for d in check_project(paths, jobs=1).diagnostics] == ["thesis.stale", "thesis.stale"]


def test_without_a_publication_date_staleness_is_not_measured(tmp_path: Path) -> None:
    """No SOURCE_DATE_EPOCH and no git: never the wall clock (the sample is long stale by it)."""
    paths = make_project(tmp_path / "p")
    result = check_project(paths, jobs=1)
    assert result.diagnostics == [] and dict(result.publication.stale) == {}


def test_git_history_measures_from_the_last_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a repository the publication date is the last commit's, and a commit that changes a
    thesis renews it; the same commit gives the same answer on any later day."""
    repo = Repo.create(tmp_path / "repo", from_fixture=False)
    shutil.copytree(SAMPLE_CONTENT, repo.root / "content")
    repo.commit("Sample content", date="2026-03-21")
    paths = ProjectPaths(repo.root)
    assert check_project(paths, jobs=1).diagnostics == []  # the last commit is the day after the review
    repo.replace("content/theses/leading-edge-scarcity.yaml", "Sold-out capacity supports pricing.", "Sold-out capacity keeps pricing.")
    repo.write("content/people/new-analyst.yaml", "id: new-analyst\nname: New Analyst\n")
    repo.commit("Reword a rationale", date="2026-06-01")
    repo.write("content/people/late-analyst.yaml", "id: late-analyst\nname: Late Analyst\n")
    repo.commit("Add a person", date="2026-10-01")
    stale = check_project(paths, jobs=1)
    # memory-bound-inference: reviewed 2026-03-20, last changed 2026-03-21 → 194 days before 2026-10-01
    # leading-edge-scarcity: changed by the commit of 2026-06-01 → 122 days: not stale
    assert [(d.code, d.file) for d in stale.diagnostics] == [("thesis.stale", "content/theses/memory-bound-inference.md")]
    assert dict(stale.publication.stale) == {"memory-bound-inference": dt.date(2026, 3, 21)}
    assert "since 2026-03-21, 194 days before 2026-10-01" in stale.diagnostics[0].message
    assert check_project(paths, jobs=1).diagnostics == stale.diagnostics


# --------------------------------------------------------------------------- review and feeds


def test_review_and_feeds_report_a_call_closed_with_its_date(tmp_path: Path) -> None:
    repo = Repo.create(tmp_path / "repo")
    repo.commit("Base content", date="2026-02-01", tag="base")
    memory = "content/theses/memory-bound.yaml"
    repo.replace(memory, "      - context-grows\nrisks:\n", "      - context-grows\n    closed: 2026-02-03\nrisks:\n")
    repo.commit("Close the YY watch", date="2026-02-04", tag="closed")
    repo.replace(memory, "    closed: 2026-02-03\nrisks:\n", "risks:\n")
    repo.replace(memory, "  - asset: YY\n", "  - asset: WW\n    direction: watch\n    role: fab builder\n    rationale: New capacity.\n"
                 "    opened: 2026-02-05\n  - asset: YY\n")
    repo.write("content/assets/WW.yaml", "id: WW\nname: Wafer Works\nkind: equity\nsector: Semiconductors\ndescription: Builds fabs.\n")
    repo.commit("Reopen YY, watch WW", date="2026-02-06", tag="reopened")

    closed = json.loads(run_cli("review", "--root", str(repo.root), "base", "closed", "--format", "json").stdout)
    assert closed["theses"][0]["positions"] == [{"asset": "YY", "change": "closed", "on": "2026-02-03",
                                                 "before": {"direction": "watch", "because": ["context-grows"]},
                                                 "after": {"direction": "watch", "because": ["context-grows"]}}]
    assert closed["theses"][0]["summary"] == "YY watch position closed on 2026-02-03"
    markdown = run_cli("review", "--root", str(repo.root), "base", "closed").stdout
    assert "| YY | closed on 2026-02-03 | watch ← context-grows | watch ← context-grows |" in markdown
    reopened = json.loads(run_cli("review", "--root", str(repo.root), "closed", "reopened", "--format", "json").stdout)
    assert [(p["asset"], p["change"], p["on"]) for p in reopened["theses"][0]["positions"]] == [
        ("WW", "added", "2026-02-05"), ("YY", "reopened", None)]

    result = check_project(ProjectPaths(repo.root), jobs=1)
    history = publication_history(repo.root, result.publication.graph)
    events = {asset: [(e.change, e.summary) for e in items] for asset, items in history.asset_events.items()}
    assert events["YY"][:2] == [("opened", "watch position reopened on 2026-02-06 in memory-bound"),
                                ("closed", "watch position closed on 2026-02-03 in memory-bound")]
    assert events["WW"] == [("opened", "watch position opened on 2026-02-05 in memory-bound")]
    files = feed_files(collect_feeds(result.publication, history, "https://x.example.net/", urls.site_path), "https://x.example.net/")
    assert "YY: watch position closed on 2026-02-03 in memory-bound" in files["feeds/assets/YY.rss.xml"].decode()


def test_compare_reports_each_change_of_a_call(tmp_path: Path) -> None:
    from generator.compare import compare_positions
    from generator.models import Position

    thesis = check_project(ProjectPaths(valid_project(tmp_path)), jobs=1).publication.graph.theses["bet"]
    base = thesis.assets[0]

    def changed(**update) -> list[tuple[str, str]]:
        after = Position.model_validate({**base.model_dump(exclude_none=True), **update})
        return [(c.change, c.describe()) for c in compare_positions((base,), (after,), thesis)]

    closed = Position.model_validate({**base.model_dump(exclude_none=True), "closed": dt.date(2024, 7, 1)})
    assert changed(closed=dt.date(2024, 7, 1)) == [("closed", "long position closed on 2024-07-01")]
    assert [(c.change, c.on) for c in compare_positions((closed,), (base,), thesis)] == [("reopened", None)]
    redated = Position.model_validate({**closed.model_dump(exclude_none=True), "closed": dt.date(2024, 8, 1)})
    assert [(c.change, c.on) for c in compare_positions((closed,), (redated,), thesis)] == [("closed", dt.date(2024, 8, 1))]
    assert changed(opened=dt.date(2024, 6, 2)) == [("dates", "opening date or reference price changed")]
    assert changed(rationale="Sells more GPUs.") == [("rationale", "rationale changed")]
    assert changed(direction="short", closed=dt.date(2024, 7, 1)) == [("direction", "long → short")]
    added = compare_positions((), (base,), thesis)
    assert [(c.change, c.describe()) for c in added] == [("added", "long position added, opened 2024-06-01")]


def test_share_cards_show_open_calls_only(tmp_path: Path) -> None:
    from generator.pages.entities import make_card

    publication = check_project(make_project(tmp_path / "p"), jobs=1).publication
    badges = make_card(publication, "leading-edge-scarcity", "https://x.example.net/").badges
    assert [(b.direction, b.asset) for b in badges] == [("long", "TSM"), ("watch", "NVDA")]  # MU's watch is closed
