"""Every test runs with the environment variable SITE_URL set to a real-looking address: the
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
