"""One broken project per diagnostic code, asserting the exact diagnostics it produces.

Each `tests/fixtures/broken/<code>/` holds a minimal `content/` tree that breaks one rule and an
`expected.json` with the full list of diagnostics `check` must report for it (file, line, column,
code, field path, message, hint) — nothing more, nothing less. Symlinks, undecodable and
oversized files are made at test time (see `MADE_AT_TEST_TIME`) rather than committed.

Each `tests/fixtures/one-run/<case>/` breaks several rules at once, in files that cite each
other, and asserts the same way that one run reports every problem at its own line: references
and quotes of a file with schema errors, references to it, relation rules at their field.

After an intended change to a message, regenerate the expected files (with every other expected
file, README "Tests") and review the diff:

    UPDATE_EXPECTED=1 python -m pytest -m expected_files
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest

from generator.codes_doc import diagnostic_codes_markdown
from generator.diagnostics import CODES, Diagnostic
from generator.pipeline import check_project
from generator.settings import MAX_CLAIMS_PER_THESIS, MAX_FILE_BYTES, ProjectPaths

TESTS = Path(__file__).parent
BROKEN = TESTS / "fixtures" / "broken"
ONE_RUN = TESTS / "fixtures" / "one-run"
VALID = TESTS / "fixtures" / "valid"
REPOSITORY = TESTS.parent

OTHER_ISSUES = {
    "review.missing": "the review gate (`check --require-review`) belongs to the git review issue",
    "review.stale": "the review gate (`check --require-review`) belongs to the git review issue",
    "build.mkdocs": "emitted by `build` when mkdocs-material fails; the site issue tests it",
    "internal.error": "reports a generator bug; no content can produce it on purpose",
}
"""Registered codes that `check` on content cannot produce; each is tested with its own issue."""

CAUSED_BY = {"ref.invalid-target": "field.format"}
"""A code that reports the consequence of another problem: its fixture breaks that rule too (in the
file it cites), and nothing else."""


# --------------------------------------------------------------------------- files made at test time


def _make_not_regular(root: Path) -> None:
    """A symlink leaving content/, a directory where a file belongs, and a symlinked content folder."""
    people = root / "content" / "people"
    people.mkdir(parents=True)
    (root / "outside.yaml").write_text("id: ann-lee\nname: Ann Lee\n", encoding="utf-8")
    (root / "elsewhere").mkdir()
    try:
        (people / "ann-lee.yaml").symlink_to(Path("..", "..", "outside.yaml"))
        (root / "content" / "sources").symlink_to(Path("..", "elsewhere"), target_is_directory=True)
    except OSError as error:  # pragma: no cover - e.g. Windows without the symlink privilege
        pytest.skip(f"cannot create symlinks here: {error}")
    (people / "archive").mkdir()


def _make_too_large(root: Path) -> None:
    people = root / "content" / "people"
    people.mkdir(parents=True)
    head = b"id: ann-lee\nname: Ann Lee\n"
    padding = b"# padding\n" * ((MAX_FILE_BYTES - len(head)) // 10 + 1)
    (people / "ann-lee.yaml").write_bytes(head + padding)


def _make_not_utf8(root: Path) -> None:
    """Latin-1 after a UTF-8 'ë' on the same line: the column counts characters, not bytes."""
    people = root / "content" / "people"
    people.mkdir(parents=True)
    (people / "ann-lee.yaml").write_bytes("id: ann-lee\nname: Zoë L".encode() + b"\xe9e\n")


def _make_too_many_claims(root: Path) -> None:
    """The valid fixture's thesis with one claim more than a page may hold, each quoting the talk."""
    shutil.copytree(VALID / "content", root / "content")
    thesis = root / "content" / "theses" / "bet.yaml"
    head = thesis.read_text(encoding="utf-8").split("claims:")[0]
    claims = "".join(f"  - {{id: c{n}, text: Claim {n}., confidence: low, evidence: [{{source: talk, at: insight/gpu-demand, "
                     f"quote: Every lab wants more GPUs}}]}}\n" for n in range(MAX_CLAIMS_PER_THESIS + 1))
    thesis.write_text(f"{head}claims:\n{claims}", encoding="utf-8")


MADE_AT_TEST_TIME: dict[str, Callable[[Path], None]] = {
    "file.not-regular": _make_not_regular,
    "file.too-large": _make_too_large,
    "file.not-utf8": _make_not_utf8,
    "thesis.too-many-claims": _make_too_many_claims,
}


FIXED_CLOCK = {"thesis.stale": "1727740800"}
"""SOURCE_DATE_EPOCH per fixture (2024-10-01): staleness is measured against it, never the wall
clock. Every other fixture runs without one (and outside git), so staleness is not measured."""


@pytest.fixture(autouse=True)
def _publication_date(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    code = getattr(request.node, "callspec", None) and request.node.callspec.params.get("code")
    if code in FIXED_CLOCK:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_CLOCK[code])
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# --------------------------------------------------------------------------- helpers


def _fixture_codes() -> list[str]:
    return sorted(path.name for path in BROKEN.iterdir() if path.is_dir())


def _one_run_cases() -> list[str]:
    return sorted(path.name for path in ONE_RUN.iterdir() if path.is_dir())


def _project_for(code: str, tmp_path: Path, fixtures: Path = BROKEN) -> Path:
    root = tmp_path / "project"
    shutil.copytree(fixtures / code, root, symlinks=True, ignore=shutil.ignore_patterns("expected.json"))
    if code in MADE_AT_TEST_TIME:
        MADE_AT_TEST_TIME[code](root)
    return root


def _read_expected(code: str, fixtures: Path = BROKEN) -> list[Diagnostic]:
    items = json.loads((fixtures / code / "expected.json").read_text(encoding="utf-8"))
    return [Diagnostic(**item) for item in items]


def _write_expected(code: str, diagnostics: list[Diagnostic], fixtures: Path = BROKEN) -> None:
    items = [{key: value for key, value in d.as_dict().items() if key != "severity"} for d in diagnostics]
    text = json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    (fixtures / code / "expected.json").write_text(text, encoding="utf-8")


def _assert_points_into_files(root: Path, diagnostics: list[Diagnostic]) -> None:
    """Each `file:line:col` names a character position that exists in that file."""
    for diagnostic in diagnostics:
        if diagnostic.code in ("file.not-regular", "file.too-large", "file.not-utf8"):
            continue  # not read as text; their exact positions are asserted elsewhere
        target = root / diagnostic.file
        lines = re.split(r"\r\n|\r|\n", target.read_text(encoding="utf-8"))
        assert 1 <= diagnostic.line <= len(lines), diagnostic
        assert 1 <= diagnostic.column <= len(lines[diagnostic.line - 1]) + 1, diagnostic


# --------------------------------------------------------------------------- the registry is covered


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_registered_code_has_a_broken_fixture(code: str) -> None:
    if code in OTHER_ISSUES:
        pytest.skip(OTHER_ISSUES[code])
    assert (BROKEN / code / "expected.json").is_file(), f"add tests/fixtures/broken/{code}/ with an expected.json"


def test_every_fixture_is_named_after_a_registered_code() -> None:
    assert set(_fixture_codes()) <= set(CODES) - set(OTHER_ISSUES)
    assert set(OTHER_ISSUES) <= set(CODES), "the skip list names a code that is no longer registered"


def test_the_valid_fixture_is_clean() -> None:
    """The broken fixtures are this tree with one thing broken; it must itself pass `check --strict`."""
    result = check_project(ProjectPaths(VALID), jobs=1)
    assert result.diagnostics == []
    assert result.files == 4


# --------------------------------------------------------------------------- exact diagnostics per code


@pytest.mark.expected_files
@pytest.mark.parametrize("code", _fixture_codes())
def test_broken_fixture_reports_exactly_its_diagnostics(code: str, tmp_path: Path, update_expected: bool) -> None:
    root = _project_for(code, tmp_path)
    actual = check_project(ProjectPaths(root), jobs=1).diagnostics
    if update_expected:
        _write_expected(code, actual)
    expected = _read_expected(code)
    assert actual == expected
    assert {d.code for d in actual} == {code} | ({CAUSED_BY[code]} if code in CAUSED_BY else set()), \
        "a broken fixture must break exactly one rule"


@pytest.mark.parametrize("code", _fixture_codes())
def test_broken_fixture_text_output_points_into_the_file(code: str, tmp_path: Path) -> None:
    _assert_points_into_files(_project_for(code, tmp_path), _read_expected(code))


# --------------------------------------------------------------------------- every problem in one run


@pytest.mark.expected_files
@pytest.mark.parametrize("case", _one_run_cases())
def test_one_run_reports_every_problem_at_its_line(case: str, tmp_path: Path, update_expected: bool) -> None:
    root = _project_for(case, tmp_path, ONE_RUN)
    actual = check_project(ProjectPaths(root), jobs=1).diagnostics
    if update_expected:
        _write_expected(case, actual, ONE_RUN)
    assert actual == _read_expected(case, ONE_RUN)
    _assert_points_into_files(root, actual)


# --------------------------------------------------------------------------- the registry itself and its docs


def test_codes_are_well_formed() -> None:
    for code, (severity, description) in CODES.items():
        assert re.fullmatch(r"[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*", code), code
        assert severity in ("error", "warning"), code
        assert description.endswith(".") and "\n" not in description, code


def test_an_unregistered_code_cannot_be_emitted() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        Diagnostic("content/x.yaml", 1, 1, "field.made-up", "", "nope")


def test_every_code_is_documented() -> None:
    markdown = diagnostic_codes_markdown()
    for code, (severity, description) in CODES.items():
        assert f"| `{code}` | {severity} | {description} |" in markdown


@pytest.mark.expected_files
def test_committed_diagnostics_page_is_generated_from_the_registry(update_expected: bool) -> None:
    if update_expected:
        (REPOSITORY / "DIAGNOSTICS.md").write_text(diagnostic_codes_markdown(), encoding="utf-8")
    committed = (REPOSITORY / "DIAGNOSTICS.md").read_text(encoding="utf-8")
    assert committed == diagnostic_codes_markdown(), "run: python -m generator.codes_doc > DIAGNOSTICS.md"


def test_loading_workers_send_back_what_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Across worker processes (large corpora) a file with errors still comes back in parts."""
    import generator.pipeline

    root = _project_for("invalid-source-cited", tmp_path, ONE_RUN)
    monkeypatch.setattr(generator.pipeline, "PARALLEL_THRESHOLD", 0)
    assert check_project(ProjectPaths(root), jobs=2).diagnostics == _read_expected("invalid-source-cited", ONE_RUN)
