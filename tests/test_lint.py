"""Type checks and lint run with the tests, configured in pyproject.toml (README, "Tests"):
`python -m mypy generator` (strict) and `python -m ruff check generator tests bench`.

Both tools come with the test extra (`pip install -e ".[test]"`); a missing one fails here rather
than skipping, so the checks cannot quietly stop running."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from site_support import REPO


def _run(module: str, *args: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f'{module} is not installed: pip install -e ".[test]"', pytrace=False)
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"python -m {module} {' '.join(args)} exited with {result.returncode}:\n"
                    f"{result.stdout}{result.stderr}", pytrace=False)


def test_mypy_finds_no_type_error_in_the_generator() -> None:
    _run("mypy", "generator")


def test_ruff_finds_nothing_in_generator_tests_and_bench() -> None:
    _run("ruff", "check", "--no-cache", "generator", "tests", "bench")
