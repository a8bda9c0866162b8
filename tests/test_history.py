"""History from git (first published, last changed, change log per thesis and per claim) and the
release gate `check --require-review` (codes review.missing and review.stale).

The repositories are built in tmp_path from tests/fixtures/review/base/ with fixed authors and
dates (see review_support.py), so hashes and dates are the same on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from generator import gitrepo
from generator.history import ClaimHistory, publication_history, thesis_histories
from generator.pipeline import check_project
from generator.settings import ProjectPaths

from review_support import FIXTURE, PEOPLE, Repo, line_of, run_cli

MEMORY = "content/theses/memory-bound.yaml"
IDLE = "content/theses/idle-accelerators.md"
REVIEW_BLOCK = "review:\n  status: reviewed\n  by: cy-reviewer\n  on: 2026-01-05\n"
NEW_CLAIM = """\
  - id: hbm-shortage
    text: High-bandwidth memory stays in short supply.
    evidence:
      - source: market-article
        at: tldr
        quote: Contract prices for high-bandwidth memory rose
    confidence: medium
assets:
"""


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def histories_of(root: Path):
    result = check_project(ProjectPaths(root), jobs=1)
    assert result.publication is not None and not result.errors, result.errors
    return thesis_histories(root, result.publication.graph)


pytestmark = pytest.mark.usefixtures("isolated_git")  # see conftest.py


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """Seven commits over three weeks by three people, one of them a merged branch."""
    repo = Repo.create(tmp_path / "project")
    repo.commit("Base content", date="2026-03-01", who="ana", tag="c1")
    repo.replace(MEMORY, "text: Decode is bound by memory bandwidth rather than compute.",
                 "text: Decode is bound by memory bandwidth, not by compute.")
    repo.commit("Reword decode-bound", date="2026-03-05", who="bo", tag="c2")
    repo.replace(MEMORY, "assets:\n", NEW_CLAIM)
    repo.replace(MEMORY, "    direction: long\n", "    direction: short\n")
    repo.commit("Add a claim and go short ZZ", date="2026-03-09", who="ana", tag="c3")
    repo.replace(MEMORY, "  on: 2026-01-05\n", "  on: 2026-03-12\n")
    repo.commit("Review the thesis", date="2026-03-12", who="cy", tag="c4")
    repo.replace("content/sources/market-article.yaml", "publisher: Example Weekly\n", "publisher: Example Daily\n")
    repo.commit("A source changes, no thesis does", date="2026-03-14", who="ana", tag="c5")
    # a branch with one commit, merged with a merge commit two days later
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.replace(IDLE, "    text: Accelerators sit idle waiting for memory.", "    text: Accelerators often sit idle waiting for memory.")
    repo.commit("Reword idle-time", date="2026-03-16", who="bo", tag="feature-commit")
    repo.git("checkout", "--quiet", "main")
    repo.git("merge", "--quiet", "--no-ff", "-m", "Merge the idle-time rewording", "feature", who="cy", date="2026-03-18")
    repo.git("tag", "c6")
    # remove a claim (and the position's reference to it)
    repo.replace(MEMORY, """\
  - id: prices-rise
    text: Memory prices are rising because supply is tight.
    evidence:
      - source: market-article
        at: tldr
        quote: rose for a third quarter in a row as supply stays tight
    confidence: medium
""", "")
    repo.replace(MEMORY, "      - decode-bound\n      - prices-rise\n", "      - decode-bound\n")
    repo.commit("Drop prices-rise", date="2026-03-20", who="ana", tag="c7")
    return repo


def short(repo: Repo, tag: str) -> str:
    return repo.sha(tag)[:7]


def log(history) -> tuple[tuple[dt.date, str, str, str], ...]:
    """The change log as a reader sees it: (date, short hash, author, summary), newest first."""
    return tuple((e.date, e.commit, e.author, e.summary) for e in history.entries)


def epoch(date: str) -> int:
    """The fixed commit time of review_support.Repo: noon UTC."""
    return int(dt.datetime.fromisoformat(f"{date}T12:00:00+00:00").timestamp())


# ------------------------------------------------------------------ history from git


def test_thesis_dates_and_change_log(repo: Repo) -> None:
    histories = histories_of(repo.root)
    memory = histories["memory-bound"]
    assert memory.from_git
    assert (memory.first_published, memory.last_changed) == (day("2026-03-01"), day("2026-03-20"))
    assert log(memory) == (  # newest first; c5 changed no thesis and c6 only the other one
        (day("2026-03-20"), short(repo, "c7"), "Ana Analyst", "1 claim removed; ZZ because changed"),
        (day("2026-03-12"), short(repo, "c4"), "Cy Reviewer", "review changed"),
        (day("2026-03-09"), short(repo, "c3"), "Ana Analyst", "1 claim added; ZZ long → short"),
        (day("2026-03-05"), short(repo, "c2"), "Bo Speaker", "1 claim reworded"),
        (day("2026-03-01"), short(repo, "c1"), "Ana Analyst", "thesis added"),
    )
    assert [e.timestamp for e in memory.entries] == [epoch(d) for d in
                                                     ("2026-03-20", "2026-03-12", "2026-03-09", "2026-03-05", "2026-03-01")]


def test_claim_dates(repo: Repo) -> None:
    claims = dict(histories_of(repo.root)["memory-bound"].claims)
    assert claims == {  # the claims of the current thesis, in order; the removed claim is gone
        "decode-bound": ClaimHistory(day("2026-03-01"), day("2026-03-05")),
        "context-grows": ClaimHistory(day("2026-03-01"), day("2026-03-01")),
        "hbm-shortage": ClaimHistory(day("2026-03-09"), day("2026-03-09")),
    }
    assert list(claims) == ["decode-bound", "context-grows", "hbm-shortage"]


def test_a_merged_branch_counts_once_on_the_day_it_was_merged(repo: Repo) -> None:
    """History follows the first parent: a pull request shows up as its merge commit."""
    idle = histories_of(repo.root)["idle-accelerators"]
    assert (idle.first_published, idle.last_changed) == (day("2026-03-01"), day("2026-03-18"))
    assert log(idle) == (
        (day("2026-03-18"), short(repo, "c6"), "Cy Reviewer", "1 claim reworded"),
        (day("2026-03-01"), short(repo, "c1"), "Ana Analyst", "thesis added"),
    )
    assert short(repo, "feature-commit") not in {entry.commit for entry in idle.entries}
    assert dict(idle.claims) == {"idle-time": ClaimHistory(day("2026-03-01"), day("2026-03-18"))}


def test_position_events_per_asset(repo: Repo) -> None:
    result = check_project(ProjectPaths(repo.root), jobs=1)
    events = publication_history(repo.root, result.publication.graph).asset_events
    assert [(e.timestamp, e.commit, e.author, e.thesis_id, e.change, e.summary) for e in events["ZZ"]] == [
        (epoch("2026-03-20"), short(repo, "c7"), "Ana Analyst", "memory-bound", "changed", "because changed in memory-bound"),
        (epoch("2026-03-09"), short(repo, "c3"), "Ana Analyst", "memory-bound", "changed", "long → short in memory-bound"),
        (epoch("2026-03-01"), short(repo, "c1"), "Ana Analyst", "memory-bound", "opened", "long position opened on 2026-01-04 in memory-bound"),
    ]


def test_short_hash_and_author_come_from_the_commit(repo: Repo) -> None:
    entry = histories_of(repo.root)["memory-bound"].entries[-1]
    assert len(entry.commit) == 7 and repo.sha(entry.commit) == repo.sha("c1")
    assert entry.author == PEOPLE["ana"][0]


def test_history_is_one_pass_over_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed number of git processes, however many commits and files: not one per file."""
    calls: list[list[str]] = []
    real_run = gitrepo.subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(list(args))
        return real_run(args, *rest, **kwargs)

    result = check_project(ProjectPaths(repo.root), jobs=1)
    monkeypatch.setattr(gitrepo.subprocess, "run", counting_run)
    thesis_histories(repo.root, result.publication.graph)
    commands = [args[3] for args in calls]  # git -C <root> <command> ...
    assert commands == ["rev-parse", "log", "cat-file"]


def test_history_takes_the_checked_theses_instead_of_parsing_their_bytes_again(repo: Repo, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that knows the bytes of each thesis it validated (`load_cached`) hands git's history
    their models (`CheckResult.theses_by_blob`): only the versions the work tree no longer holds
    are read from git and parsed, and the history is the one made by parsing every version. An
    uncommitted edit is not taken for the committed version."""
    from generator import history
    from generator.caches import LoadCache
    from generator.gitrepo import blob_id

    paths = ProjectPaths(repo.root)
    (repo.root / IDLE).write_text((repo.root / IDLE).read_text(encoding="utf-8") + "\nNot committed.\n", encoding="utf-8")
    reference = history.committed_history(repo.root)
    result = check_project(paths, cache=LoadCache(tmp_path / "cache"))
    memory_blob = blob_id((repo.root / MEMORY).read_bytes())
    assert set(result.theses_by_blob) == {(MEMORY, memory_blob), (IDLE, blob_id((repo.root / IDLE).read_bytes()))}
    parsed: list[tuple[str, str]] = []
    real_parse = history._parse_thesis
    monkeypatch.setattr(history, "_parse_thesis", lambda path, raw: parsed.append((path, blob_id(raw))) or real_parse(path, raw))
    assert history.committed_history(repo.root, result.theses_by_blob) == reference
    assert parsed and (MEMORY, memory_blob) not in parsed
    assert sum(path == MEMORY for path, _ in parsed) == 4, "c1, c2, c3 and c4's versions; c7's is the work tree's"
    assert sum(path == IDLE for path, _ in parsed) == 2, "the committed versions, not the edited work tree's"


def test_an_uncommitted_thesis_falls_back_to_opened(repo: Repo) -> None:
    repo.write("content/theses/draft-idea.yaml", repo.read(MEMORY).replace("id: memory-bound", "id: draft-idea")
               .replace("opened: 2026-01-04", "opened: 2026-02-02"))
    histories = histories_of(repo.root)
    draft = histories["draft-idea"]
    assert not draft.from_git and draft.entries == ()
    assert (draft.first_published, draft.last_changed) == (day("2026-02-02"), day("2026-02-02"))
    assert set(draft.claims.values()) == {ClaimHistory(day("2026-02-02"), day("2026-02-02"))}
    assert histories["memory-bound"].from_git  # the others still come from git


def test_without_git_every_date_falls_back_to_opened(tmp_path: Path) -> None:
    """A plain folder (e.g. an unpacked tarball): the build still gets dates, from `opened`."""
    root = tmp_path / "tarball"
    shutil.copytree(FIXTURE / "content", root / "content")
    histories = histories_of(root)
    assert set(histories) == {"memory-bound", "idle-accelerators"}
    for history in histories.values():
        assert not history.from_git
        assert history.entries == ()
        assert (history.first_published, history.last_changed) == (day("2026-01-04"), day("2026-01-04"))
    assert dict(histories["memory-bound"].claims) == {
        claim: ClaimHistory(day("2026-01-04"), day("2026-01-04"))
        for claim in ("decode-bound", "context-grows", "prices-rise")
    }


def test_a_repository_without_commits_falls_back_to_opened(tmp_path: Path) -> None:
    repo = Repo.create(tmp_path / "project")
    histories = histories_of(repo.root)
    assert not histories["memory-bound"].from_git
    assert histories["memory-bound"].first_published == day("2026-01-04")


# ------------------------------------------------------------------ check --require-review


def gate(root: Path, *extra: str) -> tuple[int, list[dict]]:
    result = run_cli("check", "--root", str(root), "--require-review", "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout or "[]")


def diagnostic(file: str, line: int, column: int, code: str, path: str, message: str, hint: str) -> dict:
    return {"file": file, "line": line, "column": column, "code": code, "path": path, "message": message,
            "hint": hint, "severity": "error"}


MISSING_HINT = "add review: {status: reviewed, by: <person>, on: <date>}"
STALE_HINT = "review the changed claims and update `on`"


@pytest.fixture
def reviewed(tmp_path: Path) -> Repo:
    """The fixture committed on the day of its review (2026-01-05): the review is current."""
    repo = Repo.create(tmp_path / "project")
    repo.commit("Base content", date="2026-01-05")
    return repo


def test_a_current_review_passes(reviewed: Repo) -> None:
    assert gate(reviewed.root) == (0, [])


def test_without_the_flag_reviews_are_not_required(reviewed: Repo) -> None:
    reviewed.replace(MEMORY, REVIEW_BLOCK, "")
    result = run_cli("check", "--root", str(reviewed.root), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_a_claim_changed_after_the_review_is_stale(reviewed: Repo) -> None:
    reviewed.replace(MEMORY, "text: Growing context makes the KV cache larger.", "text: Longer context makes the KV cache larger.")
    reviewed.commit("Reword context-grows", date="2026-01-08")
    line, column = line_of(reviewed.read(MEMORY), "2026-01-05")
    assert gate(reviewed.root) == (1, [diagnostic(
        MEMORY, line, column, "review.stale", "review.on",
        "review of 2026-01-05 is older than the last claim change on 2026-01-08", STALE_HINT)])
    # the text and github formats carry the same place
    text = run_cli("check", "--root", str(reviewed.root), "--require-review")
    assert text.exit_code == 1
    assert text.stdout == (f"{MEMORY}:{line}:{column}: error[review.stale] review.on: review of 2026-01-05 is older than "
                           f"the last claim change on 2026-01-08 ({STALE_HINT})\n")
    github = run_cli("check", "--root", str(reviewed.root), "--require-review", "--format", "github")
    assert github.stdout.startswith(f"::error file={MEMORY},line={line},col={column},title=review.stale::review.on: ")

    # renewing the review clears it
    reviewed.replace(MEMORY, "  on: 2026-01-05\n", "  on: 2026-01-09\n")
    reviewed.commit("Review again", date="2026-01-09", who="cy")
    assert gate(reviewed.root) == (0, [])


def test_changes_outside_claims_do_not_make_a_review_stale(reviewed: Repo) -> None:
    reviewed.replace(MEMORY, "    direction: watch\n", "    direction: neutral\n")
    reviewed.replace(MEMORY, "  - New memory capacity arrives", "  - New memory capacity comes online")
    reviewed.commit("Positions and risks only", date="2026-01-20")
    assert gate(reviewed.root) == (0, [])


def test_an_uncommitted_claim_change_is_judged_by_the_committed_history(reviewed: Repo) -> None:
    """The gate reads dates from history; work-tree edits have no date until they are committed."""
    reviewed.replace(MEMORY, "text: Growing context makes the KV cache larger.", "text: Longer context makes the KV cache larger.")
    assert gate(reviewed.root) == (0, [])


def test_an_active_thesis_without_review_is_missing(reviewed: Repo) -> None:
    reviewed.replace(MEMORY, REVIEW_BLOCK, "")
    assert gate(reviewed.root) == (1, [diagnostic(
        MEMORY, 1, 1, "review.missing", "", "active thesis 'memory-bound' is not reviewed (no review)", MISSING_HINT)])


@pytest.mark.parametrize("status", ["unreviewed", "disputed"])
def test_an_active_thesis_with_a_review_that_is_not_positive_is_missing(reviewed: Repo, status: str) -> None:
    reviewed.replace(MEMORY, "  status: reviewed\n", f"  status: {status}\n")
    line, column = line_of(reviewed.read(MEMORY), f"status: {status}")  # the review mapping starts here
    assert gate(reviewed.root) == (1, [diagnostic(
        MEMORY, line, column, "review.missing", "review", f"active thesis 'memory-bound' is not reviewed ({status})",
        MISSING_HINT)])


def test_a_review_without_a_date_is_stale(reviewed: Repo) -> None:
    reviewed.replace(MEMORY, "  on: 2026-01-05\n", "")
    line, column = line_of(reviewed.read(MEMORY), "status: reviewed")  # `on` is missing: its parent
    assert gate(reviewed.root) == (1, [diagnostic(
        MEMORY, line, column, "review.stale", "review.on",
        "review of unknown date is older than the last claim change on 2026-01-05", STALE_HINT)])


def test_an_active_markdown_thesis_without_review_points_into_the_front_matter(reviewed: Repo) -> None:
    reviewed.replace(IDLE, "status: draft\n", "status: active\n")
    code, found = gate(reviewed.root)
    assert code == 1
    assert found == [diagnostic(IDLE, 2, 1, "review.missing", "",
                                "active thesis 'idle-accelerators' is not reviewed (no review)", MISSING_HINT)]
    assert reviewed.read(IDLE).splitlines()[1] == "id: idle-accelerators"  # line 2: the first field


@pytest.mark.parametrize("status", ["draft", "monitoring", "closed"])
def test_only_active_theses_are_gated(reviewed: Repo, status: str) -> None:
    reviewed.replace(MEMORY, REVIEW_BLOCK, "")
    outcome = "outcome: {on: 2026-04-01, verdict: withdrawn, note: Shelved.}\n" if status == "closed" else ""
    reviewed.replace(MEMORY, "status: active\n", f"status: {status}\n{outcome}")
    assert gate(reviewed.root) == (0, [])


def test_gate_without_git_uses_opened(tmp_path: Path) -> None:
    """No history: the last claim change is the thesis's `opened` (2026-01-04)."""
    root = tmp_path / "tarball"
    shutil.copytree(FIXTURE / "content", root / "content")
    assert gate(root) == (0, [])
    path = root / MEMORY
    path.write_text(path.read_text(encoding="utf-8").replace("  on: 2026-01-05\n", "  on: 2026-01-03\n"), encoding="utf-8")
    line, column = line_of(path.read_text(encoding="utf-8"), "2026-01-03")
    assert gate(root) == (1, [diagnostic(
        MEMORY, line, column, "review.stale", "review.on",
        "review of 2026-01-03 is older than the last claim change on 2026-01-04", STALE_HINT)])


def test_gate_findings_join_the_other_diagnostics(reviewed: Repo) -> None:
    """One run lists content errors and gate errors together, sorted by file and line."""
    reviewed.replace(MEMORY, REVIEW_BLOCK, "")
    reviewed.replace(MEMORY, "  - asset: YY\n", "  - asset: YYY\n")
    code, found = gate(reviewed.root)
    assert code == 1
    assert [d["code"] for d in found] == ["review.missing", "ref.unknown-asset"]
