"""What each entity page is made from, as a digest: a page whose digest is unchanged since the
docs tree was last written is not made again (`build.render_docs`).

A page about a document (a thesis, its evidence dossier, a source, an asset, a person) shows that
document, the documents it references or that reference it (a thesis's sources, assets, authors
and reviewer; a source's speakers; the theses citing a source, positioning on an asset, written
or reviewed by a person), and what is derived from those neighbours: a thesis's proof is derived
from the sources it cites, and a source is shown with its speakers. What is derived from every
document that references a neighbour is taken as its value (`_shown_values`): an asset's stance
(a thesis page names the assets it positions on but shows nothing of the other theses on them;
the asset's own page has those theses as its neighbours), a source's count of citations (a
person page lists the sources they spoke in with it). Its digest covers all of these (the
documents' validated models, a thesis's dates from git and staleness, those values) and what
every page shares (`shared`: the generator's code and page templates, the page context and settings).

A page of a listing (an index, a tag) shows rows of many documents. The build renders each
listing once with every row to split it by size (`paging.measured_pages`): its page's digest is
that rendering's (`ListingPage.measured`) with where the page starts and ends, so only the
listings an edit shows up in are made again. A long-lived process splits a listing again only
when what its rows show of their documents changed (`PageInputs.rows_digest`, as the listing
declares it: `paging.RowInputs`). Single pages, redirects, empty listings and the
stance board's first page (its chart is no row) are made on every run.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel

from ..caches import Memo
from ..digests import folder_digest
from ..publication import Publication
from .context import PageContext
from .paging import ListingPage, Node, RowInputs

ENTITY_PAGE_KINDS = {"thesis": "thesis", "evidence": "thesis", "source": "source", "asset": "asset", "person": "person"}
"""Page kind → the kind of document its key names."""


def _references(publication: Publication) -> dict[Node, set[Node]]:
    """Every reference between documents, both ways, as the linker resolved them (`graph`)."""
    graph = publication.graph
    neighbours: dict[Node, set[Node]] = defaultdict(set)
    incoming: tuple[tuple[str, Mapping[str, Iterable[object]], str], ...] = (
        ("person", graph.sources_by_speaker, "source"), ("person", graph.theses_by_author, "thesis"),
        ("person", graph.reviews_by_person, "thesis"))
    for kind, index, other_kind in incoming:
        for key, others in index.items():
            for other in others:
                neighbours[(kind, key)].add((other_kind, str(other)))
                neighbours[(other_kind, str(other))].add((kind, key))
    for asset_id, positions in graph.positions_by_asset.items():
        for position in positions:
            neighbours[("asset", asset_id)].add(("thesis", position.thesis_id))
            neighbours[("thesis", position.thesis_id)].add(("asset", asset_id))
    for source_id, citations in graph.citations_by_source.items():
        for citation in citations:
            neighbours[("source", source_id)].add(("thesis", citation.thesis_id))
            neighbours[("thesis", citation.thesis_id)].add(("source", source_id))
    return neighbours


def _derived_from(node: Node, neighbours: Mapping[Node, set[Node]]) -> Iterable[Node]:
    """The documents shown with a node wherever it is shown, or its derived facts come from: a
    thesis's proof (its sources), a source's speakers. (What is derived from every document
    referencing a node is digested as its value, `_shown_values`.)"""
    kind = node[0]
    wanted = {"thesis": "source", "source": "person"}.get(kind)
    return (other for other in neighbours.get(node, ()) if other[0] == wanted) if wanted else ()


class PageInputs:
    """The digest of the documents a page about a node is made from: the node and its neighbours
    (`near`), each with what is derived from it (`_derived_from`, `_shown_values`). What is
    derived from a node is digested once, however many pages show it: a thesis's sources are
    shown by the page of each asset it positions on."""

    def __init__(self, neighbours: Mapping[Node, set[Node]], documents: Mapping[Node, bytes],
                 values: Mapping[Node, bytes], fields_of: Callable[[Node, frozenset[str]], bytes]) -> None:
        self.neighbours = neighbours
        self.documents = documents
        self.values = values
        self.fields_of = fields_of
        """(node, fields) → the digest of those fields of its document's model (`RowInputs.fields`)."""
        self._derived: dict[Node, bytes] = {}
        self._of: dict[Node, bytes] = {}
        self._rows: dict[RowInputs, dict[Node, bytes]] = {}
        """What a row shows of a node, by what the listing's rows show (`rows_digest`): made
        once, however many listings show the node (the theses index and each of its tags')."""

    def carry(self, previous: PageInputs) -> None:
        """Take from `previous` (the last run's, in a long-lived process) what it made that no
        change reached, so that a save digests again only what is near what it changed. A node's
        derived digest changes with its shown value, its neighbours, or the document of a
        neighbour; what a page about it is made from (`of`), with its own or a neighbour's document
        or derived digest, or its neighbours; its row, with its document or derived digest (or,
        for rows that show neighbours, with what `of` is made from). A node's neighbours change
        only with a document at one end of the reference (its own, or the one that came, went or
        now resolves), and what a changed document reaches is taken with both runs' neighbours."""
        def differing(now: Mapping[Node, object], before: Mapping[Node, object]) -> set[Node]:
            return {node for node in now.keys() | before.keys() if now.get(node) != before.get(node)}

        def near(nodes: Iterable[Node]) -> set[Node]:
            return {other for node in nodes
                    for other in (node, *self.neighbours.get(node, ()), *previous.neighbours.get(node, ()))}

        documents = differing(self.documents, previous.documents)
        derived = differing(self.values, previous.values) | near(documents)
        shown = documents | derived
        whole = near(shown)
        self._derived = {node: value for node, value in previous._derived.items() if node not in derived}
        self._of = {node: value for node, value in previous._of.items() if node not in whole}
        self._rows = {inputs: {node: value for node, value in rows.items() if node not in (whole if inputs.neighbours else shown)}
                      for inputs, rows in previous._rows.items()}

    def _document(self, node: Node) -> bytes:
        return f"{node[0]}\0{node[1]}\0".encode() + self.documents.get(node, b"missing")

    def _derived_digest(self, node: Node) -> bytes:
        found = self._derived.get(node)
        if found is None:
            digest = hashlib.sha256(self.values.get(node, b""))
            for other in sorted(_derived_from(node, self.neighbours)):
                digest.update(self._document(other))
            self._derived[node] = found = digest.digest()
        return found

    def rows_digest(self, nodes: Iterable[Node], shown: RowInputs) -> str:
        """What the rows of a listing about `nodes` are made from, as the listing declares what
        they show of them (`paging.RowInputs`): a listing split again when this changed."""
        digest = hashlib.sha256()
        for node in sorted(set(nodes)):
            digest.update(self.row(node, shown))
        return digest.hexdigest()

    def row(self, node: Node, shown: RowInputs) -> bytes:
        """What a row about `node` is made from, as a listing whose rows show `shown` of it."""
        rows = self._rows.setdefault(shown, {})
        found = rows.get(node)
        if found is None:
            rows[node] = found = self._row(node, shown)
        return found

    def _row(self, node: Node, shown: RowInputs) -> bytes:
        if shown.neighbours:
            return self.of(node)
        known, fields = node in self.documents, dict(shown.fields).get(node[0])
        document = self.documents[node] if fields is None or not known else self.fields_of(node, fields)
        derived = self._derived_digest(node) if shown.derived else b""
        return f"{node[0]}\0{node[1]}\0".encode() + (document if known else b"missing") + derived

    def of(self, node: Node) -> bytes:
        """What a page about `node` is made from, to be digested with the page's own name (made
        once: a thesis has two pages)."""
        found = self._of.get(node)
        if found is None:
            self._of[node] = found = b"".join(self._document(other) + self._derived_digest(other)
                                              for other in sorted({node, *self.neighbours.get(node, ())}))
        return found


def shared_digest(context: PageContext, templates: Path, code: str, stale_after_days: int, link_style: bool) -> str:
    """What every page depends on besides its documents."""
    shared = (code, folder_digest(templates), context.disclaimer, context.address, context.edition, stale_after_days, link_style)
    return hashlib.sha256(repr(shared).encode()).hexdigest()


def _model_digest(model: BaseModel) -> bytes:
    return hashlib.sha256(model.model_dump_json().encode("utf-8", "surrogatepass")).digest()


ShownDates = Callable[[Node], bytes]
"""A document → what its pages and rows show besides its model (`_dates`)."""


def document_digests(publication: Publication, context: PageContext, memo: Memo | None = None,
                     dates: ShownDates | None = None, made_from: Mapping[Node, str] | None = None) -> dict[Node, bytes]:
    """Per document: its file's name and validated model, and for a thesis its dates and staleness
    (`dates`, `_dates` by default). The model is digested as what it is made from when that is
    known (`made_from`: the load key of its file, which covers its bytes and the generator's code,
    `CheckResult.made_from`), else as its JSON (a publication may come from a git revision, not
    the work tree; dumping 8,000 models cost a build 0.2 s). `memo`: the digests of models a
    previous run had (`serve`: an unchanged file's model is the same object)."""
    graph = publication.graph
    models = _models(publication)
    dates = dates or functools.partial(_dates, publication, context)
    made_from = made_from or {}
    digests: dict[Node, bytes] = {}
    for node, relpath in graph.files.items():
        digest = hashlib.sha256(relpath.encode("utf-8", "surrogatepass") + b"\0")
        key = made_from.get(node)
        if key is not None:
            digest.update(b"file\0" + key.encode())
        else:
            model = models[node[0]][node[1]]
            digest.update(memo.of("document digest", model, functools.partial(_model_digest, model)) if memo else _model_digest(model))
        digest.update(dates(node))
        digests[node] = digest.digest()
    return digests


def _dates(publication: Publication, context: PageContext, node: Node) -> bytes:
    """What a document's pages and rows show besides its model: a thesis's dates and staleness."""
    return repr((context.dates.get(node[1]), publication.stale.get(node[1]))).encode() if node[0] == "thesis" else b""


def page_inputs(publication: Publication, context: PageContext, memo: Memo | None = None,
                made_from: Mapping[Node, str] | None = None) -> PageInputs:
    """What each page of `publication` is made from, digested as it is asked for (`PageInputs`);
    with `memo`, what the last run's digested and no change reached is carried over (`carry`);
    `made_from`: what each document's model is made from, when known (`document_digests`).
    A thesis's dates are written out once per run: its whole document and each listing's fields of
    it show them (a `repr` of its history, asked for some 20,000 times at 5,000 sources)."""
    dates: ShownDates = functools.cache(functools.partial(_dates, publication, context))
    inputs = PageInputs(_references(publication), document_digests(publication, context, memo, dates, made_from),
                        _shown_values(publication), functools.partial(_fields_digest, _models(publication), dates, memo))
    if memo is not None:
        last: list[PageInputs] = memo.get(("last page inputs",), list)
        if last:
            inputs.carry(last.pop())
        last.append(inputs)
    return inputs


def _models(publication: Publication) -> dict[str, Mapping[str, BaseModel]]:
    graph = publication.graph
    return {"source": graph.sources, "thesis": graph.theses, "asset": graph.assets, "person": graph.people}


def _fields_digest(models: Mapping[str, Mapping[str, BaseModel]], dates: ShownDates,
                   memo: Memo | None, node: Node, fields: frozenset[str]) -> bytes:
    """Some fields of a document's validated model, digested (`memo`: as for `document_digests`),
    with what else is shown of it (`_dates`)."""
    model = models[node[0]][node[1]]

    def make() -> bytes:
        return hashlib.sha256(model.model_dump_json(include=set(fields)).encode("utf-8", "surrogatepass")).digest()

    return (memo.of("document fields digest", model, make, along=fields) if memo else make()) + dates(node)


def _shown_values(publication: Publication) -> dict[Node, bytes]:
    """What pages show of a document that is derived from every document referencing it: an
    asset's stance, a source's count of citations."""
    values = {("asset", asset_id): repr(stance).encode() for asset_id, stance in publication.stances.items()}
    values.update({("source", source_id): str(len(citations)).encode()
                   for source_id, citations in publication.graph.citations_by_source.items()})
    return values


def page_digests(inputs: PageInputs, shared: str, pages: Iterable[tuple[str, object, str]]) -> dict[str, str]:
    """Docs-tree path → digest of every entity and measured listing page among `pages` ((kind
    name, key, path) each: the key is an id or a listing's page, `pages.kinds.PageKind.keys`)."""
    digests: dict[str, str] = {}
    for kind, key, path in pages:
        listing = getattr(key, "listing", key)  # a tag's pages carry their listing page
        if isinstance(listing, ListingPage) and listing.measured is not None:
            page = (listing.measured, listing.number, listing.start, listing.end, listing.count)
            digests[path] = hashlib.sha256(f"{shared}\0{kind}\0{path}\0{page}".encode()).hexdigest()
            continue
        document_kind = ENTITY_PAGE_KINDS.get(kind)
        if document_kind is None:
            continue
        digest = hashlib.sha256(f"{shared}\0{kind}\0{path}\0".encode())
        digest.update(inputs.of((document_kind, str(key))))
        digests[path] = digest.hexdigest()
    return digests
