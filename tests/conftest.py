"""Fixtures shared by test modules."""

from __future__ import annotations

import pytest


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
