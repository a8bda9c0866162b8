"""`thesis-site check` as contributors and CI run it: output formats, ordering and exit codes
(SPEC §5: 0 clean, 1 content errors or warnings under --strict, 2 usage or internal error).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import cli
from generator.diagnostics import CODES
from generator.pipeline import check_project
from generator.settings import ProjectPaths

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
TEXT_LINE = re.compile(
    r"^(?P<file>content/[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning)\[(?P<code>[a-z0-9.-]+)\] (?P<rest>.+)$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<command>error|warning) file=(?P<file>content/[^,]+),line=(?P<line>\d+),col=(?P<column>\d+),"
    r"title=(?P<code>[a-z0-9.-]+)::(?P<text>.+)$"
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(arg) for arg in args])


@pytest.fixture()
def several_broken_files(tmp_path: Path) -> Path:
    """The valid tree plus independent problems in five files of every kind."""
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    content = root / "content"
    (content / "assets" / "AMD.yaml").write_text(
        "id: AMD\nname: AMD\nkind: stocks\nsector: Semiconductors\ndescription: Designs CPUs and GPUs.\n", encoding="utf-8")
    (content / "people" / "bob-stone.yaml").write_text("id: bob-stone\nname: Bob Stone\nafilliation: X\n", encoding="utf-8")
    (content / "sources" / "other.yaml").write_text("id: other\ntitle: [Other\n", encoding="utf-8")
    thesis = content / "theses" / "bet.yaml"
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("asset: NVDA", "asset: NVDAA")
                      .replace("more GPUs than it can get", "more TPUs than it can get"), encoding="utf-8")
    (content / "theses" / "second.md").write_text("---\nid: second\ntitle: Unclosed\n", encoding="utf-8")
    return root


EXPECTED_SEVERAL = [
    ("content/assets/AMD.yaml", 3, "field.enum"),
    ("content/people/bob-stone.yaml", 3, "field.unknown"),
    ("content/sources/other.yaml", 3, "yaml.syntax"),
    ("content/theses/bet.yaml", 17, "quote.not-found"),
    ("content/theses/bet.yaml", 20, "ref.unknown-asset"),
    ("content/theses/second.md", 1, "frontmatter.unclosed"),
]


# --------------------------------------------------------------------------- exit codes


def test_clean_project_exits_0_with_a_summary_on_stderr() -> None:
    result = run("check", "--root", VALID)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "4 files checked: 0 errors, 0 warnings\n"


def test_content_error_exits_1_and_prints_the_spec_line() -> None:
    result = run("check", "--root", BROKEN / "ref.unknown-asset")
    assert result.exit_code == 1
    assert result.stdout == (
        "content/theses/bet.yaml:20:12: error[ref.unknown-asset] assets[0].asset: no asset 'NVDAA' (did you mean 'NVDA'?)\n"
    )
    assert result.stderr == "4 files checked: 1 error, 0 warnings\n"


def test_strict_turns_a_warning_into_exit_1() -> None:
    root = BROKEN / "claim.no-evidence"
    relaxed, strict = run("check", "--root", root), run("check", "--root", root, "--strict")
    assert relaxed.exit_code == 0
    assert strict.exit_code == 1
    assert relaxed.stdout == strict.stdout
    assert re.match(r"content/theses/bet\.yaml:21:15: warning\[claim\.no-evidence\] claims\[1\]\.evidence: ", relaxed.stdout)
    assert strict.stderr == "4 files checked: 0 errors, 1 warning\n"


@pytest.mark.parametrize("args", [
    ["check", "--format", "xml"],
    ["check", "--root", "/no/such/folder"],
    ["check", "--no-such-option"],
    ["check", "extra-argument"],
    ["no-such-command"],
])
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Usage:" in result.stderr or "Error:" in result.stderr


def test_an_internal_error_exits_2_without_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(paths: ProjectPaths):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "check_project", explode)
    result = run("check", "--root", VALID)
    assert result.exit_code == 2
    assert "thesis-site: internal error: boom" in result.stderr
    assert result.stdout == ""


def test_root_defaults_to_the_current_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / "ref.unknown-asset")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("content/theses/bet.yaml:20:12: ")


# --------------------------------------------------------------------------- every diagnostic, sorted


def test_text_reports_every_file_in_one_run_sorted_by_file_and_line(several_broken_files: Path) -> None:
    result = run("check", "--root", several_broken_files)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    found = [(m["file"], int(m["line"]), m["code"]) for m in parsed]
    assert found == EXPECTED_SEVERAL
    positions = [(m["file"], int(m["line"]), int(m["column"])) for m in parsed]
    assert positions == sorted(positions)
    assert all(m["severity"] == CODES[m["code"]][0] for m in parsed)
    assert result.stderr == "8 files checked: 6 errors, 0 warnings\n"


def test_json_has_every_field_and_the_same_order(several_broken_files: Path) -> None:
    result = run("check", "--root", several_broken_files, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""  # machine-readable output stays parseable: no summary line
    items = json.loads(result.stdout)
    assert [(item["file"], item["line"], item["code"]) for item in items] == EXPECTED_SEVERAL
    for item in items:
        assert set(item) == {"file", "line", "column", "code", "severity", "path", "message", "hint"}
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        assert item["severity"] == CODES[item["code"]][0]
    unknown_asset = items[4]
    assert unknown_asset == {
        "file": "content/theses/bet.yaml", "line": 20, "column": 12, "code": "ref.unknown-asset", "severity": "error",
        "path": "assets[0].asset", "message": "no asset 'NVDAA'", "hint": "did you mean 'NVDA'?",
    }


def test_json_of_a_clean_project_is_an_empty_list() -> None:
    result = run("check", "--root", VALID, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_annotations(several_broken_files: Path) -> None:
    result = run("check", "--root", several_broken_files, "--format", "github")
    assert result.exit_code == 1
    parsed = [GITHUB_LINE.match(line) for line in result.stdout.splitlines()]
    assert all(parsed), result.stdout
    assert [(m["file"], int(m["line"]), m["code"]) for m in parsed] == EXPECTED_SEVERAL
    assert all(m["command"] == "error" for m in parsed)
    assert result.stdout.splitlines()[4] == (
        "::error file=content/theses/bet.yaml,line=20,col=12,title=ref.unknown-asset::"
        "assets[0].asset: no asset 'NVDAA' (did you mean 'NVDA'?)"
    )


def test_github_warnings_are_warning_annotations() -> None:
    result = run("check", "--root", BROKEN / "claim.no-evidence", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning file=content/theses/bet.yaml,line=21,col=15,title=claim.no-evidence::")


def test_github_escapes_newlines_in_messages() -> None:
    from generator.diagnostics import Diagnostic

    line = Diagnostic("content/x.yaml", 1, 1, "yaml.syntax", "", "bad\nthing 100%").format_github()
    assert line == "::error file=content/x.yaml,line=1,col=1,title=yaml.syntax::bad%0Athing 100%25"


def test_output_matches_the_pipeline(several_broken_files: Path) -> None:
    """The CLI prints exactly what the pipeline returns; it adds and drops nothing."""
    expected = check_project(ProjectPaths(several_broken_files), jobs=1).diagnostics
    result = run("check", "--root", several_broken_files)
    assert result.stdout.splitlines() == [d.format_text() for d in expected]


# --------------------------------------------------------------------------- the installed command


def test_console_script_and_module_entry_point() -> None:
    script = shutil.which("thesis-site")
    commands = [[sys.executable, "-m", "generator"]] + ([[script]] if script else [])
    for command in commands:
        completed = subprocess.run([*command, "check", "--root", str(BROKEN / "ref.unknown-asset")],
                                   capture_output=True, text=True, timeout=60)
        assert completed.returncode == 1, completed.stderr
        assert completed.stdout.startswith("content/theses/bet.yaml:20:12: error[ref.unknown-asset] ")
        bad = subprocess.run([*command, "check", "--format", "xml"], capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2


@pytest.mark.parametrize("kind,identifier", [("source", "new-talk"), ("thesis", "new-bet"), ("asset", "NEWCO"),
                                             ("person", "new-person")])
def test_new_skeletons_pass_check(tmp_path: Path, kind: str, identifier: str) -> None:
    result = run("new", "--root", tmp_path, kind, identifier)
    assert result.exit_code == 0, result.output
    check = run("check", "--root", tmp_path)
    assert check.exit_code == 0, check.stdout
    assert all(TEXT_LINE.match(line)["severity"] == "warning" for line in check.stdout.splitlines())
    assert run("new", "--root", tmp_path, kind, identifier).exit_code == 2  # never overwrites
