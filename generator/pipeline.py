"""The front half of every command, as one readable function:
discover → load → validate → link → derive. Input: a project root. Output: a `Publication`
(sealed graph plus derived facts) and every diagnostic, sorted. Nothing is written.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .diagnostics import Diagnostic, sort_diagnostics
from .discover import ContentFile, refuse_collisions, classify_path, discover_content
from .graph import ThesisGraph, resolve_references
from .load import load_document, read_and_load
from .proof import SourceProof, derive_source_proof
from .settings import ProjectPaths
from .stance import Stance, derive_stance
from .validate import ValidDocument, validate_document

PARALLEL_THRESHOLD = 400
"""Below this many files a worker pool costs more to start than it saves."""

DEFAULT_JOBS = 1
"""Measured by bench/run.py: sending validated models back from worker processes (pickling) costs
more than the parsing it spreads, at 1,000 and 10,000 files alike; so one process by default."""


@dataclass(frozen=True)
class Publication:
    """The sealed graph and everything derived from it; what pages and exports are made from."""

    graph: ThesisGraph
    proofs: Mapping[str, SourceProof]
    stances: Mapping[str, Stance]


@dataclass(frozen=True)
class CheckResult:
    files: int
    diagnostics: list[Diagnostic]
    publication: Publication | None
    documents: Mapping[tuple[str, str], ValidDocument] = field(default_factory=lambda: MappingProxyType({}))
    """(kind, id) → the validated document, for positions of later reports."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def load_and_validate(file: ContentFile) -> tuple[ValidDocument | None, list[Diagnostic]]:
    document, diagnostics = read_and_load(file.path, file.relpath, file.kind, file.stem, file.format)
    if document is None:
        return None, diagnostics
    valid, more = validate_document(document)
    return valid, diagnostics + more


def _load_chunk(files: list[ContentFile]) -> list[tuple[ValidDocument | None, list[Diagnostic]]]:
    return [load_and_validate(file) for file in files]


def load_all(files: list[ContentFile], jobs: int | None = None) -> list[tuple[ValidDocument | None, list[Diagnostic]]]:
    """Load and validate every file, across processes when the corpus is large enough to pay off."""
    jobs = jobs if jobs is not None else DEFAULT_JOBS
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        return _load_chunk(files)
    chunks = [files[index::jobs] for index in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_load_chunk, chunks))
    merged: list[tuple[ValidDocument | None, list[Diagnostic]]] = []
    for chunk_results in results:
        merged.extend(chunk_results)
    return merged


def derive_publication(graph: ThesisGraph) -> Publication:
    proofs = {thesis_id: derive_source_proof(thesis, graph) for thesis_id, thesis in graph.theses.items()}
    stances = {asset_id: derive_stance(asset_id, graph) for asset_id in graph.assets}
    return Publication(graph, MappingProxyType(proofs), MappingProxyType(stances))


def _link_and_derive(files: int, loaded: list[tuple[ValidDocument | None, list[Diagnostic]]],
                     diagnostics: list[Diagnostic]) -> CheckResult:
    documents: list[ValidDocument] = []
    for valid, found in loaded:
        diagnostics.extend(found)
        if valid is not None:
            documents.append(valid)
    graph, link_diagnostics = resolve_references(documents)
    diagnostics.extend(link_diagnostics)
    by_key = MappingProxyType({(d.kind, d.model.id): d for d in documents})  # type: ignore[attr-defined]
    return CheckResult(files, sort_diagnostics(diagnostics), derive_publication(graph), by_key)


def check_project(paths: ProjectPaths, jobs: int | None = None) -> CheckResult:
    """Check the content in the work tree."""
    files, diagnostics = discover_content(paths)
    return _link_and_derive(len(files), load_all(files, jobs), diagnostics)


def check_snapshot(contents: Mapping[str, bytes | None]) -> CheckResult:
    """Check content given as path → bytes (e.g. read from a git revision); None marks a symlink."""
    diagnostics: list[Diagnostic] = []
    files: list[ContentFile] = []
    for relpath in sorted(contents):
        classified = classify_path(relpath)
        if isinstance(classified, Diagnostic):
            diagnostics.append(classified)
        elif classified is not None:
            if contents[relpath] is None:
                diagnostics.append(Diagnostic(relpath, 1, 1, "file.not-regular", "", "a symlink is not read as content"))
            else:
                files.append(classified)
    files, collisions = refuse_collisions(files)
    diagnostics.extend(collisions)
    loaded = []
    for file in files:
        document, found = load_document(file.relpath, file.kind, file.stem, contents[file.relpath] or b"", file.format)
        if document is None:
            loaded.append((None, found))
        else:
            valid, more = validate_document(document)
            loaded.append((valid, found + more))
    return _link_and_derive(len(files), loaded, diagnostics)
