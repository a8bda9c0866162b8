"""The Contributing page is generated from the models and the diagnostic registry: every field
and every code must appear on it, so the guide cannot fall behind the checker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.diagnostics import CODES
from generator.models import CONTENT_MODELS
from generator.pages.contributing import make_contributing_page

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_every_code_and_every_top_level_field_is_on_the_page() -> None:
    page = make_contributing_page()
    assert [c.code for c in page.codes] == list(CODES)
    by_title = {s.title: s for s in page.sections}
    for model in CONTENT_MODELS.values():
        assert [f.name for f in by_title[model.__name__].fields] == list(model.model_fields)
    for nested in ("Claim", "Evidence", "Position", "Review", "InsightGroup", "InsightPoint", "Moment", "DataTable"):
        assert nested in by_title, nested
    assert all(f.description for s in page.sections for f in s.fields)


@pytest.fixture(scope="module")
def built_page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("site") / "site"
    subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(REPO_ROOT), "--out", str(out)],
                   check=True, capture_output=True)
    return (out / "contributing" / "index.html").read_text(encoding="utf-8")


def test_the_built_page_lists_codes_and_the_review_flow(built_page: str) -> None:
    for code in CODES:
        assert f"<code>{code}</code>" in built_page, code
    assert "thesis-site review" in built_page and "--require-review" in built_page
