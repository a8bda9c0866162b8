"""The search index in shards (`generator.search`): every marked page is indexed once, in the shard
of its family; an update makes again only the shards whose pages changed, and gives the bytes of
an index made whole; what is gone from the site is gone from the index."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from generator import search
from generator.build import build_site
from generator.incremental import read_record
from site_support import make_project, search_records, search_shards, tree_bytes


def _page(site: Path, page: str, words: str, marked: bool = True) -> None:
    path = site / page
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "<main data-pagefind-body>" if marked else "<main>"
    path.write_text(f"<html lang='en'><body>{body}<h1>{page}</h1><p>{words}</p></main></body></html>",
                    encoding="utf-8")


FAMILIES = 24


def _small_site(site: Path) -> list[str]:
    pages = []
    for family in range(FAMILIES):
        for member in ("index.html", "evidence/one/index.html", "evidence/two/index.html"):
            page = f"theses/t{family}/{member}"
            _page(site, page, f"lantern harbour family{family} {member.split('/')[-2] if '/' in member else 'main'}")
            pages.append(page)
    _page(site, "index.html", "the home page lists harbour", marked=False)
    return pages


def _indexed_small_site(site: Path, scratch: Path | None = None) -> search.IndexState:
    _small_site(site)
    failure, state = search.index_search(site, scratch=scratch)
    assert failure is None
    return state


@pytest.fixture
def many_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 4)


class _Runs:
    """The shards Pagefind ran for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shards: list[str] = []
        real = search._index_shard

        def counted(site, pages, work, background, started):
            self.shards.append(work.name)
            return real(site, pages, work, background, started)

        monkeypatch.setattr(search, "_index_shard", counted)


def _index_bytes(site: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree_bytes(site).items() if path.startswith("pagefind/")}


def test_a_page_goes_with_its_family_and_the_shards_grow_with_the_site() -> None:
    count = 16
    assert search.shard_of("theses/t/index.html", count) == search.shard_of("theses/t/evidence/e/index.html", count)
    assert search.shard_of("sources/s/index.html", count) == search.shard_of("sources/s/page_2/index.html", count)
    assert len({search.shard_of(f"sources/s{n}/index.html", count) for n in range(200)}) == count
    assert [search.shard_count(pages) for pages in (1, 81, 1_279, 1_280, 2_560, 10_755, 100_000)] == [1, 1, 1, 2, 4, 16, 16]


def test_every_marked_page_is_indexed_once_whatever_the_shards(tmp_path: Path, many_shards: None) -> None:
    """The records of an index in shards are those of one index of the whole site: no page lost,
    none twice, the unmarked home page nowhere."""
    site = tmp_path / "site"
    pages = _small_site(site)
    failure, state = search.index_search(site)
    assert search.shard_count(len(pages) + 1) == 16
    assert failure is None and state.shards.keys() == {search.shard_of(page, 16) for page in pages}
    sharded = sorted(json.dumps(record, sort_keys=True) for record in search_records(site))

    whole = tmp_path / "whole"
    shutil.copytree(site, whole)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PAGES_PER_SHARD", 1_000)
        failure, state = search.index_search(whole)
    assert failure is None and len(state.shards) == 1
    assert sharded == sorted(json.dumps(record, sort_keys=True) for record in search_records(whole))
    assert len(sharded) == len(pages) and not any(record["url"] == "/" for record in search_records(site))


def test_an_edit_in_place_makes_again_only_its_shard(tmp_path: Path, many_shards: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's way: pages rewritten in the site itself, the last run's state kept."""
    site = tmp_path / "site"
    state = _indexed_small_site(site)
    runs = _Runs(monkeypatch)
    failure, unchanged = search.index_search(site, state)
    assert failure is None and runs.shards == [] and unchanged == state

    edited = "theses/t3/evidence/two/index.html"
    _page(site, edited, "lantern harbour zeppelin")
    failure, after = search.index_search(site, state)
    assert failure is None and runs.shards == [search.shard_of(edited, 16)] and after.shards.keys() == state.shards.keys()
    assert any("zeppelin" in str(record["content"]) for record in search_records(site))

    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh)
    shutil.rmtree(fresh / "pagefind")
    assert search.index_search(fresh)[0] is None
    assert _index_bytes(site) == _index_bytes(fresh)


def test_a_shard_whose_pages_went_leaves_the_index_and_its_list(tmp_path: Path, many_shards: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    state = _indexed_small_site(site)
    shard = search.shard_of("theses/t5/index.html", 16)
    families = [f"theses/t{n}" for n in range(FAMILIES) if search.shard_of(f"theses/t{n}/index.html", 16) == shard]
    for family in families:  # unmarked: still pages, but nothing of them is searched
        for page in (site / family).rglob("index.html"):
            _page(site, page.relative_to(site).as_posix(), "no longer searched", marked=False)
    runs = _Runs(monkeypatch)
    failure, after = search.index_search(site, state)
    assert failure is None and runs.shards == []  # no marked page left: nothing to index
    assert shard not in after.shards and not (site / "pagefind" / shard).exists()
    assert f'"{shard}/"' not in (site / "pagefind" / "shards.js").read_text(encoding="utf-8")
    assert not any(str(record["url"]).startswith(f"/{families[0]}/") for record in search_records(site))

    for family in families:
        shutil.rmtree(site / family)
    failure, gone = search.index_search(site, after)
    assert failure is None and runs.shards == [] and shard not in gone.shards


def test_an_unmarked_page_written_again_costs_no_run_and_one_now_marked_is_indexed(tmp_path: Path, many_shards: None,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A page Pagefind is not given (the 404 page, a listing), written again with another stamp,
    leaves every shard as it was; once it is marked, its shard is made again and finds it."""
    site = tmp_path / "site"
    state = _indexed_small_site(site)
    assert set(state.unmarked) == {"index.html"}
    runs = _Runs(monkeypatch)
    _page(site, "index.html", "the home page lists harbour and more", marked=False)
    failure, after = search.index_search(site, state)
    assert failure is None and runs.shards == [] and after.shards == state.shards
    _page(site, "index.html", "the home page now searched for quayside", marked=True)
    failure, marked = search.index_search(site, after)
    assert failure is None and runs.shards == [search.shard_of("index.html", 16)] and not marked.unmarked
    assert any(record["url"] == "/" for record in search_records(site))


def test_the_state_of_a_built_index_reads_only_the_pages_the_record_does_not_vouch_for(
        tmp_path: Path, many_shards: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """`index_state` with the unmarked pages a build recorded reads no page whose stamp is the
    recorded one; without them, it reads every page; either way it gives the index's own state."""
    site = tmp_path / "site"
    state = _indexed_small_site(site)
    read: list[str] = []
    real = search._is_marked

    def counted(page: Path) -> bool:
        read.append(page.relative_to(site).as_posix())
        return real(page)

    monkeypatch.setattr(search, "_is_marked", counted)
    assert search.index_state(site, state.unmarked) == state and read == []
    assert search.index_state(site) == state and len(read) == 3 * FAMILIES + 1
    read.clear()
    _page(site, "index.html", "written again since the record", marked=False)
    assert search.index_state(site, state.unmarked).unmarked.keys() == {"index.html"} and read == ["index.html"]


def test_a_shard_another_pagefind_made_is_made_again(tmp_path: Path, many_shards: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _indexed_small_site(site)
    one = sorted(search.index_state(site).shards)[0]
    entry = site / "pagefind" / one / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**data, "version": "0.0.1"}), encoding="utf-8")
    state = search.index_state(site)
    assert one not in state.shards and len(state.shards) > 8
    runs = _Runs(monkeypatch)
    assert search.index_search(site, state)[0] is None and runs.shards == [one]


def test_an_update_indexes_only_the_shards_of_the_pages_it_rendered_and_equals_a_clean_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: None) -> None:
    """`build` after a summary edit: Pagefind runs for the shards of the pages the renderer wrote
    again, the other shards are the previous site's files (linked, not written), and the site is
    byte for byte a clean build's."""
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 1)
    paths = make_project(tmp_path / "project")
    site = tmp_path / "site"
    assert build_site(paths, site).ok
    before = {p.relative_to(site).as_posix(): os.stat(p).st_ino for p in site.rglob("*") if p.is_file()}
    shards = search_shards(site)
    assert len(shards) >= 4
    record = read_record(paths, site)  # the pages the index leaves out, so the update need not read them
    unmarked = {page.relative_to(site).as_posix() for page in site.rglob("*.html")
                if "pagefind" not in page.parts and not search.MARKED.search(page.read_bytes())}
    assert record is not None and record.unindexed is not None and set(record.unindexed) == unmarked
    assert "404.html" in unmarked and record.unindexed["404.html"] == search.scan_tree(site).stamps["404.html"]

    thesis = paths.content / "theses" / "memory-bound-inference.md"
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("summary:", "summary: Edited for the shards test."),
                      encoding="utf-8")
    runs = _Runs(monkeypatch)
    result = build_site(paths, site)
    assert result.ok and result.how == "update"
    after = {p.relative_to(site).as_posix(): os.stat(p).st_ino for p in site.rglob("*") if p.is_file()}
    pages = search.shard_count(sum(page.endswith(".html") and not page.startswith("pagefind/") for page in after))
    written = {page for page, inode in after.items()
               if page.endswith(".html") and not page.startswith("pagefind/") and before.get(page) != inode}
    marked = {page for page in written if search.MARKED.search((site / page).read_bytes())}
    assert "404.html" in written - marked  # the renderer writes it on every update; Pagefind is not given it
    rewritten = {search.shard_of(page, pages) for page in marked}
    assert sorted(runs.shards) == sorted(rewritten) and 0 < len(rewritten) < len(shards)
    for shard in {shard.name for shard in shards} - rewritten:
        kept = [page for page in after if page.startswith(f"pagefind/{shard}/")]
        assert kept and all(after[page] == before.get(page) for page in kept), shard

    clean = tmp_path / "clean"
    assert build_site(paths, clean, clean=True).ok
    updated, fresh = tree_bytes(site), tree_bytes(clean)
    assert sorted(updated) == sorted(fresh)
    assert [path for path in fresh if updated[path] != fresh[path]] == []


def test_the_preview_changes_its_index_only_while_holding_its_lock(tmp_path: Path, many_shards: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Working beside the site (`scratch`), Pagefind's runs leave `site/pagefind/` as it was; the
    new shards go in under `placing`, which the preview's whole rebuilds also hold (a rebuild
    empties the site)."""
    import threading

    site = tmp_path / "preview" / "site"
    state = _indexed_small_site(site, scratch=site.parent)
    _page(site, "theses/t3/index.html", "lantern harbour zeppelin")
    before = tree_bytes(site / "pagefind")
    lock = threading.Lock()
    seen: list[tuple[bool, bool]] = []
    real = search._assemble

    def assemble(folder, fresh, kept, new_box, work):
        seen.append((lock.locked(), tree_bytes(site / "pagefind") == before))
        return real(folder, fresh, kept, new_box, work)

    monkeypatch.setattr(search, "_assemble", assemble)
    failure, _after = search.index_search(site, state, scratch=site.parent, placing=lock)
    assert failure is None and seen == [(True, True)] and not lock.locked()
    assert tree_bytes(site / "pagefind") != before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no work folder left beside it


def test_a_shard_gone_while_the_others_were_indexed_fails_the_run_and_the_next_is_whole(
        tmp_path: Path, many_shards: None, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "preview" / "site"
    state = _indexed_small_site(site, scratch=site.parent)
    _page(site, "theses/t3/index.html", "lantern harbour zeppelin")
    kept = sorted(state.shards.keys() - {search.shard_of("theses/t3/index.html", 16)})[0]
    real = search._index_shard

    def and_a_rebuild_removes_a_kept_shard(site_, pages, work, background, started):
        shutil.rmtree(site / "pagefind" / kept, ignore_errors=True)
        return real(site_, pages, work, background, started)

    monkeypatch.setattr(search, "_index_shard", and_a_rebuild_removes_a_kept_shard)
    failure, after = search.index_search(site, state, scratch=site.parent)
    assert failure is not None and "went while the others were indexed" in failure and after is search.NO_INDEX
    monkeypatch.setattr(search, "_index_shard", real)
    failure, whole = search.index_search(site, after, scratch=site.parent)
    assert failure is None and kept in whole.shards and (site / "pagefind" / kept / "pagefind-entry.json").is_file()
