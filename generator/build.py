"""Build: content → docs tree → site, in one readable function (`build_site`).

check → pages → render → write docs tree → mkdocs-material into a temporary sibling of the
output → swap it in. Any failure before the swap leaves the previous site untouched. The output
must be a folder the build may replace (new, empty or marked by an earlier build; see
`outputs`), and the temporaries of a killed build are removed by the next one. Every
date the build prints comes from SOURCE_DATE_EPOCH (default: the last commit's time), so two
builds of one commit are byte-identical.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from .diagnostics import Diagnostic, has_errors
from .history import CommittedHistory, PublicationHistory, publication_history
from .fanout import HeldUnits, Unit, available_jobs, run_units
from .machine_readable import MACHINE_READABLE_FOLDERS, export_tree, feed_tree
from .outputs import ensure_docs_tree_placed, ensure_replaceable, mark, output_lock, temporary_sibling
from .pages import DEFAULT_DISCLAIMER, PageSpec, plan_pages, urls
from .pipeline import CheckResult, Publication, check_project
from .render import make_environment, render_page
from .renderers import Renderer, project_renderer
from .settings import ProjectPaths
from .write import TeeWriter, TreeWriter, WriteReport

if TYPE_CHECKING:
    from .publish import EditionNote

DEFAULT_SITE_URL = "https://thesis-site.example.org/"
"""Feeds need absolute links: used when mkdocs.yml sets no `site_url`."""

Progress = Callable[[str, int, int], None]
"""(stage, done, total): called while pages are generated and rendered."""

STATIC_FILES = {urls.STYLESHEET: "static/thesis-site.css"}
"""Docs-tree path → file under `site_templates/` copied as is."""


@dataclass(frozen=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    messages: list[str] = field(default_factory=list)
    pages: int = 0
    site: Path | None = None

    @property
    def ok(self) -> bool:
        return self.site is not None


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _mkdocs_failure(message: str) -> Diagnostic:
    return Diagnostic("mkdocs.yml", 1, 1, "build.mkdocs", "", message.strip().splitlines()[0] if message.strip() else "mkdocs failed")


# ----------------------------------------------------------------------- stages


def site_disclaimer(config: Mapping) -> str:
    extra = config.get("extra") or {}
    text = extra.get("disclaimer") if isinstance(extra, Mapping) else None
    return str(text).strip() if text else DEFAULT_DISCLAIMER


def read_site_settings(paths: ProjectPaths) -> tuple[str, str]:
    """(site_url, disclaimer) from mkdocs.yml, read with mkdocs' own YAML loader (`!ENV`, `INHERIT`).

    Not `load_site_config`: validating the whole configuration imports every plugin and Markdown
    extension, which the mkdocs stage does anyway; the pages need only these two values. A
    configuration mkdocs rejects is reported by the mkdocs stage."""
    from mkdocs.utils.yaml import yaml_load

    with open(paths.mkdocs_config, "rb") as handle:
        config = yaml_load(handle)
    if not isinstance(config, Mapping):
        raise ValueError("mkdocs.yml is not a mapping")
    return str(config.get("site_url") or ""), site_disclaimer(config)


PAGES_PER_UNIT = 32
"""Pages rendered per unit of work: small enough to share out evenly, large enough that taking a unit costs nothing."""


def docs_units(paths: ProjectPaths, publication: Publication, disclaimer: str,
               history: PublicationHistory | None = None, site_url: str = "",
               edition: EditionNote | None = None) -> list[Unit]:
    """The docs tree's pages and static files as units of work, the pages in chunks. Nothing is
    rendered until a unit runs.

    Each page's view model is rendered as soon as it is made and then dropped, so they are never
    all alive at once."""
    environment = make_environment(paths.templates)
    for name in environment.list_templates():  # compiled once, before any worker is forked
        environment.get_template(name)
    history = history or PublicationHistory({}, {})
    plan = list(plan_pages(publication, disclaimer, history.theses, site_url, edition))

    def pages(chunk: list) -> Iterator[tuple[str, bytes]]:
        for path, template, factory in chunk:
            yield path, render_page(environment, PageSpec(path, template, factory())).encode("utf-8")

    def static_files() -> Iterator[tuple[str, bytes]]:
        for target, source in STATIC_FILES.items():
            yield target, (paths.templates / source).read_bytes()

    units = [Unit(0, static_files)]
    for start in range(0, len(plan), PAGES_PER_UNIT):
        chunk = plan[start:start + PAGES_PER_UNIT]
        units.append(Unit(len(chunk), lambda chunk=chunk: pages(chunk)))
    return units


def machine_readable_units(publication: Publication, history: PublicationHistory, site_url: str = "") -> list[Unit]:
    """The JSON export and the feeds (under MACHINE_READABLE_FOLDERS), the largest units: files
    mkdocs does nothing to but copy."""
    absolute_url = site_url or DEFAULT_SITE_URL
    return [Unit(0, lambda: export_tree(publication, history.theses).items()),
            Unit(0, lambda: feed_tree(publication, history, absolute_url).items())]


def generate_docs(paths: ProjectPaths, publication: Publication, disclaimer: str,
                  history: PublicationHistory | None = None, site_url: str = "",
                  edition: EditionNote | None = None) -> dict[str, bytes]:
    """The whole docs tree as path → bytes, in one process (nothing written)."""
    files: dict[str, bytes] = {}
    history = history or PublicationHistory({}, {})
    for unit in (machine_readable_units(publication, history, site_url)
                 + docs_units(paths, publication, disclaimer, history, site_url, edition)):
        files.update(unit.produce())
    return files


def write_docs_tree(paths: ProjectPaths, history: PublicationHistory | None = None,
                    strict: bool = False, progress: Progress = _no_progress,
                    edition: EditionNote | None = None, jobs: int | None = None,
                    committed: CommittedHistory | None = None,
                    set_aside: Callable[[list[Unit]], None] | None = None) -> tuple[CheckResult, WriteReport | None]:
    """check → history → pages (and the export and feeds, unless set aside) → write; the tree is left as it was when the content has errors.

    Without `history`, it is derived from git, or from `committed` if given (its caller keeps it current).
    With `set_aside`, the export and feeds units are handed to it before any page is made, and
    their folders in the tree are left alone (`build_site` makes them while mkdocs runs).

    Pages are written as they are rendered, in `jobs` processes (default: one per core, see
    `fanout`). From the end of the check on, the publication (and whatever else the caller holds)
    is frozen out of the cyclic garbage collector: it outlives the build, and rescanning its millions of objects
    at every collection cost up to a sixth of page generation at 5,000 sources; frozen, the
    forked workers also leave its memory shared.

    Raises OutputRefused, before anything is read, when the docs tree is reached through a link (`outputs`)."""
    ensure_docs_tree_placed(paths)
    result = check_project(paths)
    with _frozen():
        if result.publication is None or has_errors(result.diagnostics, strict):
            return result, None
        try:
            site_url, disclaimer = read_site_settings(paths)
        except (Exception, SystemExit) as error:  # mkdocs reports unreadable YAML as ConfigurationError
            return CheckResult(result.files, result.diagnostics + [_mkdocs_failure(f"mkdocs.yml: {error}")], None), None
        if history is None:
            history = publication_history(paths.root, result.publication.graph, committed)
        return result, _write_units(paths, result, site_url, disclaimer, history, progress, edition, jobs, set_aside)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Everything alive now stays out of the collector's scans until the block ends; skipped if
    the caller already froze objects, which unfreezing at the end would release."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_units(paths: ProjectPaths, result: CheckResult, site_url: str, disclaimer: str,
                 history: PublicationHistory, progress: Progress, edition: EditionNote | None,
                 jobs: int | None, set_aside: Callable[[list[Unit]], None] | None) -> WriteReport:
    assert result.publication is not None
    machine_readable = machine_readable_units(result.publication, history, site_url)
    writer = TreeWriter(paths.docs_tree, leave=MACHINE_READABLE_FOLDERS if set_aside is not None else ())
    try:
        units = docs_units(paths, result.publication, disclaimer, history, site_url, edition)
        if set_aside is None:
            units = machine_readable + units
        else:
            # Right before the page workers fork: a process forked now shares the memory they
            # share, so the parent copies no more pages on write than it did without it.
            set_aside(machine_readable)
        del machine_readable
        total = sum(unit.pages for unit in units)
        # Jobs are counted now, before the progress bar starts its thread (see fanout.available_jobs).
        run_units(units, writer, available_jobs() if jobs is None else jobs,
                  lambda done: progress("pages rendered", done, total))
    except BaseException:
        writer.abandon()
        raise
    return dataclasses.replace(writer.finish(), pages=total)


def default_source_date_epoch(root: Path) -> str | None:
    """The time of the last commit, so a commit always builds with the same dates."""
    try:
        completed = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                                   capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = completed.stdout.strip()
    return stamp if completed.returncode == 0 and stamp.isdigit() else None


@contextlib.contextmanager
def _source_date_epoch(root: Path) -> Iterator[None]:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    stamp = default_source_date_epoch(root)
    if stamp is None:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = stamp
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def swap_in(new: Path, out: Path) -> None:
    """Replace `out` with `new` by two renames on one filesystem; the old site is then removed.
    The caller has made sure `out` may be replaced (`outputs.ensure_replaceable`)."""
    old: Path | None = None
    if out.exists():
        old = temporary_sibling(out, "old")
        old.rmdir()
        os.rename(out, old)
    os.rename(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------- the build


def build_site(paths: ProjectPaths, out: Path | None = None, strict: bool = False,
               history: PublicationHistory | None = None,
               progress: Progress = _no_progress, renderer: Renderer | None = None) -> BuildResult:
    """check → pages → render → write → renderer (default: the project's, see `renderers`) → swap.
    On any failure `out` is left as it was.

    The export and feeds are files mkdocs would only copy. Where the generator may fork, a
    process forked with the page workers makes them while mkdocs builds the pages (on the core
    mkdocs leaves idle); elsewhere they are made in this process before mkdocs starts. Either
    way they are written into the docs tree and into a sibling folder whose contents are moved
    into the new site before it is swapped in.

    Raises OutputRefused, before anything is read or written, when `out` is not a folder the build
    may replace (`outputs.output_refusal`). The whole build holds `outputs.output_lock`, under which
    the temporaries a killed build left beside `out` are removed first."""
    out = ensure_replaceable(paths, out or paths.site)
    with output_lock(out, waiting=lambda: progress("waiting for another build in the same folder", 0, 1)):
        ensure_replaceable(paths, out)  # again: what was there may have changed while this build waited
        return _build_into(paths, out, strict, history, progress, renderer or project_renderer(paths))


def _build_into(paths: ProjectPaths, out: Path, strict: bool, history: PublicationHistory | None,
                progress: Progress, renderer: Renderer) -> BuildResult:
    held: list[HeldUnits] = []
    besides: list[Path] = []  # temporary siblings of `out` the held work writes into
    staging: Path | None = None  # the one mkdocs builds into

    def hold(units: list[Unit]) -> None:
        beside = temporary_sibling(out, "files")
        besides.append(beside)
        held.append(HeldUnits(units, lambda: TeeWriter(TreeWriter(beside),
                                                       TreeWriter(paths.docs_tree, only=MACHINE_READABLE_FOLDERS)),
                              fork=available_jobs() > 1))

    try:
        checked, written = write_docs_tree(paths, history, strict, progress, set_aside=hold)
        diagnostics = checked.diagnostics
        del checked  # mkdocs' collections need not scan the publication again
        if written is None:
            return BuildResult(diagnostics)
        staging = temporary_sibling(out, "build")
        with _source_date_epoch(paths.root):
            for job in held:
                job.release()
            progress(f"{renderer.name} build", 0, 1)
            succeeded, messages = renderer.build(paths, staging, strict, left_out=MACHINE_READABLE_FOLDERS)
            progress(f"{renderer.name} build", 1, 1)
        if not succeeded:
            failure = next((m for m in reversed(messages) if "ERROR" in m), "mkdocs failed")
            messages += _collect_after_failure(held)  # the docs tree is left whole
            return BuildResult(diagnostics + [_mkdocs_failure(failure)], messages)
        for job in held:
            job.collect()
        for beside in besides:
            for name in sorted(os.listdir(beside)):
                if (staging / name).exists():
                    raise RuntimeError(f"mkdocs wrote {name}/, which the build writes itself")
                os.rename(beside / name, staging / name)
        mark(staging)
        swap_in(staging, out)
    finally:
        for job in held:
            job.cancel()
        for folder in [*besides, staging]:
            if folder is not None and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    return BuildResult(diagnostics, messages, written.pages, out)


def _collect_after_failure(held: list[HeldUnits]) -> list[str]:
    """Wait for the held work after mkdocs failed; its own failure becomes a message, so the
    diagnostic the reader needs (mkdocs') stays the one reported."""
    messages = []
    for job in held:
        try:
            job.collect()
        except RuntimeError as error:
            messages.append(f"export and feeds: ERROR: {str(error).strip().splitlines()[-1]}")
    return messages
