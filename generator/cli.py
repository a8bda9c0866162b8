"""The `thesis-site` command line. Only this module prints; stages return values.

Exit codes: 0 clean, 1 content errors (or warnings under --strict), 2 usage or internal error.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from .console import printable
from .diagnostics import format_diagnostics, has_errors, sort_diagnostics, summary_line
from .models import ASSET_ID_PATTERN, ID_PATTERN
from .outputs import OutputRefused
from .pipeline import check_project
from .renderers import RENDERERS, RendererError
from .settings import KIND_FOLDERS, ProjectPaths

EXIT_CLEAN, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Cli(click.Group):
    """Turns unexpected exceptions into exit code 2 with a short report instead of a crash dump,
    and a refused output folder (`outputs`, for every command) or an unknown or missing renderer
    (`renderers`) into exit code 2 with its reason."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except OutputRefused as error:
            click.echo(f"thesis-site {ctx.invoked_subcommand}: {error}; nothing was changed", err=True)
            ctx.exit(EXIT_USAGE)
        except RendererError as error:
            click.echo(f"thesis-site {ctx.invoked_subcommand}: {error}", err=True)
            ctx.exit(EXIT_USAGE)
        except Exception as error:  # noqa: BLE001 - the one place that reports internal failures
            click.echo(f"thesis-site: internal error: {error}", err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(EXIT_USAGE)


renderer_option = click.option(
    "--renderer", type=click.Choice(RENDERERS), default=None,
    help="What builds the docs tree into the site (default: extra.thesis_site.renderer in mkdocs.yml, else mkdocs).",
)

root_option = click.option(
    "--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".",
    show_default=True, help="Project folder (holds content/ and mkdocs.yml).",
)


@click.group(cls=_Cli)
@click.version_option(package_name="thesis-site")
def main() -> None:
    """Investment thesis reports as code: check, build, review and publish."""


@main.command()
@root_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--require-review", is_flag=True,
              help="Fail when an active thesis is unreviewed or its review predates its last claim change.")
def check(root: Path, strict: bool, fmt: str, require_review: bool) -> None:
    """Load, validate and link all content; print every diagnostic."""
    paths = ProjectPaths(root.resolve())
    result = check_project(paths)
    diagnostics = result.diagnostics
    if require_review:
        from .history import thesis_histories
        from .review_gate import review_gate

        histories = thesis_histories(paths.root, result.publication.graph) if result.publication else {}
        diagnostics = sort_diagnostics([*diagnostics, *review_gate(result, histories)])
    output = format_diagnostics(diagnostics, fmt)
    if output:
        # color=True: exactly as formatted. Off a terminal click strips what looks like an ANSI
        # sequence, which would change a GitHub annotation's text; `console` already escaped
        # every control character of the text and JSON formats.
        click.echo(output, color=True)
    if fmt == "text":
        click.echo(summary_line(diagnostics, result.files), err=True)
    sys.exit(EXIT_CONTENT if has_errors(diagnostics, strict) else EXIT_CLEAN)


@main.command()
@root_option
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "github"]), default="markdown", show_default=True)
@click.option("--fail-on", "fail_on", multiple=True, metavar="CONDITION",
              help="Exit 1 when a condition holds: flip-unreviewed, dropped-quote, claim-removed, proof-downgrade, any-change.")
def review(root: Path, base: str, head: str | None, fmt: str, fail_on: tuple[str, ...]) -> None:
    """Claim-level change report from git revision BASE to HEAD (default: the work tree)."""
    from .gitrepo import GitError
    from .review import FAIL_CONDITIONS, failed_conditions, format_review, review_revisions

    unknown = [c for c in fail_on if c not in FAIL_CONDITIONS]
    if unknown:
        raise click.BadParameter(f"unknown condition(s) {printable(', '.join(unknown))}; known: {', '.join(FAIL_CONDITIONS)}",
                                 param_hint="--fail-on")
    try:
        result = review_revisions(ProjectPaths(root.resolve()), base, head)
    except GitError as error:
        click.echo(f"thesis-site review: cannot read revision: {printable(str(error))}", err=True)
        sys.exit(EXIT_USAGE)
    output = format_review(result, fmt)
    if output:
        click.echo(output, color=True)  # exactly as formatted, as in `check`
    failures = failed_conditions(result.report, list(fail_on))
    for failure in failures:
        click.echo(f"fail-on: {failure}", err=True)
    sys.exit(EXIT_CONTENT if failures else EXIT_CLEAN)


@main.command()
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the schemas (default: schemas/ in the project).")
def schema(root: Path, out: Path | None) -> None:
    """Write the JSON Schema of every content kind."""
    from .outputs import ensure_outside_the_project_folders
    from .schema import write_schemas

    paths = ProjectPaths(root.resolve())
    target = paths.schemas if out is None else ensure_outside_the_project_folders(paths, out)
    for path in write_schemas(target):
        click.echo(f"wrote {path}")


@main.command()
@root_option
@click.argument("kind", type=click.Choice(list(KIND_FOLDERS)))
@click.argument("identifier", metavar="ID")
def new(root: Path, kind: str, identifier: str) -> None:
    """Write a skeleton content file for KIND with id ID."""
    from .skeleton import write_skeleton

    pattern = ASSET_ID_PATTERN if kind == "asset" else ID_PATTERN
    if not re.fullmatch(pattern, identifier):  # whole string: `$` alone would let a trailing newline through
        raise click.BadParameter(f"'{printable(identifier)}' does not match {pattern}", param_hint="ID")
    try:
        path = write_skeleton(ProjectPaths(root.resolve()), kind, identifier, dt.date.today())
    except FileExistsError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"wrote {path}")


@main.command()
@root_option
@click.option("--strict", is_flag=True, help="Fail on content warnings and on mkdocs warnings.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the built site (default: site/ in the project).")
@click.option("--offline", is_flag=True,
              help="A site that works opened from the file system (file://), without a web server.")
@click.option("--clean", is_flag=True,
              help="Render every page, even when the previous site could be updated with the pages that changed.")
@renderer_option
def build(root: Path, strict: bool, out: Path | None, offline: bool, clean: bool, renderer: str | None) -> None:
    """Check, write the docs tree and build the site with mkdocs-material or Zensical (atomically)."""
    from .build import build_site
    from .progress import progress_reporter
    from .renderers import project_renderer

    paths = ProjectPaths(root.resolve())
    chosen = project_renderer(paths, renderer)
    with progress_reporter() as progress:
        result = build_site(paths, out, strict, progress=progress, offline=offline, renderer=chosen, clean=clean)
    for message in result.messages:
        click.echo(message, err=True)
    output = format_diagnostics(result.diagnostics, "text")
    if output:
        click.echo(output)
    if not result.ok:
        errors = sum(d.severity == "error" for d in result.diagnostics)
        click.echo(f"build failed ({errors} error{'s' * (errors != 1)}, or warnings under --strict); "
                   "the previous site is unchanged", err=True)
        sys.exit(EXIT_CONTENT)
    how = {"clean": "", "current": " (up to date: no page changed)",
           "update": f" (updated: {result.rendered} docs file{'s' * (result.rendered != 1)} rendered again)"}[result.how]
    click.echo(f"built {result.pages} pages into {result.site}{how}", err=True)


@main.command()
@root_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@renderer_option
def serve(root: Path, dev_addr: str, renderer: str | None) -> None:
    """Live preview: regenerate the docs tree when content or templates change; the browser reloads."""
    from .renderers import project_renderer
    from .serve import serve_site

    paths = ProjectPaths(root.resolve())
    serve_site(paths, dev_addr, echo=lambda text: click.echo(text, err=True), renderer=project_renderer(paths, renderer))


@main.command()
@root_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the export (default: build/export in the project).")
@click.option("--strict", is_flag=True, help="Treat content warnings as errors: export nothing.")
def export(root: Path, out: Path | None, strict: bool) -> None:
    """Write the JSON export of the whole graph (api/graph.json, one file per entity, schemas)."""
    from .history import thesis_histories
    from .machine_readable import export_tree
    from .outputs import ensure_replaceable, mark

    paths = ProjectPaths(root.resolve())
    target = ensure_replaceable(paths, out or paths.root / "build" / "export")
    result = check_project(paths)
    if result.diagnostics:
        click.echo(format_diagnostics(result.diagnostics, "text"))
    if has_errors(result.diagnostics, strict) or result.publication is None:
        sys.exit(EXIT_CONTENT)
    from .pages.urls import API_FOLDER
    from .write import write_tree

    files = export_tree(result.publication, thesis_histories(paths.root, result.publication.graph))
    target.mkdir(parents=True, exist_ok=True)
    mark(target)  # first: a folder this export wrote into is one the next export may write into
    api = target / API_FOLDER
    if api.is_symlink():  # the writer would empty the folder it points to
        api.unlink()
    # api/ holds exactly this export: files of entities removed since an earlier export go away
    write_tree(target / API_FOLDER, {relpath.removeprefix(f"{API_FOLDER}/"): data for relpath, data in files.items()})
    click.echo(f"wrote {len(files)} files into {target}", err=True)


@main.command()
@root_option
@click.argument("version")
@click.option("--alias", default="latest", show_default=True, help="Alias moved to this edition.")
@click.option("--title", default=None, help="Title shown in the version selector (default: VERSION).")
@click.option("--push", is_flag=True, help="Push the pages branch after committing the edition.")
@click.option("--replace", is_flag=True,
              help="Rebuild VERSION although it is already published (editions are otherwise never rebuilt).")
def publish(root: Path, version: str, alias: str, title: str | None, push: bool, replace: bool) -> None:
    """Publish the current content as edition VERSION with mike, and make ALIAS point at it."""
    from .publish import PublishError, publish_edition

    paths = ProjectPaths(root.resolve())
    try:
        outcome = publish_edition(paths, version, alias, title, push, replace)
    except PublishError as error:
        click.echo(f"thesis-site publish: {printable(str(error))}", err=True)
        sys.exit(EXIT_USAGE)
    if outcome.diagnostics:
        click.echo(format_diagnostics(outcome.diagnostics, "text"))
    if not outcome.published:
        click.echo("publish failed: the content has errors; nothing was published", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"published edition {version} (alias {alias}) from commit {outcome.commit[:7]}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
