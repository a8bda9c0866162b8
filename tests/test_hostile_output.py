"""Output that cannot be forged: hostile file names, keys and values through `check` and `review`
in every format.

A file name or a YAML value may hold newlines, carriage returns, `%0A`, `,line=99`, `::`, ANSI
escapes or bidi overrides. Whatever they hold, the text formats print one line per diagnostic
with no control character left, the GitHub format prints one workflow command per diagnostic
that parses back (as GitHub's runner parses it) to exactly the original file, position and text,
and JSON decodes to exactly the original values.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli
from generator.diagnostics import Diagnostic
from generator.pipeline import check_project
from generator.settings import ProjectPaths

from review_support import Repo, isolate_git, run_cli

VALID = Path(__file__).parent / "fixtures" / "valid"

HOSTILE_NAMES = [
    "a,line=99,title=x.yaml", "a\nb.yaml", "%0Ax.yaml", "x%0D%25y.yaml", "\x1b[31mred.yaml", "\x1b]0;owned\x07.yaml",
    "x\ry.yaml", "x\u202ey.yaml", "rtl\u2067.yaml", "a::error file=x::y.yaml", "tab\there.yaml", "nel\x85.yaml",
    "sep\u2028.yaml", "del\x7f.yaml", "csi\x9b2J.yaml",
]
"""File names in a kind folder: each is refused with file.bad-name, a diagnostic whose file is the name."""

HOSTILE_FOLDER = "notes\x1b[2J\n::error file=forged.yaml::"
"""A folder outside the kind folders: its file is reported with file.stray."""

UNDECODABLE = b"\xff\xfe.yaml"
"""Not UTF-8: Python reads it with lone surrogates, which no output stream can encode as they are."""

HOSTILE_KEY_PERSON = 'id: bob-stone\nname: Bob Stone\n"\\e[2J\\r\\nx%0A,:: \\u2028\\u202e\\x85": 1\n'
HOSTILE_VALUE_ASSET = ('id: AMD\nname: AMD\nkind: "eq\\r::error file=forged.yaml,line=1::forged\\n\\e[31m%0A\\u2066"\n'
                       "sector: Semiconductors\ndescription: Designs CPUs.\n")

_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
"""What must not reach a terminal: C0 but the line feed, DEL, C1, bidi controls, Unicode line
separators, and lone surrogates."""


def _undecodable(folder: Path) -> Path:
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + UNDECODABLE))


def _shown(text: str) -> str:
    """The expected terminal form of `text` (an independent statement of the rule)."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif char in "\u061c\u200e\u200f\u2028\u2029" or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 \
                or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _shown_in_log(text: str) -> str:
    """The expected form in a GitHub log: CR and LF travel as GitHub's own escapes (undone by
    `parse_github`), everything else a terminal would act on is shown as in `_shown`."""
    return "\r".join("\n".join(_shown(part) for part in piece.split("\n")) for piece in text.split("\r"))


_COMMAND = re.compile(r"::(?P<command>[a-z]+) (?P<properties>[^:]*)::(?P<data>.*)")


def _unescape(text: str, *, is_property: bool) -> str:
    """What GitHub's runner does with an escaped value (ActionCommand.Unescape{Data,Property})."""
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    if is_property:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%25", "%")


def parse_github(line: str) -> tuple[str, dict[str, str], str]:
    """One workflow command line → (command, properties, message), as the runner reads it."""
    match = _COMMAND.fullmatch(line)
    assert match, f"not one workflow command: {line!r}"
    properties = {}
    for item in match["properties"].split(","):
        name, _, value = item.partition("=")
        properties[name] = _unescape(value, is_property=True)
    return match["command"], properties, _unescape(match["data"], is_property=False)


def _sentence(d: Diagnostic) -> str:
    return (f"{d.path}: " if d.path else "") + d.message + (f" ({d.hint})" if d.hint else "")


def _assert_terminal_safe(output: str) -> None:
    found = _FORBIDDEN.search(output)
    assert found is None, f"{found.group()!r} reaches the terminal in {output!r}"


# --------------------------------------------------------------------------- check


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(VALID, root)
    content = root / "content"
    for name in HOSTILE_NAMES:
        (content / "people" / name).write_text("id: ann-lee\nname: Ann Lee\n", encoding="utf-8")
    (content / HOSTILE_FOLDER).mkdir()
    (content / HOSTILE_FOLDER / "x.yaml").write_text("id: x\n", encoding="utf-8")
    try:
        _undecodable(content / "people").write_bytes(b"id: x\n")
    except OSError as error:  # pragma: no cover - a file system that insists on UTF-8 names
        pytest.skip(f"cannot create a non-UTF-8 file name here: {error}")
    (content / "people" / "bob-stone.yaml").write_text(HOSTILE_KEY_PERSON, encoding="utf-8")
    (content / "assets" / "AMD.yaml").write_text(HOSTILE_VALUE_ASSET, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_diagnostics(hostile_project: Path) -> list[Diagnostic]:
    diagnostics = check_project(ProjectPaths(hostile_project), jobs=1).diagnostics
    files = {d.file for d in diagnostics}
    for name in HOSTILE_NAMES:
        assert f"content/people/{name}" in files, name  # each hostile name is itself reported
    assert f"content/{HOSTILE_FOLDER}/x.yaml" in files
    codes = {d.code for d in diagnostics}
    assert {"file.bad-name", "file.stray", "field.unknown", "field.enum"} <= codes
    return diagnostics


def _check(root: Path, fmt: str):
    return CliRunner().invoke(cli.main, ["check", "--root", str(root), "--format", fmt], catch_exceptions=False)


def test_check_text_prints_one_line_per_diagnostic_with_no_control_character(hostile_project, hostile_diagnostics) -> None:
    result = _check(hostile_project, "text")
    assert result.exit_code == 1
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    lines = result.stdout.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(hostile_diagnostics)
    for line, d in zip(lines[:-1], hostile_diagnostics, strict=True):
        assert line == (f"{_shown(d.file)}:{d.line}:{d.column}: {d.severity}[{d.code}] {_shown(_sentence(d))}")
    assert all(byte >= 0x20 or byte == 0x0A for byte in result.stdout_bytes)


def test_check_github_prints_one_command_per_diagnostic_that_parses_back(hostile_project, hostile_diagnostics) -> None:
    result = _check(hostile_project, "github")
    assert result.exit_code == 1
    lines = result.stdout.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(hostile_diagnostics)
    assert result.stdout.count("\n::") == len(hostile_diagnostics) - 1  # no command starts inside another line
    assert "\r" not in result.stdout
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    for line, d in zip(lines[:-1], hostile_diagnostics, strict=True):
        command, properties, message = parse_github(line)
        assert command == d.severity
        assert properties == {"file": _shown_in_log(d.file), "line": str(d.line), "col": str(d.column), "title": d.code}
        assert message == _shown_in_log(_sentence(d))


def test_check_json_decodes_to_the_original_values(hostile_project, hostile_diagnostics) -> None:
    result = _check(hostile_project, "json")
    assert result.exit_code == 1
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    assert json.loads(result.stdout) == [d.as_dict() for d in hostile_diagnostics]


def test_github_escapes_are_githubs_own() -> None:
    """Data: % CR LF; properties: also : and ,."""
    d = Diagnostic("content/a,b:c%d\re\nf.yaml", 2, 3, "yaml.syntax", "k", "x\r\ny%0A:,")
    assert d.format_github() == ("::error file=content/a%2Cb%3Ac%25d%0De%0Af.yaml,line=2,col=3,title=yaml.syntax::"
                                 "k: x%0D%0Ay%250A:,")


# --------------------------------------------------------------------------- review

HOSTILE_TITLE = "Bound\r::warning file=forged.yaml,line=1::forged\n%0A \x1b[2J \u202etxet\u202c \u2028 done"
HOSTILE_CLAIM = "Decode is bound\r\n::error::x by memory %0A \x1b]0;owned\x07 bandwidth."


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile_history(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Base content, then one commit adding a thesis with a hostile title, rewording a claim with
    hostile text, and adding files with hostile names (which git stores as they are)."""
    root = tmp_path_factory.mktemp("hostile-review") / "project"
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_git(monkeypatch, root.parent)
        repo = Repo.create(root)
        repo.commit("Base content", date="2026-02-01", tag="base")
        memory = repo.read("content/theses/memory-bound.yaml")
        repo.write("content/theses/hostile-bet.yaml", memory.replace("id: memory-bound", "id: hostile-bet")
                   .replace("title: Inference is bound by memory, not compute", f"title: {_yaml_string(HOSTILE_TITLE)}"))
        repo.replace("content/theses/memory-bound.yaml", "text: Decode is bound by memory bandwidth rather than compute.",
                     f"text: {_yaml_string(HOSTILE_CLAIM)}")
        for name in HOSTILE_NAMES:
            repo.write(f"content/people/{name}", "id: ann-lee\nname: Ann Lee\n")
        repo.write(f"content/{HOSTILE_FOLDER}/x.yaml", "id: x\n")
        _undecodable(repo.path("content/people")).write_bytes(b"id: x\n")
        repo.commit("Hostile content", date="2026-02-02", tag="hostile")
    return repo


def _review(repo: Repo, fmt: str):
    return run_cli("review", "--root", str(repo.root), "base", "hostile", "--format", fmt)


pytestmark = pytest.mark.usefixtures("isolated_git")  # see conftest.py


def test_review_github_prints_commands_that_parse_back(hostile_history: Repo) -> None:
    result = _review(hostile_history, "github")
    assert result.exit_code == 0
    assert "\r" not in result.stdout
    lines = result.stdout.split("\n")  # as the runner reads: U+2028 or NEL do not end a command
    assert lines[-1] == ""
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    parsed = [parse_github(line) for line in lines[:-1]]
    by_file: dict[str, list[tuple[str, str]]] = {}
    for command, properties, message in parsed:
        assert set(properties) == {"file", "line", "col", "title"} and properties["title"] == "claim review"
        by_file.setdefault(properties["file"], []).append((command, message))
    assert by_file == {
        "content/theses/hostile-bet.yaml": [("notice", _shown_in_log(f"new thesis: {HOSTILE_TITLE}"))],
        "content/theses/memory-bound.yaml": [("notice", "claim 'decode-bound' reworded")],
    }


def test_review_markdown_keeps_each_value_on_its_line_with_no_control_character(hostile_history: Repo) -> None:
    result = _review(hostile_history, "markdown")
    assert result.exit_code == 0
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    lines = result.stdout.splitlines()
    assert not any(line.startswith("::") for line in lines)
    headings = [line for line in lines if line.startswith("### ")]
    assert len(headings) == 2
    added = next(line for line in headings if "(`hostile-bet`) — added" in line)
    assert added.startswith("### Bound ") and "\\x1b" in added and "\\u202e" in added and added.endswith("— added")
    reworded = [line for line in lines if "`decode-bound` reworded" in line]
    assert len(reworded) == 1 and "\\x1b" in reworded[0] and "bandwidth" in reworded[0]


def test_review_json_decodes_to_the_original_values(hostile_history: Repo) -> None:
    result = _review(hostile_history, "json")
    assert result.exit_code == 0
    _assert_terminal_safe(result.stdout.replace("\n", ""))
    report = json.loads(result.stdout)
    theses = {t["id"]: t for t in report["theses"]}
    assert theses["hostile-bet"]["title"] == HOSTILE_TITLE
    assert theses["memory-bound"]["claims"][0]["text_after"] == HOSTILE_CLAIM
