"""The contributor workflow files: they parse, they call real `thesis-site` commands with options
the CLI accepts, pull-request builds hold no credentials, and CODEOWNERS guards the build."""

from __future__ import annotations

import fnmatch
import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from generator.cli import main

from review_support import git_env

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
PR_WORKFLOW = WORKFLOWS / "pull-request.yml"
COMMENT_WORKFLOW = WORKFLOWS / "review-comment.yml"
PUBLISH_WORKFLOW = WORKFLOWS / "publish.yml"
_SHELL_OPERATORS = {"&&", "||", "|", ";", ";;", "&", "(", ")"}


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    """The `on:` mapping (YAML 1.1 reads a bare `on` key as True)."""
    value = workflow.get("on", workflow.get(True))
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list):
        return {name: None for name in value}
    return value


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def thesis_site_calls(script: str) -> list[list[str]]:
    """Every `thesis-site ...` command in a shell script, as its argument list (without redirections)."""
    script = re.sub(r"\$\{\{.*?\}\}", "GITHUB_EXPRESSION", script)  # a ${{ }} expression is one word
    calls: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        skip_next = False
        for token in [*lexer, ";"]:
            if skip_next:
                skip_next = False
            elif token in _SHELL_OPERATORS:
                if command and command[0] == "thesis-site":
                    calls.append(command[1:])
                command = []
            elif set(token) <= set("<>&"):  # a redirection: drop its fd number and its target
                if command and command[-1].isdigit():
                    command.pop()
                skip_next = True
            else:
                command.append(token)
    return calls


def all_calls() -> list[tuple[str, list[str]]]:
    found = []
    for path in WORKFLOW_FILES:
        for step in steps(load_yaml(path)):
            found += [(f"{path.name}: {step.get('name', step['run'])}", call) for call in thesis_site_calls(step.get("run", ""))]
    for path in (ROOT / ".pre-commit-hooks.yaml", ):
        for hook in load_yaml(path):
            found += [(f"{path.name}: {hook['id']}", call) for call in thesis_site_calls(hook["entry"])]
    for repo in load_yaml(ROOT / ".pre-commit-config.yaml")["repos"]:
        for hook in repo["hooks"]:
            if "entry" in hook:
                found += [(f".pre-commit-config.yaml: {hook['id']}", call) for call in thesis_site_calls(hook["entry"])]
    return found


# ------------------------------------------------------------------ the shell-line reader itself


def test_the_reader_finds_commands_in_shell_scripts() -> None:
    script = 'mkdir -p out\nthesis-site review "origin/$BASE" HEAD --format markdown > out/review.md\n' \
             "thesis-site check --format github && echo ok # thesis-site bogus\n" \
             "echo thesis-site not-a-call | thesis-site schema --out x 2>&1\n" \
             "thesis-site review origin/${{ github.base_ref }} HEAD"
    assert thesis_site_calls(script) == [
        ["review", "origin/$BASE", "HEAD", "--format", "markdown"],
        ["check", "--format", "github"],
        ["schema", "--out", "x"],
        ["review", "origin/GITHUB_EXPRESSION", "HEAD"],
    ]


# ------------------------------------------------------------------ files parse; commands are real


def test_the_workflow_files_exist_and_parse() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"pull-request.yml", "review-comment.yml", "publish.yml"}
    for path in WORKFLOW_FILES:
        workflow = load_yaml(path)
        assert isinstance(workflow, dict) and workflow.get("name"), path.name
        assert triggers(workflow), path.name
        for job_id, job in workflow["jobs"].items():
            assert job.get("runs-on") and job.get("steps"), (path.name, job_id)
            for step in job["steps"]:
                assert ("uses" in step) != ("run" in step), (path.name, step)


def test_every_thesis_site_call_is_a_real_command_with_real_options() -> None:
    calls = all_calls()
    assert {call[0] for _, call in calls} >= {"check", "review", "build"}
    for where, call in calls:
        name, args = call[0], call[1:]
        assert name in main.commands, f"{where}: `thesis-site {name}` is not a command"
        command = main.commands[name]
        try:
            command.make_context(name, list(args), parent=click.Context(main, info_name="thesis-site"))
        except click.UsageError as error:
            pytest.fail(f"{where}: `thesis-site {' '.join(call)}` is rejected by the CLI: {error.format_message()}")


def test_the_publish_workflow_publishes_once_the_cli_can() -> None:
    """publish.yml builds for now; when `thesis-site publish` exists it must run it (not a comment)."""
    active = [call for step in steps(load_yaml(PUBLISH_WORKFLOW)) for call in thesis_site_calls(step.get("run", ""))]
    assert ["build", "--strict"] in active
    if "publish" in main.commands:
        assert any(call[0] == "publish" and "--push" in call for call in active), \
            "thesis-site publish exists now: enable the commented publish step in .github/workflows/publish.yml"
    else:
        assert "thesis-site publish" in PUBLISH_WORKFLOW.read_text(encoding="utf-8")  # the step waiting for it


def _publish_version_argument() -> str:
    (call,) = [call for step in steps(load_yaml(PUBLISH_WORKFLOW)) for call in thesis_site_calls(step.get("run", ""))
               if call[0] == "publish"]
    return call[1]


def test_the_publish_workflow_names_each_edition_by_date_and_commit(tmp_path: Path) -> None:
    """Two pushes on one day get two editions: the name is the commit date plus the short commit,
    and passes publish's edition-name rule. The workflow's own shell word is run in a repository."""
    from generator.publish import validate_edition_name

    argument = _publish_version_argument()
    environment = {**git_env(tmp_path), "GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.org",
                   "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.org"}

    def git(*args: str, **extra: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True,
                              env={**environment, **extra}).stdout.strip()

    def edition_name() -> str:
        return subprocess.run(["bash", "-c", f'printf "%s" "{argument}"'], cwd=tmp_path, check=True, capture_output=True,
                              text=True, env=environment).stdout

    git("init", "-q", "-b", "main")
    names = []
    for hour in ("09", "17"):
        stamp = f"2026-11-29T{hour}:00:00+00:00"
        git("commit", "-q", "--allow-empty", "-m", f"push at {hour}", GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        name = edition_name()
        assert name == f"2026.11.29-{git('rev-parse', '--short=7', 'HEAD')}", name
        validate_edition_name(name)
        names.append(name)
    assert names[0] != names[1]


def test_workflows_that_check_or_publish_set_the_site_url() -> None:
    """mkdocs.yml reads site_url from SITE_URL: without it, `check --strict`, `build --strict` and
    `publish` stop at the placeholder (config.site-url)."""
    for path in (PUBLISH_WORKFLOW, PR_WORKFLOW):
        (job,) = load_yaml(path)["jobs"].values()
        value = job["env"]["SITE_URL"]
        assert "vars.SITE_URL" in value and ".github.io/" in value and "github.event.repository.name" in value, path.name


# ------------------------------------------------------------------ pull requests: no credentials


def test_the_pull_request_workflow_holds_no_credentials() -> None:
    text = PR_WORKFLOW.read_text(encoding="utf-8")
    workflow = load_yaml(PR_WORKFLOW)
    assert set(triggers(workflow)) == {"pull_request"}  # never pull_request_target
    assert "secrets." not in text and "github.token" not in text and "GITHUB_TOKEN" not in text
    assert workflow["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    assert all(s["with"]["fetch-depth"] == 0 for s in checkouts)  # review needs the base branch


def test_the_pull_request_workflow_checks_and_writes_the_review() -> None:
    workflow = load_yaml(PR_WORKFLOW)
    runs = [s for s in steps(workflow) if "run" in s]
    calls = [call for s in runs for call in thesis_site_calls(s["run"])]
    assert ["check", "--format", "github"] in calls
    assert ["review", "origin/$BASE_REF", "HEAD", "--format", "markdown"] in calls
    setup = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup and setup[0]["with"]["python-version"] == "3.11"
    assert any(s["run"].strip() == "pip install -e ." for s in runs)
    review_step = next(s for s in runs if "thesis-site review" in s["run"])
    assert "> review/review.md" in review_step["run"]
    assert review_step["env"]["BASE_REF"] == "${{ github.base_ref }}"  # not pasted into the script
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "claim-review" and upload["with"]["path"] == "review/"


def test_the_comment_is_posted_by_a_separate_trusted_workflow() -> None:
    workflow = load_yaml(COMMENT_WORKFLOW)
    run = triggers(workflow)["workflow_run"]
    assert run["workflows"] == [load_yaml(PR_WORKFLOW)["name"]] and run["types"] == ["completed"]
    assert workflow["permissions"] == {"actions": "read", "pull-requests": "write"}
    used = [s.get("uses", "") for s in steps(workflow)]
    assert not any(u.startswith("actions/checkout@") for u in used)  # never runs pull-request code
    download = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["name"] == "claim-review"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    post = next(s for s in steps(workflow) if "gh pr comment" in s.get("run", ""))
    assert "--body-file" in post["run"] and "*[!0-9]*" in post["run"]  # the PR number is checked


# ------------------------------------------------------------------ pre-commit


def test_the_pre_commit_hook() -> None:
    (hook,) = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook == {**hook, "id": "thesis-site-check", "entry": "thesis-site check", "language": "python",
                    "files": "^content/", "pass_filenames": False}
    assert re.search(hook["files"], "content/theses/x.yaml") and not re.search(hook["files"], "generator/cli.py")
    config = load_yaml(ROOT / ".pre-commit-config.yaml")
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    (used,) = [h for h in hooks if h["id"] == "thesis-site-check"]
    assert used["entry"] == "thesis-site check" and used["files"] == "^content/" and used["pass_filenames"] is False


# ------------------------------------------------------------------ CODEOWNERS


def codeowners() -> list[tuple[str, list[str]]]:
    rules = []
    for line in (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pattern, *owners = line.split()
            rules.append((pattern, owners))
    return rules


def owners_of(path: str) -> list[str]:
    """GitHub's rule: the last matching pattern wins (the patterns used here: anchored files and folders)."""
    found: list[str] = []
    for pattern, owners in codeowners():
        anchored = pattern.lstrip("/")
        if anchored.endswith("/"):
            matches = path.startswith(anchored) if pattern.startswith("/") else f"/{anchored}" in f"/{path}"
        else:
            matches = fnmatch.fnmatch(path, anchored) if pattern.startswith("/") else fnmatch.fnmatch(path.rsplit("/", 1)[-1], anchored)
        if matches:
            found = owners
    return found


@pytest.mark.parametrize("path", [
    "mkdocs.yml", "generator/cli.py", "generator/pages/thesis.py", "site_templates/thesis.md.j2",
    ".github/workflows/pull-request.yml", ".github/CODEOWNERS",
])
def test_codeowners_protect_the_build(path: str) -> None:
    assert owners_of(path) == ["@thesis-site/maintainers"], path


def test_codeowners_leave_content_to_reviewers() -> None:
    assert owners_of("content/theses/memory-bound.yaml") == []
    assert all(re.fullmatch(r"@[\w.-]+/[\w.-]+", owner) for _, owners in codeowners() for owner in owners)
