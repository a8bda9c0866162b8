"""Fixtures shared by test modules.

Every test runs with the environment variable SITE_URL set to a real-looking address: the
shipped mkdocs.yml reads `site_url` from it and otherwise falls back to the placeholder, which
`check` warns about and `build --strict` and `publish` refuse (README, "Editions"). Session-wide,
so module-scoped fixtures that build sites see it too; a test of the warning removes it.

Helpers that are not fixtures live in `site_support`, `review_support` and `browser_support`,
imported by plain name (pyproject's `pythonpath` puts tests/ on the path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from review_support import isolate_git
from site_support import EPOCH, TEST_SITE_URL

UPDATE_VARIABLE = "UPDATE_EXPECTED"
"""`UPDATE_EXPECTED=1` makes the tests marked `expected_files` rewrite the committed expected files
from the current output instead of comparing with them (README, "Tests")."""


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(UPDATE_VARIABLE) == "1" and os.environ.get("CI"):
        raise pytest.UsageError(f"{UPDATE_VARIABLE}=1 rewrites expected files instead of checking them; never in CI")


@pytest.fixture
def update_expected(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites expected files. Only a test marked `expected_files` may ask, so that
    `UPDATE_EXPECTED=1 python -m pytest -m expected_files` reaches every test that writes one."""
    if request.node.get_closest_marker("expected_files") is None:
        pytest.fail(f"{request.node.nodeid} asks for update_expected without the expected_files marker")
    return os.environ.get(UPDATE_VARIABLE) == "1"


@pytest.fixture(autouse=True, scope="session")
def site_url_is_set():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", TEST_SITE_URL)
        yield


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git must never find a repository above the test's folder (e.g. when /tmp is inside one), nor
    the user's configuration; see `review_support.isolate_git`."""
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> str:
    """SOURCE_DATE_EPOCH fixed (`site_support.EPOCH`), so builds outside git get the same dates every run."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return EPOCH


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless chromium through playwright, one for the whole session: playwright's sync
    API cannot start a second time while the first is running, so every browser test module
    takes its pages from this one."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, check_prerequisites

    check_prerequisites()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
