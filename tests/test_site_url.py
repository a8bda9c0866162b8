"""`site_url` is set before anything goes public (`config.site-url`): `check` warns while it is
unset, not an absolute http(s) URL, or the shipped placeholder, at its line in mkdocs.yml;
`build --strict` and `publish` refuse it (publish: tests/test_publish.py). The shipped
mkdocs.yml reads it from SITE_URL (conftest.py sets it for every test; these tests remove it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from generator.siteconfig import DEFAULT_SITE_URL, site_url_problem

from site_support import REPO, TEST_SITE_URL, make_project

VALID = Path(__file__).parent / "fixtures" / "valid"


def project_with(tmp_path: Path, mkdocs_yml: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    return root


def site_url_warnings(root: Path) -> list:
    return [d for d in check_project(ProjectPaths(root), jobs=1).diagnostics if d.code == "config.site-url"]


@pytest.mark.parametrize("site_url", [
    DEFAULT_SITE_URL, "https://thesis-site.example.org", "http://THESIS-SITE.example.org./sub/", "", "theses.example.net",
    "ftp://theses.example.net/", "https:///path", "https://theses.example.net/?x=1", "https://theses.example.net/#top",
    "https://user@theses.example.net/", "https://[::1/", "https://theses.example.net/a b/", 'https://x.net/"><script>',
    "https://theses.example.net/\n",
])
def test_what_cannot_be_a_published_address(site_url: str) -> None:
    assert site_url_problem(site_url) is not None


@pytest.mark.parametrize("site_url", [TEST_SITE_URL, "https://theses.example.net/research", "http://127.0.0.1:8123/",
                                      "https://example.org/", "https://thesis-site.example.org.evil.net/"])
def test_what_can(site_url: str) -> None:
    assert site_url_problem(site_url) is None


def test_the_shipped_placeholder_is_a_warning_at_its_line_naming_the_variable(monkeypatch) -> None:
    monkeypatch.delenv("SITE_URL")
    outcome = CliRunner().invoke(cli.main, ["check", "--root", str(REPO)])
    assert outcome.exit_code == 0
    line = next(n for n, text in enumerate((REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("site_url:"))
    assert outcome.stdout.startswith(f"mkdocs.yml:{line}:1: warning[config.site-url] site_url: is the shipped placeholder")
    assert "set SITE_URL in the environment, or site_url in mkdocs.yml," in outcome.stdout
    assert outcome.stderr.endswith("0 errors, 1 warning\n")
    strict = CliRunner().invoke(cli.main, ["check", "--root", str(REPO), "--strict", "--format", "github"])
    assert strict.exit_code == 1
    assert strict.stdout.startswith(f"::warning file=mkdocs.yml,line={line},col=1,title=config.site-url::")


def test_a_real_site_url_is_clean(monkeypatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://research.example.net/theses/")
    outcome = CliRunner().invoke(cli.main, ["check", "--root", str(REPO), "--strict"])
    assert outcome.exit_code == 0 and outcome.stdout == ""


@pytest.mark.parametrize(("mkdocs_yml", "line", "message"), [
    ("site_name: x\n", 1, "is not set"),
    ("site_name: x\nsite_url:\n", 2, "is not set"),
    ("site_name: x\n# where\nsite_url: theses.example.net\n", 3, "'theses.example.net' is not an absolute http(s) URL"),
    ("site_name: x\nsite_url: !ENV [NO_SUCH_VARIABLE_SET]\n", 2, "is not set"),
])
def test_unset_or_malformed_site_url(tmp_path: Path, mkdocs_yml: str, line: int, message: str) -> None:
    (warning,) = site_url_warnings(project_with(tmp_path, mkdocs_yml))
    assert (warning.file, warning.line, warning.column, warning.path) == ("mkdocs.yml", line, 1, "site_url")
    assert warning.message.startswith(message)
    assert warning.severity == "warning"


def test_no_mkdocs_yml_or_an_unreadable_one_is_left_to_the_build(tmp_path: Path) -> None:
    root = project_with(tmp_path, "site_name: [unclosed\n")
    assert site_url_warnings(root) == []
    (root / "mkdocs.yml").unlink()
    assert site_url_warnings(root) == []


def test_build_strict_refuses_the_placeholder_and_a_plain_build_warns(tmp_path: Path, monkeypatch) -> None:
    """The README's first command keeps working (a warning), while --strict stops before mkdocs."""
    monkeypatch.delenv("SITE_URL")
    paths = make_project(tmp_path / "project")
    strict = CliRunner().invoke(cli.main, ["build", "--strict", "--root", str(paths.root), "--out", str(tmp_path / "strict")])
    assert strict.exit_code == 1
    assert "warning[config.site-url]" in strict.stdout
    assert not (tmp_path / "strict").exists()
    plain = CliRunner().invoke(cli.main, ["build", "--root", str(paths.root), "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0, plain.output
    assert "warning[config.site-url]" in plain.stdout
    assert (tmp_path / "plain" / "index.html").is_file()
