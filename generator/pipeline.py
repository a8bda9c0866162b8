"""The front half of every command, as one readable function:
discover → load → validate → link → derive. Input: a project root. Output: a `Publication`
(sealed graph plus derived facts) and every diagnostic, sorted. Nothing is written.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Callable, Mapping

from .caches import ByteCache, LoadCache, Memo, file_stamp, load_key
from .diagnostics import Diagnostic, sort_diagnostics
from .freshness import DEFAULT_STALE_AFTER_DAYS, ReviewClock, may_go_stale, publication_date, stale_since
from .discover import ContentFile, classify_path, discover_content, not_regular, refuse_collisions
from .gitrepo import blob_id
from .graph import Linked, Located, resolve_references
from .heap import few_collections
from .history import CommittedHistory, committed_history
from .load import LoadedDocument, load_document, read_and_load
from .models import Source, Thesis
from .quotes import LocatedText, located_parts
from .publication import Publication, derive_publication
from .settings import MAX_FILE_BYTES, ProjectPaths
from .siteconfig import project_settings, site_url_diagnostics
from .track_record import outcome_diagnostics
from .validate import PartialDocument, ValidDocument, check_document

PARALLEL_THRESHOLD = 400
"""Below this many files a worker pool costs more to start than it saves."""

DEFAULT_JOBS = 1
"""Measured by bench/run.py: sending validated models back from worker processes (pickling) costs
more than the parsing it spreads, at 1,000 and 10,000 files alike; so one process by default."""


@dataclass(frozen=True)
class CheckResult:
    files: int
    diagnostics: list[Diagnostic]
    publication: Publication | None
    documents: Mapping[tuple[str, str], ValidDocument] = field(default_factory=lambda: MappingProxyType({}))
    """(kind, id) → the validated document, for positions of later reports."""
    committed: CommittedHistory | None = None
    """Git's history, when the check read it (to measure staleness): the build reuses it."""
    theses_by_blob: Mapping[tuple[str, str], Thesis] = field(default_factory=lambda: MappingProxyType({}))
    """(path, git's id of the bytes checked) → each valid thesis's model: git's history takes
    these instead of parsing the same bytes again (`history.committed_history`)."""
    made_from: Mapping[tuple[str, str], str] = field(default_factory=lambda: MappingProxyType({}))
    """(kind, id) → the `load_key` of each valid document's file, where a cache keyed it: what its
    model is made from, by which a build keeps what it makes of the model (the export's entries)."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


@dataclass(frozen=True)
class LoadedFile:
    """One content file after load and validate: its model, or what of it validated, or nothing
    (it could not be loaded); and its diagnostics."""

    file: ContentFile
    checked: ValidDocument | PartialDocument | None
    diagnostics: list[Diagnostic]
    blob: str | None = None
    """Git's id of the bytes it was loaded from, when known (`load_cached`, for theses)."""
    key: str | None = None
    """The `load_key` of the bytes it was loaded from, when a cache keyed them (`load_cached`): a
    digest of everything its model is made from."""


def load_and_validate(file: ContentFile) -> LoadedFile:
    document, diagnostics = read_and_load(file.path, file.relpath, file.kind, file.stem, file.format)
    return _validated(file, document, diagnostics)


def _validated(file: ContentFile, document: LoadedDocument | None, diagnostics: list[Diagnostic]) -> LoadedFile:
    if document is None:
        return LoadedFile(file, None, diagnostics)
    checked, more = check_document(document)
    return LoadedFile(file, checked, diagnostics + more)


def _load_chunk(files: list[ContentFile]) -> list[LoadedFile]:
    return [load_and_validate(file) for file in files]


def load_all(files: list[ContentFile], jobs: int | None = None) -> list[LoadedFile]:
    """Load and validate every file, across processes when the corpus is large enough to pay off."""
    jobs = jobs if jobs is not None else DEFAULT_JOBS
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        return _load_chunk(files)
    chunks = [files[index::jobs] for index in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_load_chunk, chunks))
    merged: list[LoadedFile] = []
    for chunk_results in results:
        merged.extend(chunk_results)
    return merged


@dataclass(frozen=True)
class _Keyed:
    """A content file with its bytes as this check read them (None: unread), their `load_key`
    (None: over the size limit) and, for a thesis, git's id of them."""

    file: ContentFile
    raw: bytes | None
    key: str | None
    blob: str | None = None


def _read(file: ContentFile) -> tuple[bytes, str, str | None]:
    """A file's bytes, their `load_key` and, for a thesis, git's id of them."""
    raw = file.path.read_bytes()
    return raw, load_key(file, raw), blob_id(raw) if file.kind == "thesis" else None


def _keyed(file: ContentFile, cache: LoadCache, read_from_ns: int) -> _Keyed:
    """A file's key: read from its bytes, or, when this process read it before and nothing wrote
    it since (its stamp is the same, `LoadCache.unchanged`), as it was then, unread."""
    status = file.status or file.path.stat()
    stamp = file_stamp(status)
    known = cache.unchanged(file.relpath, stamp)
    if known is not None:
        return _Keyed(file, None, known.key, known.blob)
    if status.st_size > MAX_FILE_BYTES:
        return _Keyed(file, None, None)
    raw, key, blob = _read(file)
    cache.read_as(file.relpath, stamp, key, blob, read_from_ns)
    return _Keyed(file, raw, key, blob)


def load_cached(files: list[ContentFile], cache: LoadCache, read_from_ns: int | None = None) -> list[LoadedFile]:
    """`load_all`, taking from `cache` each file whose bytes it has seen: the key is made from the
    bytes this run reads, and a miss is loaded from those same bytes (an edit in between cannot
    put one file's result under another's key); a file this process read before and nobody wrote
    since is not read again (`_keyed`). Files over the size limit are refused unread, as by
    `load_all`. The cache is settled at the end: what this check did not use is dropped.
    `read_from_ns` (`time.time_ns`): when the files' stamps began to be taken (by discovery), now by default."""
    read_from_ns = time.time_ns() if read_from_ns is None else read_from_ns
    keyed = [_keyed(file, cache, read_from_ns) for file in files]
    found = cache.take(item.key for item in keyed if item.key is not None)
    loaded: list[LoadedFile] = []
    for item in keyed:
        if item.key is not None and item.raw is None and item.key not in found:  # unread, and gone from the cache
            item = _Keyed(item.file, *_read(item.file))
        file, raw, key = item.file, item.raw, item.key
        checked = _from_cache(file, found.get(key), item.blob, key) if key is not None else None
        if checked is None and raw is not None and key is not None:
            checked = _validated(file, *load_document(file.relpath, file.kind, file.stem, raw, file.format))
            cache.keep(key, (checked.checked, tuple(checked.diagnostics)))
            checked = dataclasses.replace(checked, blob=item.blob, key=key)
        loaded.append(checked or load_and_validate(file))
    cache.settle()
    return loaded


def _from_cache(file: ContentFile, value: object, blob: str | None, key: str) -> LoadedFile | None:
    """A cache entry (under `key`) as this file's result, if it has the shape of one made for this file."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], tuple)):
        return None
    checked, diagnostics = value
    if checked is not None and not (isinstance(checked, (ValidDocument, PartialDocument))
                                    and checked.document.relpath == file.relpath):
        return None
    if not all(isinstance(d, Diagnostic) and d.file == file.relpath for d in diagnostics):
        return None
    return LoadedFile(file, checked, list(diagnostics), blob, key)


def _remembered_parts(memo: Memo, source: Source) -> dict[str, LocatedText]:
    """A source's parts as this process made them for the same model, with the answers they gave (`serve`)."""
    return memo.of("source parts", source, partial(located_parts, source))


def _answers_kept(answers: ByteCache, made_from: Mapping[tuple[str, str], str]) -> Located:
    """Each valid source's parts, answering whether a quote is in a part from what an earlier
    build verified against the same file (`made_from`: a source's load key, which covers its
    bytes and the generator's code) at the same locator; a quote not kept is verified, and
    kept for the next build. Verifying every quote again was half of linking in a build."""
    def located(source: Source) -> dict[str, LocatedText]:
        parts = located_parts(source)
        key = made_from.get(("source", source.id))
        if key is not None:
            for at, text in parts.items():
                text.answer_from(partial(_kept_answer, answers, key, at))
        return parts

    return located


def _kept_answer(answers: ByteCache, source_key: str, at: str, quote: str, verify: Callable[[], bool]) -> bool:
    return answers.get(("quote", source_key, at, quote), lambda: b"\1" if verify() else b"\0") == b"\1"


def _link_and_derive(files: int, loaded: list[LoadedFile], diagnostics: list[Diagnostic],
                     located: Located = located_parts, memo: Memo | None = None) -> CheckResult:
    """Link the valid documents into the graph; check what validated of the others too."""
    invalid = _files_with_errors(diagnostics)
    documents: list[ValidDocument] = []
    partials: list[PartialDocument] = []
    for item in loaded:
        diagnostics.extend(item.diagnostics)
        if isinstance(item.checked, ValidDocument):
            documents.append(item.checked)
            if item.checked.id != item.file.stem:  # id.mismatch: references by file name meet its error
                invalid[(item.file.kind, item.file.stem)] = item.file.relpath
            continue
        invalid[(item.file.kind, item.file.stem)] = item.file.relpath
        if isinstance(item.checked, PartialDocument):
            partials.append(item.checked)
            invalid.setdefault((item.checked.kind, item.checked.id), item.file.relpath)
    linked: Linked | None = None if memo is None else partial(memo.of_all, "thesis links")
    graph, link_diagnostics = resolve_references(documents, partials, MappingProxyType(invalid), located, linked)
    diagnostics.extend(link_diagnostics)
    diagnostics.extend(outcome_diagnostics((d.model, d.document.relpath, partial(d.document.locate, ("status",)))
                                           for d in documents if isinstance(d.model, Thesis)))
    by_key = MappingProxyType({(d.kind, d.id): d for d in documents})
    return CheckResult(files, sort_diagnostics(diagnostics), derive_publication(graph, memo), by_key)


def _files_with_errors(diagnostics: list[Diagnostic]) -> dict[tuple[str, str], str]:
    """(kind, id) → file, for content files that discovery refused (id collisions, symlinks):
    a reference to one of them names a file with errors, not a missing one."""
    refused: dict[tuple[str, str], str] = {}
    for diagnostic in diagnostics:
        classified = classify_path(diagnostic.file) if diagnostic.severity == "error" else None
        if isinstance(classified, ContentFile):
            refused.setdefault((classified.kind, classified.stem), diagnostic.file)
    return refused


def check_project(paths: ProjectPaths, jobs: int | None = None, committed: CommittedHistory | None = None,
                  cache: LoadCache | None = None, memo: Memo | None = None, answers: ByteCache | None = None) -> CheckResult:
    """Check the content in the work tree, the project's settings (`config.site-url`,
    `config.stale-after-days`), and which theses are stale (`thesis.stale`, see `freshness`).
    `committed`: git's history if the caller holds it (`serve` keeps it current), else read if needed.
    `cache`: files loaded and validated by an earlier check (`caches.LoadCache`, in one process);
    with it, files load in this process whatever `jobs` says. `memo`: from an earlier check in
    this process (`serve`), each unchanged source's parts and the quotes verified against them,
    and what linking each thesis recorded and its proof while neither it nor what it references changed.
    `answers`: with `cache` and no `memo` (a build), whether each quote is in its source's part, as
    an earlier build verified it against the same file (`_answers_kept`); settled at the end."""
    with few_collections():
        return _check(paths, jobs, committed, cache, memo, answers)


def _check(paths: ProjectPaths, jobs: int | None, committed: CommittedHistory | None, cache: LoadCache | None,
           memo: Memo | None, answers: ByteCache | None) -> CheckResult:
    discovered_from_ns = time.time_ns()  # before the walk takes each file's stamp (`load_cached`)
    files, diagnostics = discover_content(paths)
    settings, problems = project_settings(paths)
    diagnostics.extend(problems)
    diagnostics.extend(site_url_diagnostics(paths, settings))
    loaded = load_all(files, jobs) if cache is None else load_cached(files, cache, discovered_from_ns)
    made_from = MappingProxyType({(item.checked.kind, item.checked.id): item.key for item in loaded
                                  if item.key is not None and isinstance(item.checked, ValidDocument)})
    located: Located = located_parts
    if memo is not None:
        located = partial(_remembered_parts, memo)
    elif answers is not None:
        located = _answers_kept(answers, made_from)
    result = _link_and_derive(len(files), loaded, diagnostics, located, memo)
    if answers is not None:
        answers.settle()
    if result.publication is None:
        return result
    days = settings.stale_after_days if settings else DEFAULT_STALE_AFTER_DAYS
    if days != DEFAULT_STALE_AFTER_DAYS:
        result = dataclasses.replace(result, publication=dataclasses.replace(result.publication, stale_after_days=days))
    result = dataclasses.replace(result, theses_by_blob=MappingProxyType({
        (item.file.relpath, item.blob): item.checked.model for item in loaded
        if item.blob is not None and isinstance(item.checked, ValidDocument) and isinstance(item.checked.model, Thesis)}),
        made_from=made_from)
    today = publication_date(paths.root)
    return result if today is None else _with_staleness(paths, result, ReviewClock(today, days), committed)


def _with_staleness(paths: ProjectPaths, result: CheckResult, clock: ReviewClock,
                    committed: CommittedHistory | None) -> CheckResult:
    """Stale theses into the publication, and a `thesis.stale` warning for each. Git history is
    read only when a thesis is stale by its own dates: history can only make it fresher."""
    checked = result.publication
    assert checked is not None
    theses = checked.graph.theses
    candidates = [t for t in theses.values() if may_go_stale(t) and stale_since(t, None, clock) is not None]
    if not candidates:
        return result
    committed = committed or committed_history(paths.root, result.theses_by_blob)
    result = dataclasses.replace(result, committed=committed)
    stale = {t.id: since for t in candidates if (since := stale_since(t, committed.last.get(t.id), clock)) is not None}
    if not stale:
        return result
    warnings = []
    for thesis_id, since in stale.items():
        thesis = theses[thesis_id]
        document = result.documents[("thesis", thesis_id)].document
        line, column = document.locate(("status",))
        warnings.append(Diagnostic(
            document.relpath, line, column, "thesis.stale", "status",
            f"{thesis.status} thesis '{thesis_id}' not changed or reviewed since {since.isoformat()}, "
            f"{(clock.today - since).days} days before {clock.today.isoformat()} (stale after {clock.stale_after_days} days)",
            "review it (set review.on) or change its status"))
    publication = dataclasses.replace(checked, stale=MappingProxyType(dict(sorted(stale.items()))))
    return dataclasses.replace(result, diagnostics=sort_diagnostics([*result.diagnostics, *warnings]), publication=publication)


def check_snapshot(contents: Mapping[str, bytes | None]) -> CheckResult:
    """Check content given as path → bytes (e.g. read from a git revision); None marks a symlink."""
    diagnostics: list[Diagnostic] = []
    files: list[ContentFile] = []
    for relpath in sorted(contents):
        classified = classify_path(relpath)
        if classified is None:
            continue
        if contents[relpath] is None:  # as in the work tree: a symlink is refused before its name is read
            diagnostics.append(not_regular(relpath, "a symlink"))
        elif isinstance(classified, Diagnostic):
            diagnostics.append(classified)
        else:
            files.append(classified)
    files, collisions = refuse_collisions(files)
    diagnostics.extend(collisions)
    loaded = [_validated(file, *load_document(file.relpath, file.kind, file.stem, contents[file.relpath] or b"", file.format))
              for file in files]
    return _link_and_derive(len(files), loaded, diagnostics)
