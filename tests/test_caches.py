"""The caches between runs (`generator/caches.py`): a hit gives exactly what a fresh run makes,
a changed input misses, a damaged cache is only a miss, unused entries are removed, and a change
of the generator's code or of the card drawing invalidates.

Whether a value was made again is seen by making its maker fail: a check that parses no file
(`load_document` raising) or a build that draws no card (`render_card` raising) can only have
taken every value from the cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import jinja2
import pytest

from generator import caches, cards, machine_readable, pipeline
from generator.build import write_docs_tree
from generator.cards import Badge, Card, render_card
from generator.caches import CardCache, LoadCache, Memo, project_caches
from generator.diagnostics import Diagnostic
from generator.discover import ContentFile, discover_content
from generator.pages.kinds import CLAIMS_INDEX, KINDS, STANCE_BOARD, TAG
from generator.pipeline import CheckResult, check_project
from generator.settings import ProjectPaths

from review_support import isolate_git
from site_support import make_project, sample_thesis, tree_bytes

BROKEN = Path(__file__).parent / "fixtures" / "broken"
SAMPLE_CARD = Card("Inference is bound by memory", "memory-bound-inference", (Badge("long", "MU"), Badge("neutral", "NVDA")),
                   "Strong source proof | 3 extracted claims", "strong", "thesis-site.example.org")


@pytest.fixture(autouse=True)
def _no_git_above(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


def same(first: CheckResult, second: CheckResult) -> None:
    assert first.diagnostics == second.diagnostics
    assert first.publication == second.publication
    assert first.documents == second.documents
    assert first.files == second.files


class Parses:
    """Counts the files a check parses; `forbid` makes parsing fail the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.relpaths: list[str] = []
        self.forbidden = False
        real = pipeline.load_document

        def counting(relpath: str, *args: object) -> object:
            assert not self.forbidden, f"{relpath} was parsed again"
            self.relpaths.append(relpath)
            return real(relpath, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "load_document", counting)


def _files(paths: ProjectPaths) -> list[ContentFile]:
    return discover_content(paths)[0]


def load_entries(paths: ProjectPaths) -> list[Path]:
    return sorted((paths.cache / "load").glob("*.pickle"))


def cold(paths: ProjectPaths) -> CheckResult:
    return check_project(paths)


def warm(paths: ProjectPaths) -> CheckResult:
    """A check as the next `thesis-site build` makes it: a cache opened anew on the folder."""
    return check_project(paths, cache=project_caches(paths).load)


# ----------------------------------------------------------------------- the load cache


def test_a_warm_check_parses_nothing_and_equals_a_cold_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    reference = cold(paths)
    parses = Parses(monkeypatch)
    same(warm(paths), reference)  # an empty cache: every file parsed, every entry written
    assert len(parses.relpaths) == reference.files and len(load_entries(paths)) == reference.files
    parses.forbidden = True
    same(warm(paths), reference)


@pytest.mark.parametrize("code", sorted(path.name for path in BROKEN.iterdir() if (path / "content").is_dir()))
def test_documents_with_errors_are_cached_with_their_diagnostics(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p", BROKEN / code / "content")
    reference = cold(paths)
    warm(paths)
    Parses(monkeypatch).forbidden = True
    same(warm(paths), reference)


def test_an_edited_file_alone_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    warm(paths)
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("status: active", "status: watching"), encoding="utf-8")
    parses = Parses(monkeypatch)
    after = warm(paths)
    assert parses.relpaths == [paths.relative(thesis)]
    same(after, cold(paths))
    assert len(load_entries(paths)) == after.files  # the old version's entry removed


def test_a_change_that_keeps_size_and_mtime_is_seen(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "p")
    warm(paths)
    thesis = sample_thesis(paths)
    text = thesis.read_text(encoding="utf-8")
    stat = thesis.stat()
    changed = text.replace("status: active", "status: closed", 1)
    assert changed != text and len(changed.encode()) == len(text.encode())
    thesis.write_text(changed, encoding="utf-8")
    os.utime(thesis, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (thesis.stat().st_size, thesis.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    after = warm(paths)
    same(after, cold(paths))
    assert after.publication is not None
    assert after.publication.graph.theses["memory-bound-inference"].status == "closed"


def test_a_removed_file_leaves_no_entry_behind(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "p")
    first = warm(paths)
    removed = next((paths.content / "people").iterdir())
    removed.unlink()
    folder = paths.cache / "load"
    abandoned = folder / f".{'b' * 64}.4242.tmp"  # what a killed run's write leaves
    abandoned.write_bytes(b"half an entry")
    (folder / "notes.txt").write_text("not an entry: never removed")
    after = warm(paths)
    assert after.files == first.files - 1 and len(load_entries(paths)) == after.files
    assert not abandoned.exists() and (folder / "notes.txt").exists()
    same(after, cold(paths))


def test_a_damaged_or_planted_cache_is_only_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    reference = warm(paths)
    entries = load_entries(paths)
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Planted(str(marker)))
    damage = [b"", b"not a pickle", entries[2].read_bytes()[:-1],  # truncated: the checksum no longer holds
              b"\x80\x05garbage" + hashlib.sha256(b"\x80\x05garbage").digest(),  # checksum holds, pickle does not
              entries[-1].read_bytes(),  # another file's entry: whole, but not this file's result
              planted + hashlib.sha256(planted).digest()]  # a valid checksum over a pickle that would run code
    for entry, data in zip(entries, damage, strict=False):
        entry.write_bytes(data)
    flipped = bytearray(entries[len(damage)].read_bytes())
    flipped[len(flipped) // 2] ^= 0xFF
    entries[len(damage)].write_bytes(bytes(flipped))
    unreadable = entries[len(damage) + 1]  # a folder where the entry goes: neither read nor replaced
    unreadable.unlink()
    (unreadable / "inside").mkdir(parents=True)
    parses = Parses(monkeypatch)
    same(warm(paths), reference)
    assert len(parses.relpaths) == len(damage) + 2
    assert not marker.exists()
    parses.relpaths.clear()
    same(warm(paths), reference)  # written anew, but for the folder in the way
    in_the_way = [f.relpath for f in _files(paths) if caches.load_key(f, f.path.read_bytes()) == unreadable.stem]
    assert parses.relpaths == in_the_way and len(in_the_way) == 1


class _Planted:
    """What a planted pickle could do if the unpickler made any global: create a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (Path(self.path),))


def test_an_unwritable_or_linked_cache_folder_is_no_error(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "p")
    reference = cold(paths)
    paths.cache.parent.mkdir()
    paths.cache.write_text("a file where the cache folder goes")
    same(warm(paths), reference)
    paths.cache.unlink()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "load").mkdir(parents=True)
    keep = elsewhere / "load" / f"{'a' * 64}.pickle"
    keep.write_bytes(b"not this build's")
    paths.cache.symlink_to(elsewhere, target_is_directory=True)
    assert project_caches(paths) == caches.Caches()
    same(warm(paths), reference)
    assert [p.name for p in (elsewhere / "load").iterdir()] == [keep.name]  # nothing written, nothing removed


def test_a_change_of_the_generators_code_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    reference = warm(paths)
    before = load_entries(paths)
    monkeypatch.setattr(caches, "code_fingerprint", lambda: b"another version of the generator")
    parses = Parses(monkeypatch)
    same(warm(paths), reference)
    assert len(parses.relpaths) == reference.files
    assert not set(before) & set(load_entries(paths))  # the old entries removed


def test_the_code_fingerprint_reads_every_module_and_the_libraries(tmp_path: Path) -> None:
    package = tmp_path / "generator"
    shutil.copytree(Path(caches.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    versions = ("3.11", "pydantic 2")
    first = caches._fingerprint_of(package, versions)
    assert caches._fingerprint_of(package, versions) == first
    module = package / "pages" / "urls.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert caches._fingerprint_of(package, versions) != first
    assert caches._fingerprint_of(package, ("3.12", "pydantic 2")) != caches._fingerprint_of(package, versions)


def test_an_in_memory_cache_serves_a_long_lived_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    cache = LoadCache()
    reference = check_project(paths, cache=cache)
    parses = Parses(monkeypatch)
    parses.forbidden = True
    same(check_project(paths, cache=cache), reference)
    assert not paths.cache.exists()
    parses.forbidden = False
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("status: active", "status: watching"), encoding="utf-8")
    after = check_project(paths, cache=cache)
    assert parses.relpaths == [paths.relative(thesis)]
    same(after, cold(paths))


class Reads:
    """Counts the content files a check reads (`pipeline.load_cached`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, paths: ProjectPaths) -> None:
        self.relpaths: list[str] = []
        real = Path.read_bytes

        def counting(path: Path) -> bytes:
            if path.is_relative_to(paths.content):
                self.relpaths.append(paths.relative(path))
            return real(path)

        monkeypatch.setattr(Path, "read_bytes", counting)


def later_by(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """The check's clock `seconds` ahead: every file reads as left alone that long."""
    now = pipeline.time.time_ns
    monkeypatch.setattr(pipeline.time, "time_ns", lambda: now() + seconds * 1_000_000_000)


def test_a_long_lived_process_reads_again_only_the_files_written_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    cache = LoadCache()
    later_by(monkeypatch, 10)
    check_project(paths, cache=cache)
    reads = Reads(monkeypatch, paths)
    stats: list[Path] = []
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda path, **options: stats.append(path) or real_stat(path, **options))
    again = check_project(paths, cache=cache)
    assert reads.relpaths == [], "an unchanged file was read again"
    assert not [path for path in stats if path.is_relative_to(paths.content) and path != paths.content], \
        "loading asked again what discovery found"
    monkeypatch.setattr(Path, "stat", real_stat)
    same(again, cold(paths))
    thesis = sample_thesis(paths)
    text = thesis.read_text(encoding="utf-8")
    stat = thesis.stat()
    changed = text.replace("status: active", "status: closed", 1)
    assert len(changed.encode()) == len(text.encode())
    thesis.write_text(changed, encoding="utf-8")
    os.utime(thesis, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # its size and modification time as they were
    reads.relpaths.clear()
    after = check_project(paths, cache=cache)
    assert reads.relpaths == [paths.relative(thesis)]
    same(after, cold(paths))
    assert after.publication is not None and after.publication.graph.theses["memory-bound-inference"].status == "closed"
    theses = check_project(paths, cache=cache).theses_by_blob
    assert theses == after.theses_by_blob and theses  # git's ids of the files not read again are known


def test_a_file_known_by_its_stamp_whose_entry_is_gone_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_project(tmp_path / "p")
    cache = LoadCache()
    later_by(monkeypatch, 10)
    reference = check_project(paths, cache=cache)
    monkeypatch.setattr(cache, "take", lambda keys: (list(keys), {})[1])  # no entry found
    reads = Reads(monkeypatch, paths)
    again = check_project(paths, cache=cache)
    assert len(reads.relpaths) == len(_files(paths))
    same(again, reference)
    assert again.theses_by_blob == reference.theses_by_blob


def test_a_file_read_just_after_it_was_written_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write in the same tick of the file system's clock as the read would leave its stamp as it
    was: a file written less than `SETTLED_NS` before it was read is read again next time."""
    paths = make_project(tmp_path / "p")
    cache = LoadCache()
    check_project(paths, cache=cache)  # every file was written moments ago
    reads = Reads(monkeypatch, paths)
    check_project(paths, cache=cache)
    assert len(reads.relpaths) == len(_files(paths))


def test_a_build_reads_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's cache is opened anew on its folder: nothing vouches for a file but its bytes."""
    paths = make_project(tmp_path / "p")
    later_by(monkeypatch, 10)
    cache = project_caches(paths).load
    check_project(paths, cache=cache)
    reads = Reads(monkeypatch, paths)
    check_project(paths, cache=project_caches(paths).load)
    assert len(reads.relpaths) == len(_files(paths))


# ----------------------------------------------------------------------- the memo of a long-lived process


def test_a_memo_keeps_for_the_next_run_only_what_this_run_asked_for() -> None:
    memo, made = Memo(), []

    def maker(value: str):
        return lambda: made.append(value) or value.upper()

    assert memo.get("a", maker("a")) == "A" and memo.get("b", maker("b")) == "B"
    assert memo.get("a", maker("a")) == "A" and made == ["a", "b"]  # asked twice in one run: made once
    memo.settle()
    assert memo.get("a", maker("a")) == "A" and made == ["a", "b"]
    memo.settle()  # this run did not ask for "b": dropped
    assert memo.get("b", maker("b")) == "B" and made == ["a", "b", "b"]


def test_a_memo_of_an_object_is_that_objects_alone() -> None:
    memo = Memo()
    one, other = ["same"], ["same"]  # equal, not the same object
    assert memo.of("size", one, lambda: 1) == 1
    assert memo.of("size", other, lambda: 2) == 2
    assert memo.of("another value", one, lambda: "x") == "x"
    memo.settle()
    assert memo.of("size", one, lambda: 3) == 1 and memo.of("size", other, lambda: 4) == 2


def test_a_long_lived_process_makes_again_only_what_a_save_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` keeps each feed's files, each document's digest, each listing's measuring render,
    each entity's JSON text, each source's verified quotes and what linking each thesis recorded,
    with its proof, between saves; what it writes is what a run without them writes."""
    from generator import export, feeds, graph, publication, quotes
    from generator.pages import inputs, paging

    paths = make_project(tmp_path / "p")
    kept = project_caches(paths, remember=True)
    assert kept.memo is not None
    write_docs_tree(paths, caches=kept)
    serialized: list[str] = []  # feed items
    digested: list[str] = []
    real_item, real_digest = feeds._rss_item, inputs._model_digest
    monkeypatch.setattr(feeds, "_rss_item", lambda item: serialized.append(item.guid) or real_item(item))
    monkeypatch.setattr(inputs, "_model_digest", lambda model: digested.append(model.id) or real_digest(model))
    encoded: list[str] = []
    real_entry = export._entry_bytes
    monkeypatch.setattr(export, "_entry_bytes", lambda part: encoded.append(part[0].id) or real_entry(part))
    templates: list[str] = []
    real_render = jinja2.Template.render
    monkeypatch.setattr(jinja2.Template, "render", lambda self, *a, **k: templates.append(self.name) or real_render(self, *a, **k))
    listings: list[tuple[object, ...]] = []  # the order of each listing whose whole view was made
    real_whole = paging.whole_listing
    monkeypatch.setattr(paging, "whole_listing", lambda order: listings.append(tuple(order)) or real_whole(order))
    linked: list[str] = []  # theses linked, and theses whose proof was derived
    derived: list[str] = []
    real_link, real_proof = graph._Linker._link_thesis, publication.derive_source_proof
    monkeypatch.setattr(graph._Linker, "_link_thesis", lambda self, document: linked.append(document.id) or real_link(self, document))
    monkeypatch.setattr(publication, "derive_source_proof", lambda thesis, g: derived.append(thesis.id) or real_proof(thesis, g))
    write_docs_tree(paths, caches=kept)
    assert serialized == [] and digested == [] and encoded == []
    assert linked == [] and derived == [], "a thesis was linked again, or its proof derived, from the same documents"
    assert listings == [], "a listing's split was made again from the same documents"
    # No listing is measured again, and no page of one is rendered but the stance board's first (its chart is made each run).
    assert [name for name in templates if name in LISTING_TEMPLATES] == [STANCE_BOARD.template]
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary:", "summary: Saved again.", 1), encoding="utf-8")
    verified: list[str] = []
    real_contains = quotes.LocatedText._contains
    monkeypatch.setattr(quotes.LocatedText, "_contains", lambda self, quote: verified.append(quote) or real_contains(self, quote))
    checked, _ = write_docs_tree(paths, caches=kept)
    assert digested == []  # a document is digested as what it is made from: its file's load key (`inputs.document_digests`)
    assert linked == [thesis.stem] and derived == [thesis.stem]
    tag_listings = [order for order in listings if order and all(isinstance(row, tuple) and row[0] in ("thesis", "source")
                                                                    for row in order)]
    assert tag_listings and all(("thesis", thesis.stem) in order for order in tag_listings), "only its tags' listings"
    assert serialized and all(f"thesis/{thesis.stem}/" in guid for guid in serialized)  # the whole-site feed reuses the others'
    assert encoded == [thesis.stem]  # the sources it cites and the assets it positions on show nothing it changed
    # Its quotes and their sources are unchanged: verified by an earlier run. (Each thesis's title
    # review is made with the proof, every run.)
    assert checked.publication is not None
    assert set(verified) <= {t.title for t in checked.publication.graph.theses.values()}
    warm = tree_bytes(paths.docs_tree)
    shutil.rmtree(paths.docs_tree)
    write_docs_tree(paths, use_cache=False)
    assert tree_bytes(paths.docs_tree) == warm


def test_a_listing_is_split_again_only_when_what_its_rows_show_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each listing declares what its rows show of their documents (`paging.RowInputs`): after a
    thesis's summary changed, the theses index (which shows it) is split again and the claims and
    sources indexes are not; after its body changed, none of them; after a claim's text or a source's title changed, the listing showing
    it is, and the tags index (which counts documents by tag) is not. Each time, the tree is what
    a fresh run writes."""
    from generator.pages import paging

    paths = make_project(tmp_path / "p")
    kept = project_caches(paths, remember=True)
    made: list[tuple[object, ...]] = []  # the order of each listing whose whole view was made
    real_whole = paging.whole_listing
    monkeypatch.setattr(paging, "whole_listing", lambda order: made.append(tuple(order)) or real_whole(order))
    write_docs_tree(paths, caches=kept)

    def split_again(path: Path, old: str, new: str) -> set[str]:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        made.clear()
        checked, _ = write_docs_tree(paths, caches=kept)
        orders, warm = list(made), tree_bytes(paths.docs_tree)
        write_docs_tree(paths, use_cache=False)
        assert tree_bytes(paths.docs_tree) == warm, new
        assert checked.publication is not None and not checked.errors, new
        graph = checked.publication.graph
        named = {"theses": graph.theses, "sources": graph.sources, "people": graph.people, "stance board": graph.assets,
                 "tags": set(graph.tags)}
        listings = set()
        for order in filter(None, orders):
            if all(isinstance(row, tuple) and row[0] in ("thesis", "source") for row in order):
                listings.add("a tag")
            elif all(isinstance(row, tuple) for row in order):
                listings.add("claims")
            else:
                listings.update(name for name, ids in named.items() if all(row in ids for row in order))
        return listings

    thesis = sample_thesis(paths)
    after_summary = split_again(thesis, "summary: >-", "summary: >-\n  Saved again.")
    assert "theses" in after_summary and "a tag" in after_summary
    assert not after_summary & {"claims", "sources", "tags"}
    after_claim = split_again(thesis, "text: Decoding speed follows", "text: Decoding speed still follows")
    assert "claims" in after_claim and not after_claim & {"sources", "tags"}
    after_body = split_again(thesis, "grew **tenfold** in a year", "grew **tenfold** in one year")
    assert not after_body & {"theses", "claims", "sources", "tags", "a tag"}, "a thesis's body is in no row"
    after_status = split_again(thesis, "status: active", "status: monitoring")
    assert "theses" in after_status
    after_title = split_again(paths.content / "sources" / "memory-wall-talk.md", "title: The Memory Wall", "title: The Memory Wall, Revisited")
    assert "sources" in after_title and "tags" not in after_title  # its tags are as they were


def _more_theses(paths: ProjectPaths, count: int) -> None:
    """`count` more theses like the sample one, each under its own id and title."""
    thesis = sample_thesis(paths)
    text = thesis.read_text(encoding="utf-8")
    for number in range(count):
        copy = text.replace("id: memory-bound-inference", f"id: copy-{number}", 1).replace(
            "title: Inference is bound by memory", f"title: Copy {number} of inference is bound by memory", 1)
        (thesis.parent / f"copy-{number}.md").write_text(copy, encoding="utf-8")


@pytest.mark.parametrize("numbered", [False, True], ids=["rows alike anywhere", "rows numbered by their place"])
def test_a_long_lived_process_measures_again_only_the_rows_an_edit_changed(
        numbered: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a summary edit the theses index is split again from the sizes its other rows had,
    measuring only the edited row and two it knew, and the tree is what a fresh run writes. A
    template whose rows measure differently on a page of their own (here: each row numbered by
    its place) is measured whole, and the tree is still a fresh run's."""
    from generator.pages import paging

    monkeypatch.setattr(paging, "PAGE_BYTES", paging.FRAME_BYTES + 2_500)  # several pages of theses
    paths = make_project(tmp_path / "p")
    _more_theses(paths, 9)
    if numbered:
        macros = paths.templates / "pages" / "_macros.md.j2"
        text = macros.read_text(encoding="utf-8")
        macros.write_text(text.replace("<td>{{ row.claims }}</td>", "<td>{{ loop.index }}. {{ row.claims }}</td>", 1),
                          encoding="utf-8")
    kept = project_caches(paths, remember=True)
    assert not write_docs_tree(paths, caches=kept)[0].errors
    made: list[tuple[object, ...]] = []
    real_whole = paging.whole_listing
    monkeypatch.setattr(paging, "whole_listing", lambda order: made.append(tuple(order)) or real_whole(order))
    thesis = paths.content / "theses" / "copy-4.md"
    for edit in range(2):
        thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary: >-", f"summary: >-\n  Saved {edit}.", 1),
                          encoding="utf-8")
        made.clear()
        write_docs_tree(paths, caches=kept)
        theses = {path.stem for path in (paths.content / "theses").iterdir()}
        theses_index = [order for order in made if order and all(row in theses for row in order)]
        if numbered:
            assert [len(order) for order in theses_index] == [3, 11]  # tried apart, then measured whole
        else:
            assert [len(order) for order in theses_index] == [3]  # the edited row, the first and the last
            assert "copy-4" in theses_index[0]
        warm = tree_bytes(paths.docs_tree)
        assert len([path for path in warm if path.startswith("theses/page_")]) >= 2
        write_docs_tree(paths, use_cache=False)
        assert tree_bytes(paths.docs_tree) == warm


def test_what_a_row_shows_of_a_document_is_digested_as_each_listing_declares_it(tmp_path: Path) -> None:
    """`PageInputs.rows_digest` makes each row's part once for all the listings that show it; a
    listing that declares another `RowInputs` gets its own. Asked in any order, on one object, the
    digests are those of a fresh object, and rows that show more or less differ."""
    from generator.build import page_context, site_settings
    from generator.history import PublicationHistory
    from generator.pages.entities import THESIS_ROWS_SHOW
    from generator.pages.inputs import page_inputs
    from generator.pages.paging import NEAR, OWN

    paths = make_project(tmp_path / "p")
    publication = check_project(paths).publication
    assert publication is not None
    settings = site_settings(paths)
    assert not isinstance(settings, Diagnostic)
    context = page_context(publication, settings, PublicationHistory({}, {}))
    theses = [("thesis", thesis_id) for thesis_id in sorted(publication.graph.theses)]
    sources = [("source", source_id) for source_id in sorted(publication.graph.sources)]
    asked = [(theses, THESIS_ROWS_SHOW), (theses + sources, OWN), (theses[:1], NEAR), (theses[:1], THESIS_ROWS_SHOW),
             (theses[:1], OWN), (sources, OWN), (theses, NEAR)]
    fresh = [page_inputs(publication, context).rows_digest(nodes, shown) for nodes, shown in asked]
    shared = page_inputs(publication, context)
    assert [shared.rows_digest(nodes, shown) for nodes, shown in reversed(asked)] == fresh[::-1]
    assert len({fresh[2], fresh[3], fresh[4]}) == 3, "one thesis's row, as three listings declare it"


def test_a_long_lived_process_sees_every_kind_of_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After each edit, what a process keeping its caches and memo writes and reports is what a
    fresh run writes and reports: a source that no longer holds a quote, the source mended, a new
    thesis (what is exported of the sources, assets and people it names changes, their files do
    not), a listing's template, the site's address (every feed's links)."""
    paths = make_project(tmp_path / "p")
    kept = project_caches(paths, remember=True)
    source = paths.content / "sources" / "memory-wall-talk.md"
    original = source.read_text(encoding="utf-8")

    def same_as_fresh(what: str) -> list[str]:
        warm, _ = write_docs_tree(paths, caches=kept)
        warm_tree = tree_bytes(paths.docs_tree)
        fresh, _ = write_docs_tree(paths, use_cache=False)
        assert warm.diagnostics == fresh.diagnostics, what
        assert warm_tree == tree_bytes(paths.docs_tree), what
        return [d.code for d in warm.diagnostics]

    same_as_fresh("first run")
    source.write_text(original.replace("high-bandwidth memory.", "fast memory."), encoding="utf-8")
    assert "quote.not-found" in same_as_fresh("a quote its source no longer holds")
    source.write_text(original, encoding="utf-8")
    assert "quote.not-found" not in same_as_fresh("the source mended")
    theses = paths.content / "theses"
    copied = (theses / "leading-edge-scarcity.yaml").read_text(encoding="utf-8")
    (theses / "fresh-scarcity.yaml").write_text(copied.replace("id: leading-edge-scarcity", "id: fresh-scarcity"),
                                                encoding="utf-8")
    same_as_fresh("a new thesis")
    person = paths.content / "people" / "ada-lane.yaml"
    written = person.read_text(encoding="utf-8")
    person.unlink()
    assert "ref.unknown-person" in same_as_fresh("a person its theses name removed")
    person.write_text(written, encoding="utf-8")
    assert "ref.unknown-person" not in same_as_fresh("the person back")
    person.write_text(written.replace("id: ada-lane", "id: ada-lane\nrenamed_from: [ada-l]"), encoding="utf-8")
    same_as_fresh("a person given an old id")
    with open(paths.templates / "pages" / CLAIMS_INDEX.template, "a", encoding="utf-8") as handle:
        handle.write("\nA line the claims listing now ends with.\n")
    same_as_fresh("a listing's template")
    monkeypatch.setenv("SITE_URL", "https://elsewhere.example.org/theses/")
    same_as_fresh("another site address")


def test_a_memo_entry_goes_with_its_object() -> None:
    """An identity entry holds its object, so no other object can take its id while it is kept;
    once a run does not ask for it, it is dropped, and an object made later gets its own value."""
    memo = Memo()
    first = ["value"]
    assert memo.of("size", first, lambda: "first") == "first"
    memo.settle()
    memo.settle()  # a run that did not ask for it: dropped
    del first
    later = [["value"] for _ in range(1000)]  # one of these may take the freed id
    assert all(memo.of("size", thing, lambda: "later") == "later" for thing in later)


LISTING_TEMPLATES = {kind.template for kind in KINDS if kind.name.endswith(("index", "board"))} | {TAG.template}


# ----------------------------------------------------------------------- the card cache


def _png(cache: CardCache, card: Card) -> bytes:
    """A card as a build takes it (`machine_readable.card_files`): from the cache, else drawn and kept there."""
    data = cache.read(card)
    if data is None:
        data = cards.draw_cards([card])()[0]
        cache.write(card, data)
    return data


def test_a_cached_card_is_the_drawn_card_and_is_not_drawn_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = render_card.__wrapped__(SAMPLE_CARD)
    assert _png(CardCache(tmp_path / "cards"), SAMPLE_CARD) == drawn
    monkeypatch.setattr(cards, "render_card", _no_drawing)
    assert _png(CardCache(tmp_path / "cards"), SAMPLE_CARD) == drawn


def test_a_cards_key_is_the_same_in_every_process() -> None:
    """Keys name files that later builds read: no hash seed or dict order in them."""
    script = ("import sys; from generator.cards import Badge, Card, card_key; "
              "print(card_key(Card('Inference is bound by memory', 'memory-bound-inference', "
              "(Badge('long', 'MU'), Badge('neutral', 'NVDA')), 'Strong source proof | 3 extracted claims', 'strong', "
              "'thesis-site.example.org')))")
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "4321"}).stdout.strip()
    assert fresh == cards.card_key(SAMPLE_CARD)


def _no_drawing(card: Card) -> bytes:
    raise AssertionError(f"{card.title} was drawn")


def _draws_none(to_draw: list[Card]) -> Callable[[], list[bytes]]:
    assert not to_draw, f"{[card.title for card in to_draw]} drawn"
    return list


def test_a_changed_card_misses_and_unused_cards_are_removed(tmp_path: Path) -> None:
    cache = CardCache(tmp_path / "cards")
    _png(cache, SAMPLE_CARD)
    cache.settle()
    retitled = dataclasses.replace(SAMPLE_CARD, title="Another title")
    assert cards.card_key(retitled) != cards.card_key(SAMPLE_CARD)
    cache = CardCache(tmp_path / "cards")
    assert _png(cache, retitled) == render_card.__wrapped__(retitled)
    cache.settle()
    assert [p.name for p in (tmp_path / "cards").iterdir()] == [f"{cards.card_key(retitled)}.png"]


def test_a_remembering_card_cache_keeps_the_keys_of_its_last_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In `serve`, an unchanged card is not keyed again; its entry still counts as used, so the
    folder keeps it; a card the last run did not show is forgotten."""
    cache = CardCache(tmp_path / "cards", remember=True)
    drawn = _png(cache, SAMPLE_CARD)
    cache.settle()
    retitled = dataclasses.replace(SAMPLE_CARD, title="Another title")
    monkeypatch.setattr(caches, "card_key", lambda card: pytest.fail(f"{card.title} was keyed again"))
    assert _png(cache, SAMPLE_CARD) == drawn
    cache.settle()
    monkeypatch.undo()
    assert [p.name for p in (tmp_path / "cards").iterdir()] == [f"{cards.card_key(SAMPLE_CARD)}.png"]
    _png(cache, retitled)
    cache.settle()  # SAMPLE_CARD was not shown: its key is forgotten
    keyed: list[str] = []
    real_key = caches.card_key
    monkeypatch.setattr(caches, "card_key", lambda card: keyed.append(card.title) or real_key(card))
    assert _png(cache, SAMPLE_CARD) == drawn and keyed == [SAMPLE_CARD.title]


def test_a_damaged_card_is_drawn_again(tmp_path: Path) -> None:
    _png(CardCache(tmp_path / "cards"), SAMPLE_CARD)
    entry = tmp_path / "cards" / f"{cards.card_key(SAMPLE_CARD)}.png"
    entry.write_bytes(entry.read_bytes()[:100])
    assert _png(CardCache(tmp_path / "cards"), SAMPLE_CARD) == render_card.__wrapped__(SAMPLE_CARD)
    assert entry.read_bytes()[:-32] == render_card.__wrapped__(SAMPLE_CARD)


def test_a_change_of_the_drawing_invalidates_cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cards.card_key(SAMPLE_CARD)
    assert cards.card_key(SAMPLE_CARD) == before
    monkeypatch.setattr(cards, "_drawing_fingerprint", lambda: b"another font or Pillow")
    assert cards.card_key(SAMPLE_CARD) != before


# ----------------------------------------------------------------------- in the build


def test_a_warm_docs_tree_is_the_cold_one_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A docs tree written from the caches is the one written without them. A share card whose
    file in the docs tree was written for what it shows now is neither drawn nor read again (the
    docs record keeps each card's key); the cache gives the cards when the tree has lost them."""
    paths = make_project(tmp_path / "p")
    write_docs_tree(paths, use_cache=False)
    assert not paths.cache.exists()
    clean = tree_bytes(paths.docs_tree)
    with monkeypatch.context() as patched:
        patched.setattr(machine_readable, "draw_cards", _draws_none)
        patched.setattr(machine_readable, "render_card", _no_drawing)
        write_docs_tree(paths)  # the cards the tree holds are current: none drawn, and the cache has none to give
    assert tree_bytes(paths.docs_tree) == clean
    shutil.rmtree(paths.docs_tree)
    write_docs_tree(paths)
    assert tree_bytes(paths.docs_tree) == clean
    theses = sum(1 for name in clean if name.startswith("cards/"))
    assert len(list((paths.cache / "cards").iterdir())) == theses
    Parses(monkeypatch).forbidden = True
    monkeypatch.setattr(machine_readable, "draw_cards", _draws_none)
    shutil.rmtree(paths.docs_tree)
    write_docs_tree(paths)
    assert tree_bytes(paths.docs_tree) == clean


def test_cards_a_worker_drew_are_kept_and_those_no_thesis_shows_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's path through the card cache (`machine_readable.card_files`): cards drawn by the
    worker are kept under their keys and taken by the next build; a card found damaged then is
    drawn again; the card of a thesis that is gone leaves the cache when the build settles."""
    paths = make_project(tmp_path / "p")
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "DRAWN_BESIDE_FROM", 1)
    monkeypatch.setattr(cards, "render_card", _no_drawing)  # every card by the worker
    write_docs_tree(paths)
    docs = tree_bytes(paths.docs_tree)
    drawn = {name: data for name, data in docs.items() if name.startswith("cards/")}
    entries = {entry.name: entry.read_bytes()[:-32] for entry in (paths.cache / "cards").iterdir()}
    assert sorted(entries.values()) == sorted(drawn.values())
    monkeypatch.undo()

    damaged = next(iter((paths.cache / "cards").iterdir()))
    damaged.write_bytes(damaged.read_bytes()[:100])
    shutil.rmtree(paths.docs_tree)
    write_docs_tree(paths)
    assert tree_bytes(paths.docs_tree) == docs
    assert damaged.read_bytes()[:-32] == entries[damaged.name]

    gone = sample_thesis(paths)
    gone.unlink()
    monkeypatch.setattr(machine_readable, "draw_cards", _draws_none)
    write_docs_tree(paths)
    left = {name: data for name, data in tree_bytes(paths.docs_tree).items() if name.startswith("cards/")}
    assert f"cards/{gone.stem}.png" not in left and len(left) == len(drawn) - 1
    assert sorted(entry.read_bytes()[:-32] for entry in (paths.cache / "cards").iterdir()) == sorted(left.values())


def test_the_rows_of_a_listing_that_shows_some_fields_still_follow_a_theses_dates_and_staleness(tmp_path: Path) -> None:
    """A listing keyed by some fields of its theses (`paging.RowInputs.fields`) still shows their
    dates and stale notes: a history or staleness that changed changes its rows' digest."""
    import datetime as dt

    from generator.history import PublicationHistory
    from generator.pages.context import PageContext, thesis_dates
    from generator.pages.inputs import page_inputs
    from generator.pages.entities import THESIS_ROWS_SHOW
    from generator.pages.urls import site_address

    paths = make_project(tmp_path / "p")
    publication = check_project(paths).publication
    assert publication is not None
    thesis = sample_thesis(paths).stem
    nodes = [("thesis", thesis_id) for thesis_id in publication.graph.theses]
    dates = thesis_dates(publication, PublicationHistory({}, {}).theses)
    context = PageContext("", site_address("https://example.org/"), dates)
    digest = page_inputs(publication, context).rows_digest(nodes, THESIS_ROWS_SHOW)
    moved = {**dates, thesis: dataclasses.replace(dates[thesis], last_changed=dt.date(2001, 1, 1))}
    assert page_inputs(publication, dataclasses.replace(context, dates=moved)).rows_digest(nodes, THESIS_ROWS_SHOW) != digest
    stale = dataclasses.replace(publication, stale={thesis: dt.date(2001, 1, 1)})
    assert page_inputs(stale, context).rows_digest(nodes, THESIS_ROWS_SHOW) != digest
    assert page_inputs(publication, context).rows_digest(nodes, THESIS_ROWS_SHOW) == digest


def test_page_inputs_carried_between_saves_are_those_a_fresh_run_digests(tmp_path: Path) -> None:
    """A long-lived process carries over the page inputs no change reached (`PageInputs.carry`):
    after each kind of edit, every node's page inputs, derived digest and row (as each listing
    declares it) are what a fresh run digests."""
    from generator.history import PublicationHistory
    from generator.pages.context import PageContext, thesis_dates
    from generator.pages.entities import THESIS_ROWS_SHOW
    from generator.pages.inputs import page_inputs
    from generator.pages.kinds import CLAIM_ROWS_SHOW, TAGS_SHOW
    from generator.pages.paging import NEAR, OWN
    from generator.pages.urls import site_address

    paths = make_project(tmp_path / "p")
    memo, cache = Memo(), LoadCache()

    def same_as_fresh(what: str) -> None:
        publication = check_project(paths, cache=cache, memo=memo).publication
        assert publication is not None, what
        context = PageContext("", site_address("https://example.org/"), thesis_dates(publication, PublicationHistory({}, {}).theses))
        carried, fresh = page_inputs(publication, context, memo), page_inputs(publication, context)
        for node in sorted(publication.graph.files):
            assert carried.of(node) == fresh.of(node), (what, node)
            for shown in (THESIS_ROWS_SHOW, CLAIM_ROWS_SHOW, TAGS_SHOW, NEAR, OWN):
                assert carried.row(node, shown) == fresh.row(node, shown), (what, node, shown)
        memo.settle()

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    same_as_fresh("first run")
    thesis, theses = sample_thesis(paths), paths.content / "theses"
    edit(thesis, "summary: >-", "summary: >-\n  Saved again.")
    same_as_fresh("a thesis's summary")
    edit(thesis, "status: active", "status: monitoring")
    same_as_fresh("a thesis's status")
    edit(paths.content / "sources" / "memory-wall-talk.md", "title: The Memory Wall", "title: The Memory Wall, Revisited")
    same_as_fresh("a source's title (the theses citing it derive their proof from it)")
    edit(paths.content / "people" / "bo-chen.yaml", "name: ", "name: Dr ")
    same_as_fresh("a person's name (the theses and sources naming them)")
    copied = (theses / "leading-edge-scarcity.yaml").read_text(encoding="utf-8")
    (theses / "fresh-scarcity.yaml").write_text(copied.replace("id: leading-edge-scarcity", "id: fresh-scarcity"), encoding="utf-8")
    same_as_fresh("a new thesis (new neighbours for its sources, assets and people)")
    (theses / "fresh-scarcity.yaml").unlink()
    same_as_fresh("the thesis deleted")
    person = paths.content / "people" / "ada-lane.yaml"
    person.unlink()
    same_as_fresh("a person its theses name removed")


def test_a_value_made_from_several_objects_goes_with_all_of_them() -> None:
    """`Memo.of_all`: found again only for the same objects, each the one it was made from, and
    kept with them all while it is kept, so none of their ids can pass to another object."""
    memo = Memo()
    first, second = ["a"], ["b"]
    assert memo.of_all("pair", (first, second), lambda: "made") == "made"
    assert memo.of_all("pair", (first, second), lambda: "again") == "made"
    assert memo.of_all("pair", (first, ["b"]), lambda: "another") == "another"
    assert memo.of_all("pair", (second, first), lambda: "swapped") == "swapped"
    memo.settle()
    del first, second
    later = [(["a"], ["b"]) for _ in range(1000)]  # none may take a kept id while the entry holds its objects
    assert all(memo.of_all("pair", pair, lambda: "later") == "later" for pair in later[:500])


def test_a_build_splits_again_only_the_listings_an_edit_shows_up_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`build/cache/splits/` keeps each listing's split for the next build, as the memo keeps it
    for the preview: a build with nothing changed renders no listing whole, one after a thesis's
    summary changed only the listings showing it, one after a damaged entry only that listing;
    the tree is each time what a run without caches writes, and entries no listing uses are removed."""
    from generator.pages import paging

    paths = make_project(tmp_path / "p")
    made: list[tuple[object, ...]] = []  # the order of each listing whose whole view was made
    real_whole = paging.whole_listing
    monkeypatch.setattr(paging, "whole_listing", lambda order: made.append(tuple(order)) or real_whole(order))

    def listings_made() -> int:
        made.clear()
        write_docs_tree(paths)
        count, warm = len(made), tree_bytes(paths.docs_tree)
        write_docs_tree(paths, use_cache=False)
        assert tree_bytes(paths.docs_tree) == warm
        return count

    every = listings_made()
    entries = sorted((paths.cache / "splits").glob("*.json"))
    assert every > 5 and len(entries) == every
    assert listings_made() == 0
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary: >-", "summary: >-\n  Saved again.", 1),
                      encoding="utf-8")
    assert 0 < listings_made() < every
    assert len(list((paths.cache / "splits").glob("*.json"))) == every  # the old splits of those listings went
    damaged = sorted((paths.cache / "splits").glob("*.json"))[0]
    damaged.write_bytes(damaged.read_bytes()[:-1])
    assert listings_made() == 1


def test_a_build_serializes_again_only_the_feed_items_an_edit_changed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`build/cache/feeds/` keeps each feed item's and head's XML for the next build: a build with
    nothing changed serializes none, one after a thesis's summary changed only that thesis's
    items (in every feed that shows them), one after the entry was damaged all of them again; the
    tree is each time what a run without caches writes, and `--clean` reads no entry."""
    from generator import feeds

    paths = make_project(tmp_path / "p")
    made: list[str] = []
    for name in ("_rss_item", "_atom_entry", "_rss_head", "_atom_head"):
        real = getattr(feeds, name)
        monkeypatch.setattr(feeds, name, lambda *args, _real=real, _name=name: made.append(_name) or _real(*args))

    def serialized(refresh: bool = False) -> int:
        return len(_made_warm(paths, made, refresh))

    every = serialized()
    assert every > 20 and len(list((paths.cache / "feeds").glob("*.pickle"))) == 1
    assert serialized() == 0
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary: >-", "summary: >-\n  Saved again.", 1),
                      encoding="utf-8")
    again = _made_warm(paths, made)
    assert 0 < len(again) < every / 3 and again.count("_rss_item") == again.count("_atom_entry") > 0
    entry = next((paths.cache / "feeds").glob("*.pickle"))
    entry.write_bytes(entry.read_bytes()[:-1])
    assert serialized() == every
    assert serialized(refresh=True) == every  # as `build --clean`: no entry read, what it made kept
    assert serialized() == 0


def _made_warm(paths: ProjectPaths, made: list[str], refresh: bool = False) -> list[str]:
    """What one write of the docs tree with the caches made (`made`, filled by a patched maker),
    once its tree is checked against a write without them; `refresh`: as `build --clean`."""
    made.clear()
    write_docs_tree(paths, caches=project_caches(paths, refresh=True) if refresh else None)
    warm_made, warm = list(made), tree_bytes(paths.docs_tree)
    write_docs_tree(paths, use_cache=False)
    assert tree_bytes(paths.docs_tree) == warm
    return warm_made


def test_a_build_encodes_again_only_the_export_entries_an_edit_changed(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`build/cache/export/` keeps each entity's JSON for the next build, by what its model is
    made from (its file's load key) and what was derived for it: a build with nothing changed
    encodes none; one after a thesis's summary changed, that thesis alone; one after two of its
    evidence items swapped places, that thesis and the source they cite (whose own file did not
    change, but what is derived for it did: its citations' order); one after the entry was
    damaged, all of them again. The tree is each time what a run without caches writes, and
    `--clean` reads no entry."""
    from generator import export

    paths = make_project(tmp_path / "p")
    encoded: list[str] = []
    real_entry = export._entry
    monkeypatch.setattr(export, "_entry", lambda part: encoded.append(part[0].id) or real_entry(part))

    def encoding(refresh: bool = False) -> list[str]:
        return sorted(_made_warm(paths, encoded, refresh))

    every = encoding()
    assert len(every) > 8 and len(list((paths.cache / "export").glob("*.pickle"))) == 1
    assert encoding() == []
    thesis = sample_thesis(paths)
    text = thesis.read_text(encoding="utf-8")
    thesis.write_text(text.replace("summary: >-", "summary: >-\n  Saved again.", 1), encoding="utf-8")
    assert encoding() == ["memory-bound-inference"]
    first, second = (text[text.index("      - source: memory-wall-talk\n        at: insight/kv-cache"):],
                     text[text.index("      - source: memory-wall-talk\n        at: moment/12:05"):])
    first, second = first[:len(first) - len(second)], second[:second.index("    confidence:")]
    swapped = text.replace(first + second, second + first, 1)
    assert swapped != text
    thesis.write_text(swapped, encoding="utf-8")
    assert encoding() == ["memory-bound-inference", "memory-wall-talk"]
    entry = next((paths.cache / "export").glob("*.pickle"))
    entry.write_bytes(entry.read_bytes()[:-1])
    assert encoding() == every
    assert encoding(refresh=True) == every  # as `build --clean`: no entry read, what it made kept
    assert encoding() == []


def test_a_cached_documents_positions_are_unpickled_when_first_asked_and_hold_no_code(tmp_path: Path) -> None:
    """The load cache keeps a document's positions as one blob (`load.Positions`): read back, they
    are not unpickled until a diagnostic asks where something is, then give every position as
    loaded; a blob that names any global (code) is refused when it is read."""
    import io

    from generator.load import Positions, load_document

    thesis = sample_thesis(make_project(tmp_path / "project"))
    document, _ = load_document(f"content/theses/{thesis.name}", "thesis", thesis.stem, thesis.read_bytes(),
                                "markdown" if thesis.suffix == ".md" else "yaml")
    assert document is not None
    read_back = caches._DataOnly(io.BytesIO(pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))).load()
    for name in ("value_positions", "key_positions"):
        kept = getattr(read_back, name)
        assert isinstance(kept, Positions) and kept._positions is None and kept._packed, name
    assert read_back.locate(("claims", 0, "evidence", 0, "quote")) == document.locate(("claims", 0, "evidence", 0, "quote"))
    assert read_back.locate(("title",), at_key=True) == document.locate(("title",), at_key=True)
    assert dict(read_back.value_positions) == dict(document.value_positions) and len(document.value_positions) > 10
    assert dict(read_back.key_positions) == dict(document.key_positions)
    assert read_back == document

    forged = Positions(None, pickle.dumps({("title",): os.getcwd}))
    with pytest.raises(pickle.UnpicklingError, match="positions"):
        forged[("title",)]


def test_a_build_verifies_again_only_the_quotes_whose_text_or_source_changed(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`build/cache/quotes/` keeps whether each quote is in the part of its source it cites, by
    that source file's load key, the locator and the quote: a check with nothing changed verifies
    none; after a quote was shortened, that quote alone; after the source's text changed, every
    quote citing the source, and the one no longer in it is reported `quote.not-found`; after the
    entry was damaged, and with `refresh` (`build --clean`), all of them. The diagnostics and the
    publication (each citation's `verified`) are each time those of a check without caches."""
    from generator import quotes

    paths = make_project(tmp_path / "p")
    verified: list[str] = []
    real_contains = quotes.LocatedText._contains
    monkeypatch.setattr(quotes.LocatedText, "_contains", lambda self, quote: verified.append(quote) or real_contains(self, quote))

    def verifying(refresh: bool = False) -> list[str]:
        verified.clear()
        kept = project_caches(paths, refresh=refresh)
        warm = check_project(paths, cache=kept.load, answers=kept.quotes)
        made = list(verified)
        cold = check_project(paths)
        assert warm.diagnostics == cold.diagnostics
        assert warm.publication is not None and warm.publication == cold.publication
        titles = {thesis.title for thesis in warm.publication.graph.theses.values()}  # the proof's title review
        return sorted(quote for quote in made if quote not in titles)

    every = verifying()
    assert len(every) > 6 and len(list((paths.cache / "quotes").glob("*.pickle"))) == 1
    assert verifying() == []
    thesis = sample_thesis(paths)
    thesis.write_text(thesis.read_text(encoding="utf-8").replace(
        "quote: tokens per second follow memory bandwidth", "quote: tokens per second follow memory", 1), encoding="utf-8")
    assert verifying() == ["tokens per second follow memory"]
    source = paths.content / "sources" / "memory-wall-talk.md"
    citations = check_project(paths).publication.graph.citations_by_source["memory-wall-talk"]  # type: ignore[union-attr]
    source.write_text(source.read_text(encoding="utf-8").replace(
        "so tokens per second follow memory bandwidth.", "so throughput follows memory bandwidth.", 1), encoding="utf-8")
    assert verifying() == sorted({c.evidence.quote for c in citations if not c.evidence.paraphrase}
                                 | {"tokens per second follow memory"})
    not_found = [d for d in check_project(paths).diagnostics if d.code == "quote.not-found"]
    assert [d.file for d in not_found] == [f"content/theses/{thesis.name}"]
    entry = next((paths.cache / "quotes").glob("*.pickle"))
    entry.write_bytes(entry.read_bytes()[:-1])
    assert len(verifying()) == len(every)
    assert len(verifying(refresh=True)) == len(every)  # as `build --clean`: no entry read, what it made kept
    assert verifying() == []
