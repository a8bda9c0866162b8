"""Build: content → docs tree → site, in one readable function (`build_site`).

check → history → plan → render → write the docs tree → render the site with mkdocs-material
into a temporary sibling of the output → index it for search (Pagefind, `search`) → swap it in. Each stage is a function here or in the
module named in the README's table; `write_docs_tree` is the first half, for `serve` and
`publish`. Any failure before the swap leaves the previous site untouched. The output must be a
folder the build may replace (new, empty or marked by an earlier build; see `outputs`), and the
temporaries of a killed build are removed by the next one. Every date the build prints comes
from SOURCE_DATE_EPOCH (default: the last commit's time), so two builds of one commit are
byte-identical.

The stages run in one process, one after the other (spreading the check or the pages over
cores did not pay for the code it took: bench/README.md, "Removed"), but for the share cards: a
clean build draws one per thesis, and a worker process draws them while the pages are rendered
(`cards.draw_cards`; bench/README.md, "Tenth round").
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

from .caches import ByteCache, CardCache, Caches, Memo, SplitCache, code_fingerprint, project_caches, remembered
from .cards import card_key
from .diagnostics import Diagnostic, has_errors
from .history import CommittedHistory, PublicationHistory, committed_history, publication_history
from .incremental import (BuildRecord, current_pages, input_fingerprint, docs_changes, docs_state,
                          folder_identity, forget_docs_record, forget_record, read_record, state_after_writing,
                          write_docs_record, write_record)
from .machine_readable import card_files, export_tree, feed_tree, shown_cards
from .outputs import MARKER, ensure_docs_tree_placed, ensure_replaceable, mark, output_lock, temporary_sibling
from .gitrepo import default_source_date_epoch
from .heap import few_collections
from .linked_copy import LinkedCopy
from .pages import PageContext, PlannedPage, plan_pages, thesis_dates, urls
from .pages.edition import EditionNote
from .pages.inputs import page_digests, page_inputs, shared_digest
from .pages.paging import (ListingPage, MeasuredRow, Measuring, Node, RowInputs, listing_pages, measure_again,
                           measured_rows, render_digest)
from .pages.urls import SiteAddress, site_address
from .pipeline import CheckResult, check_project
from .progress import Progress
from .publication import Publication
from .render import make_environment, render_page
from .renderers import Renderer, RendererError, project_renderer, update_or_build
from .search import index_search, index_state
from .settings import ProjectPaths
from .siteconfig import DEFAULT_SITE_URL, SiteSettings, read_site_settings
from .write import TreeScan, WriteReport, scan_tree, write_tree

if TYPE_CHECKING:
    import jinja2

STATIC_FILES = {urls.STYLESHEET: "static/thesis-site.css", urls.SCRIPT: "static/thesis-site.js"}
"""Docs-tree path → file under `site_templates/` copied as is."""

OFFLINE_FILES = {urls.WORKER_SHIM: "static/iframe-worker.js"}
"""Docs-tree path → file under `site_templates/`, for a site read from `file://` only: material's
search runs in a Web Worker, which browsers do not start from `file://` without this shim. The
offline plugin would load it from unpkg; the site makes no third-party request, so it ships it."""

@dataclass(frozen=True)
class BuildResult:
    diagnostics: list[Diagnostic]
    messages: list[str] = field(default_factory=list)
    pages: int = 0
    site: Path | None = None
    how: str = "clean"
    """How the renderer made the site: "clean" (every page), "update" (the pages whose docs files
    changed, `incremental`) or "current" (nothing changed: the site was left as it was)."""
    rendered: int = 0
    """Docs files the renderer rendered again in an update."""

    @property
    def ok(self) -> bool:
        return self.site is not None


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _mkdocs_failure(message: str) -> Diagnostic:
    return Diagnostic("mkdocs.yml", 1, 1, "build.mkdocs", "", message.strip().splitlines()[0] if message.strip() else "mkdocs failed")


# ----------------------------------------------------------------------- stages


@dataclass(frozen=True)
class DocsPlan:
    """Every file of the docs tree, decided but not yet made (`plan_docs`); `render_docs` makes them."""

    pages: tuple[PlannedPage[Any], ...]
    """Every page (its kind, docs-tree path and view-model maker), in a stable order (`pages.kinds`)."""
    environment: jinja2.Environment
    static_files: Mapping[str, Path]
    """Docs-tree path → file under `site_templates/` copied as is."""
    machine_readable: tuple[Callable[[], Mapping[str, bytes]], ...]
    """The JSON export and the feeds (`api/`, `feeds/`): files mkdocs copies as they are."""
    cards: Callable[[Collection[str]], Callable[[], Mapping[str, bytes | None]]]
    """Starts the share cards (`cards/`, copied as they are too) but those whose file is current
    (the paths given, which it gives as None) and returns the function that gives them:
    `render_docs` starts them before the pages, which many are drawn beside (`machine_readable.card_files`)."""
    directory_urls: bool = True
    """False for a site read from `file://`: links in raw HTML then name each page's file."""
    digests: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Docs-tree path → what each entity or listing page is made from (`pages.inputs`): a page whose file was
    written for the same digest is kept as it is (`render_docs`)."""
    card_digests: Callable[[], Mapping[str, str]] = dict
    """Docs-tree path → each share card's key (`cards.card_key`: what it shows and how it is
    drawn), made when asked: a build keeps a card whose file was written for the same key, as a
    page (`write_docs`); the preview, which writes the cards after its pages, does not ask."""


def _row_key(row: object, made_from: Iterable[bytes]) -> bytes:
    """A listing row's key among the measures a process keeps (`plan_docs`): the row and what it is made from."""
    digest = hashlib.sha256(repr(row).encode("utf-8", "surrogatepass") + b"\0")
    for part in made_from:
        digest.update(part)
    return digest.digest()


def site_settings(paths: ProjectPaths, offline: bool = False) -> SiteSettings | Diagnostic:
    """What the pages need of mkdocs.yml (`siteconfig`), or the diagnostic that stops the build when it cannot be read."""
    try:
        return read_site_settings(paths, offline)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - mkdocs reports unreadable YAML as ConfigurationError
        return _mkdocs_failure(f"mkdocs.yml: {error}")


def page_context(publication: Publication, settings: SiteSettings, history: PublicationHistory,
                 edition: EditionNote | None = None) -> PageContext:
    """What every page maker gets besides the publication, decided once per build: the disclaimer,
    where the build's files answer (an edition's own address, `site_url` otherwise), every thesis's
    dates and the edition."""
    address = edition.address if edition else build_address(settings)
    return PageContext(settings.disclaimer, address, thesis_dates(publication, history.theses), edition)


def plan_docs(paths: ProjectPaths, publication: Publication, settings: SiteSettings,
              history: PublicationHistory | None = None, edition: EditionNote | None = None,
              cards: CardCache | None = None, memo: Memo | None = None, splits: SplitCache | None = None,
              feeds: ByteCache | None = None, export: ByteCache | None = None,
              made_from: Mapping[tuple[str, str], str] | None = None) -> DocsPlan:
    """What the docs tree will hold; nothing is made yet (a page's view model is made when it is rendered).
    `settings` are read once (`site_settings`); `edition`: the edition being published, which brings its own address.
    `cards`, `memo`, `splits`, `feeds`, `export`: what earlier runs made (`caches`); `made_from`:
    what each document's model is made from (`CheckResult.made_from`), by which `export` keeps entries."""
    history = history or PublicationHistory({}, {})
    environment = make_environment(paths.templates)
    context = page_context(publication, settings, history, edition)
    shared = shared_digest(context, paths.templates, code_fingerprint().hex(), publication.stale_after_days, settings.directory_urls)
    inputs = page_inputs(publication, context, memo, made_from)

    def measure_rows(template: str, view: object) -> str:
        """A listing's page with every row, rendered as the build renders it: how its rows are
        measured (`paging`). Views are frozen values: one `memo` saw is not rendered again."""
        def render() -> str:
            return environment.get_template(template).render(page=view)

        return remembered(memo, ("listing", environment, settings.directory_urls, template, view), render)

    def remembered_split(listing: str, rows_show: RowInputs, template: str, order: Sequence[object], extra: int,
                         shows: Callable[[Any], Iterable[Node]], measuring: Measuring[Any]) -> tuple[ListingPage[Any], ...]:
        """A listing's split as an earlier run made it (in this process, `memo`; an earlier build,
        `splits`): the same order, made from the same inputs (what its rows show of their
        documents, `pages.inputs`), the same templates, settings and code (`shared`). Neither its
        view nor its rendering is made. Split again in this process, only its rows whose inputs
        changed are rendered (`paging.measure_again`, from what its rows measured when it last
        measured them, kept by each row's key: the row and what it is made from), and its pages'
        `measured` is a digest of its rows as rendered."""
        made_from = (shared, listing, template, tuple(order), extra,
                     inputs.rows_digest((node for row in order for node in shows(row)), rows_show))
        kept: dict[bytes, MeasuredRow] | None = memo.get(("listing rows", shared, listing, template), dict) if memo else None

        def split() -> tuple[ListingPage[Any], ...]:
            keys = [_row_key(row, (inputs.row(node, rows_show) for node in shows(row))) for row in order] if kept is not None else []
            rows = measure_again(order, [kept.get(key) for key in keys], measuring.some) if kept else None
            if rows is None:
                sizes, rendered = measuring.whole()
                rows = measured_rows(rendered, len(order)) if kept is not None and rendered is not None else None
            if kept is not None:
                kept.clear()  # this listing's current rows only, as measured
                kept.update(zip(keys, rows, strict=True) if rows is not None else ())
            if rows is None:  # a build, or rows bounded from their view models: the split of the whole render
                return listing_pages(order, sizes, extra, render_digest(template, rendered))
            # what every page shows besides its bounds: the rows as rendered, in this order, and the listing's own inputs
            measured = hashlib.sha256(repr(made_from[:-1]).encode("utf-8", "surrogatepass") + b"".join(row[1] for row in rows))
            return listing_pages(order, [row[0] for row in rows], extra, measured.hexdigest())

        def kept_or_split() -> tuple[ListingPage[Any], ...]:
            if splits is None:
                return split()
            key = hashlib.sha256(repr(made_from).encode("utf-8", "surrogatepass")).hexdigest()
            bounds = splits.get(key, lambda: [[page.number, page.start, page.end, page.count, page.measured]
                                              for page in split()])
            return tuple(ListingPage(order, *page) for page in bounds)

        return remembered(memo, ("listing split", *made_from), kept_or_split)

    context = dataclasses.replace(context, measure_rows=measure_rows,
                                  remembered_split=remembered_split if memo or splits else None)
    address = context.address
    static = STATIC_FILES if settings.directory_urls else {**STATIC_FILES, **OFFLINE_FILES}
    with urls.link_style(settings.directory_urls):  # listings are measured with the links they will have
        pages = tuple(plan_pages(publication, context))
    if splits is not None:
        splits.settle()
    digests = page_digests(inputs, shared, ((page.kind.name, page.key, page.path) for page in pages))
    shown = functools.cache(lambda: shown_cards(publication, sorted(publication.graph.theses), address))
    return DocsPlan(
        pages=pages,
        environment=environment,
        static_files={target: paths.templates / source for target, source in static.items()},
        machine_readable=(lambda: _settled(export_tree(publication, history.theses, memo, export, made_from), export),
                          lambda: _settled(feed_tree(publication, history, address, memo if memo is not None else feeds),
                                           feeds)),
        cards=lambda kept: card_files(shown(), cards, kept),
        directory_urls=settings.directory_urls,
        digests=digests,
        card_digests=lambda: {path: cards.key(card) if cards else card_key(card) for path, card in shown().items()},
    )


def _settled(made: dict[str, bytes], cache: ByteCache | None) -> dict[str, bytes]:
    """Files for programs just `made`, taking their parts from `cache` (the export's or the feeds'
    for a build; `serve` takes them from its memo), which then settles: it made all it keeps there."""
    if cache is not None:
        cache.settle()
    return made


def render_docs(plan: DocsPlan, progress: Progress = _no_progress,
                kept: frozenset[str] = frozenset()) -> Iterator[tuple[str, bytes | None]]:
    """The docs tree's files as (path, bytes), each made when it is asked for: the files for
    programs (`render_for_programs`), then the pages and their static files (`render_pages`), but
    for the share cards, which are started first and taken last (a clean build's are drawn
    beside the pages, `machine_readable.card_files`). A page or card in `kept` is given as None."""
    cards = plan.cards(kept)
    for make in plan.machine_readable:
        yield from make().items()
    yield from render_pages(plan, progress, kept)
    yield from cards().items()


def render_for_programs(plan: DocsPlan) -> Iterator[tuple[str, bytes | None]]:
    """The export, the feeds and the share cards (`urls.FOR_PROGRAMS`)."""
    for make in (*plan.machine_readable, plan.cards(frozenset())):
        yield from make().items()


def render_pages(plan: DocsPlan, progress: Progress = _no_progress,
                 kept: frozenset[str] = frozenset()) -> Iterator[tuple[str, bytes | None]]:
    """The static files, then every page, each made when it is asked for. Handed straight to
    `write_tree`, a page's view model and text are dropped once it is written, so they are never
    all in memory at once. A page in `kept` (its file is current, see `incremental.current_pages`)
    is given as None: not made."""
    for target, source in plan.static_files.items():
        yield target, source.read_bytes()
    total = len(plan.pages)
    for done, page in enumerate(plan.pages, 1):
        if page.path in kept:
            yield page.path, None
            continue
        with urls.link_style(plan.directory_urls):
            view = page.make()
        yield page.path, render_page(plan.environment, page.kind, view).encode("utf-8")
        progress("pages rendered", done, total)


def write_docs(paths: ProjectPaths, plan: DocsPlan, progress: Progress = _no_progress,
               clean: bool = False) -> tuple[WriteReport, dict[str, tuple[int, int]]]:
    """Write the docs tree: every file of `plan`, except the pages and share cards whose file is
    current for their digest (`incremental.current_pages`; all are made when `clean`). Returns what was
    written and the stamp of every file of the tree, as recorded for the next run."""
    scan = scan_tree(paths.docs_tree)
    digests = {**plan.digests, **plan.card_digests()}
    kept = frozenset() if clean else current_pages(paths, digests, scan.stamps)
    report, state = _write_unrecorded(paths, scan, render_docs(plan, progress, kept))
    write_docs_record(paths, digests, state)
    return report, state


def _is_page(path: str) -> bool:
    """A docs-tree path of the pages and their static files: not one of the files for programs."""
    return not urls.for_programs(path)


def _write_pages(paths: ProjectPaths, plan: DocsPlan, scan: TreeScan) -> tuple[WriteReport, Callable[[], None]]:
    """The pages of `plan` and their static files written (as `write_docs` writes them), the
    files for programs left as they are; returns what was written and the function that records
    the tree (`incremental.write_docs_record`, with the stamps the files for programs have now:
    the record names pages only), which the caller runs before the tree is next read."""
    kept = current_pages(paths, plan.digests, scan.stamps)
    report, state = _write_unrecorded(paths, scan, render_pages(plan, _no_progress, kept), owns=_is_page)
    return report, functools.partial(write_docs_record, paths, plan.digests, state)


def _write_unrecorded(paths: ProjectPaths, scan: TreeScan, files: Iterable[tuple[str, bytes | None]],
                      owns: Callable[[str], bool] | None = None) -> tuple[WriteReport, dict[str, tuple[int, int]]]:
    """`files` written into the docs tree as `scan` found it (`write.write_tree`), its record
    forgotten first (no record describes a tree while it is being written); returns what was
    written and the stamp of every file of the tree, for the record."""
    forget_docs_record(paths)
    report = write_tree(paths.docs_tree, files, owns=owns, scanned=scan)
    return report, state_after_writing(paths.docs_tree, scan.stamps, report)


def write_for_programs(paths: ProjectPaths, plan: DocsPlan, scanned: TreeScan | None = None) -> WriteReport:
    """The files for programs of `plan` into the docs tree, its pages left as they are. The docs
    record names pages only, so it holds (`write_docs`). `scanned`: a scan of the files for
    programs (`scan_tree(only=urls.for_programs)`; the pages are no concern of this write)."""
    return write_tree(paths.docs_tree, render_for_programs(plan), owns=urls.for_programs, scanned=scanned)


def generate_docs(paths: ProjectPaths, publication: Publication, settings: SiteSettings,
                  history: PublicationHistory | None = None, edition: EditionNote | None = None) -> dict[str, bytes]:
    """The whole docs tree as path → bytes, in memory (nothing written)."""
    return {path: data for path, data in render_docs(plan_docs(paths, publication, settings, history, edition))
            if data is not None}


def build_address(settings: SiteSettings) -> SiteAddress:
    """Where a plain build's files answer: `site_url` (the placeholder while it is unset, which
    `check` warns about and `build --strict` refuses)."""
    return site_address(settings.site_url or DEFAULT_SITE_URL)


def _stops(checked: CheckResult, strict: bool) -> bool:
    """Whether the content's diagnostics stop the build before anything is written."""
    return checked.publication is None or has_errors(checked.diagnostics, strict)


def write_docs_tree(paths: ProjectPaths, history: PublicationHistory | None = None,
                    strict: bool = False, progress: Progress = _no_progress,
                    edition: EditionNote | None = None,
                    committed: CommittedHistory | None = None, offline: bool = False,
                    use_cache: bool = True, caches: Caches | None = None) -> tuple[CheckResult, WriteReport | None]:
    """check → history → plan → render → write the docs tree: the first half of `build_site`, for
    `serve` and `publish`. The tree is left as it was when the content has errors.

    Without `history`, it is derived from git, or from `committed` if given (its caller keeps it current).
    `offline`: the tree of a site read from `file://` (`build --offline`).
    `use_cache`: unchanged files' check and unchanged share cards from `build/cache` (`caches`),
    and unchanged pages kept (`incremental.current_pages`); off, that folder is neither read nor
    written and every page is made, as by `build --clean`. `caches`: the caches a long-lived caller keeps (`serve`).
    Raises OutputRefused, before anything is read, when the docs tree is reached through a link (`outputs`)."""
    ensure_docs_tree_placed(paths)
    caches = caches or project_caches(paths, use_cache)
    checked, plan = _planned(paths, caches, history, strict, edition, committed, offline)
    if plan is None:
        return checked, None
    written = write_docs(paths, plan, progress, clean=not use_cache)[0]
    caches.settle()
    return checked, written


def write_pages_first(paths: ProjectPaths, caches: Caches, committed: CommittedHistory | None = None
                      ) -> tuple[CheckResult, WriteReport | None, Callable[[], WriteReport] | None]:
    """`write_docs_tree` in two steps, for the preview, which shows the pages before it makes the
    files for programs (`urls.FOR_PROGRAMS`): the pages are written now; the function returned
    records the tree and writes the rest (`write_for_programs`), once, before the next write of
    the tree; the caller settles `caches` after it. Each half scans only the files it writes
    (`scan_tree(only=…)`): the files for programs are half of the tree. The tree is left as it
    was when the content has errors (no function)."""
    ensure_docs_tree_placed(paths)
    checked, plan = _planned(paths, caches, history=None, strict=False, edition=None, committed=committed, offline=False)
    if plan is None:
        return checked, None, None
    written, record = _write_pages(paths, plan, scan_tree(paths.docs_tree, only=_is_page))

    def rest() -> WriteReport:
        record()
        return write_for_programs(paths, plan, scan_tree(paths.docs_tree, only=urls.for_programs))

    return checked, written, rest


def _planned(paths: ProjectPaths, caches: Caches, history: PublicationHistory | None, strict: bool,
             edition: EditionNote | None, committed: CommittedHistory | None,
             offline: bool) -> tuple[CheckResult, DocsPlan | None]:
    """check → history → plan; no plan when the content's diagnostics stop the build."""
    checked = check_project(paths, committed=committed, cache=caches.load, memo=caches.memo, answers=caches.quotes)
    if _stops(checked, strict):
        return checked, None
    assert checked.publication is not None
    settings = site_settings(paths, offline)
    if isinstance(settings, Diagnostic):
        return dataclasses.replace(checked, diagnostics=checked.diagnostics + [settings], publication=None), None
    if history is None:
        committed = committed or checked.committed or committed_history(paths.root, checked.theses_by_blob)
        history = publication_history(paths.root, checked.publication.graph, committed)
    return checked, plan_docs(paths, checked.publication, settings, history, edition, caches.cards, caches.memo,
                              caches.splits, caches.feeds, caches.export, checked.made_from)


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
               progress: Progress = _no_progress, offline: bool = False,
               renderer: Renderer | None = None, clean: bool = False) -> BuildResult:
    """check → history → plan → render → write the docs tree → render the site (`renderer`,
    default: the project's, see `renderers`) into a temporary sibling of `out` → swap it in. On
    any failure `out` is left as it was. `offline`: a site that works from `file://`.
    Incremental (`incremental`): when `out` was built with the renderer's current key, the
    renderer updates a linked copy of it with the docs files that changed, and a site whose docs
    files all stayed is left as it is; `clean` renders every page whatever was recorded, reads
    no cache, and leaves the caches (`caches`) holding what it made, for the next build.

    Raises RendererError, before anything is read, when the renderer cannot make what is asked.

    Raises OutputRefused, before anything is read or written, when `out` is not a folder the build
    may replace (`outputs.output_refusal`) or the docs tree is reached through a link. The whole
    build holds `outputs.output_lock`, under which the temporaries a killed build left beside
    `out` are removed first."""
    out = ensure_replaceable(paths, out or paths.site)
    renderer = renderer or project_renderer(paths)
    if offline and not renderer.supports_offline:
        raise RendererError(f"--offline uses mkdocs-material's offline plugin; the {renderer.name} renderer cannot "
                            "build a site for file://: build it with --renderer mkdocs")
    with output_lock(out, waiting=lambda: progress("waiting for another build in the same folder", 0, 1)):
        ensure_replaceable(paths, out)  # again: what was there may have changed while this build waited
        ensure_docs_tree_placed(paths)
        inputs = input_fingerprint(paths, renderer.name, strict, offline)
        record = None if clean else read_record(paths, out)
        unchanged = _built_from(paths, out, record, renderer, inputs, strict, offline) if record else None
        if unchanged is not None:
            return unchanged

        staging = temporary_sibling(out, "build")
        # An update works in a linked copy of the previous site, but its marker, made beside the check.
        copying = LinkedCopy(out, staging, leave_out=(MARKER,)) if record and _updatable(record, renderer, offline) else None
        try:
            with few_collections():  # the generator's stages hold the checked corpus throughout
                checked, plan = _planned(paths, project_caches(paths, refresh=clean), history, strict, edition=None,
                                         committed=None, offline=offline)
                diagnostics = checked.diagnostics
                if plan is None:
                    return BuildResult(diagnostics)
                del checked
                pages = len(plan.pages)
                _written, docs = write_docs(paths, plan, progress, clean)
                del plan  # the renderer runs without the publication in memory

            with _source_date_epoch(paths.root):
                changes = docs_changes(record, docs) if record and copying else None
                recorded_key = record.key if record is not None and changes is not None else None
                if changes is not None and not changes and renderer.incremental_key(paths, strict, offline) == recorded_key:
                    assert record is not None  # changes come from it
                    # Other inputs made the same docs tree: the site stands, recorded as made from these.
                    write_record(paths, out, dataclasses.replace(record, inputs=inputs, diagnostics=tuple(diagnostics),
                                                                 pages=pages))
                    return BuildResult(diagnostics, [], pages, out, how="current")
                previous_index = None
                if recorded_key is not None:
                    assert copying is not None and record is not None  # recorded_key comes from them
                    copying.wait()
                    previous_index = index_state(out, record.unindexed)  # the shards whose pages the update rewrites are made again
                progress(f"{renderer.name} build", 0, 1)
                touched = None if changes is None else changes.changed | changes.removed
                rendered = update_or_build(renderer, paths, staging, touched, recorded_key, strict, offline)
                progress(f"{renderer.name} build", 1, 1)
            succeeded, messages, key = rendered.succeeded, rendered.messages, rendered.key
            if not succeeded:
                failure = next((m for m in reversed(messages) if "ERROR" in m), f"{renderer.name} failed")
                return BuildResult(diagnostics + [_mkdocs_failure(failure)], messages)
            unmarked = None
            if not offline:
                progress("search index", 0, 1)
                unindexed, index = index_search(staging, previous_index)
                progress("search index", 1, 1)
                if unindexed:
                    return BuildResult(diagnostics + [_mkdocs_failure(unindexed)], messages + [unindexed])
                unmarked = index.unmarked
            mark(staging)
            forget_record(paths, out)
            swap_in(staging, out)
            identity = folder_identity(out)
            if key is not None and identity is not None:
                write_record(paths, out, BuildRecord(renderer.name, key, identity, docs, inputs, tuple(diagnostics), pages,
                                                     unmarked))
        finally:
            if copying is not None:
                copying.stop()
            shutil.rmtree(staging, ignore_errors=True)  # gone already once swapped in
    if changes is None or not rendered.updated:
        return BuildResult(diagnostics, messages, pages, out)
    return BuildResult(diagnostics, messages, pages, out, how="update", rendered=len(changes.changed))


def _built_from(paths: ProjectPaths, out: Path, record: BuildRecord, renderer: Renderer, inputs: str, strict: bool,
                offline: bool) -> BuildResult | None:
    """The result of the build that made `out` when it was made from the same inputs
    (`incremental.input_fingerprint`), the docs tree is still the one it wrote and the renderer
    gives the same key (its versions, theme and build date are no input of the generator's):
    nothing to do."""
    if record.inputs != inputs or docs_state(paths.docs_tree) != record.docs:
        return None
    with _source_date_epoch(paths.root):
        if renderer.incremental_key(paths, strict, offline) != record.key:
            return None
    return BuildResult(list(record.diagnostics), [], record.pages, out, how="current")


def _updatable(record: BuildRecord, renderer: Renderer, offline: bool) -> bool:
    """Whether the recorded site may be updated, not built clean: not a site for `file://`, and
    made with this renderer. Whether its key still holds, the renderer checks as it updates
    (`Renderer.update`)."""
    return not offline and record.renderer == renderer.name
