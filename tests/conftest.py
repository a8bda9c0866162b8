"""Fixtures shared by test modules.

Every test runs with the environment variable SITE_URL set to a real-looking address: the
shipped mkdocs.yml reads `site_url` from it and otherwise falls back to the placeholder, which
`check` warns about and `build --strict` and `publish` refuse (README, "Editions"). Session-wide,
so module-scoped fixtures that build sites see it too; a test of the warning removes it."""

from __future__ import annotations

import pytest

try:
    from tests.site_support import TEST_SITE_URL
except ImportError:  # pytest put tests/ itself on sys.path
    from site_support import TEST_SITE_URL


@pytest.fixture(autouse=True, scope="session")
def site_url_is_set():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", TEST_SITE_URL)
        yield


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
