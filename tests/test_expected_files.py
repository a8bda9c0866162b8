"""`UPDATE_EXPECTED=1 python -m pytest -m expected_files` rewrites every committed expected file
(README, "Tests"); these check the two rules that make that one command enough and safe: only a
test carrying the `expected_files` marker may ask whether to rewrite, and CI never rewrites."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")
TESTS = '''
import pytest

@pytest.mark.expected_files
def test_marked(update_expected):
    print(f"update={update_expected}")

def test_unmarked(update_expected):
    pass
'''


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("UPDATE_EXPECTED", raising=False)
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    expected_files: rewrites expected files\n")
    pytester.makepyfile(test_expected=TESTS)
    return pytester


def test_only_a_marked_test_may_ask_whether_to_rewrite(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-s")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*update=False*", "*test_unmarked asks for update_expected without the expected_files marker*"])


def test_the_variable_turns_rewriting_on(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_EXPECTED", "1")
    result = suite.runpytest("-s", "-m", "expected_files")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*update=True*"])


def test_ci_refuses_to_rewrite(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_EXPECTED", "1")
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("-m", "expected_files")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*UPDATE_EXPECTED=1 rewrites expected files instead of checking them; never in CI*"])
