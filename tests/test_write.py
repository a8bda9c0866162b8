"""The tree writer (`generator/write.py`): the folder ends up holding exactly the files handed
over, and only files whose bytes changed are touched."""

from __future__ import annotations

import os

import pytest

from generator.write import scan_tree, write_tree
from site_support import tree_bytes


def test_writer_touches_only_what_changed_and_removes_the_rest(tmp_path):
    root = tmp_path / "tree"
    write_tree(root, {"a/one.md": b"one", "a/b/two.md": b"two", "three.md": b"three"})
    stamp = 1_000_000_000
    for path in root.rglob("*.md"):
        os.utime(path, (stamp, stamp))
    report = write_tree(root, iter([("a/one.md", b"one"), ("three.md", b"THREE"), ("four/four.md", b"four")]))
    assert report.written == ("four/four.md", "three.md")
    assert report.added == ("four/four.md",), "of what was written, what was not there before"
    assert report.unchanged == 1
    assert report.removed == ("a/b/two.md",)
    assert (root / "a/one.md").stat().st_mtime == stamp, "an unchanged file keeps its mtime"
    assert not (root / "a/b").exists(), "an emptied folder is removed"
    assert tree_bytes(root) == {"a/one.md": b"one", "three.md": b"THREE", "four/four.md": b"four"}


def test_writer_refuses_a_path_produced_twice(tmp_path):
    with pytest.raises(ValueError, match="produced twice"):
        write_tree(tmp_path / "tree", iter([("page.md", b"first"), ("page.md", b"second")]))


def test_a_failed_write_reaches_the_caller_and_removes_nothing(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "blocked").write_text("a file where a folder must go")
    (root / "kept.md").write_text("not handed over, but the write failed")
    with pytest.raises(OSError):
        write_tree(root, {"blocked/page.md": b"text"})
    assert (root / "kept.md").is_file()


def test_a_link_in_the_tree_is_replaced_not_written_through(tmp_path):
    root, elsewhere = tmp_path / "tree", tmp_path / "elsewhere.md"
    root.mkdir()
    elsewhere.write_bytes(b"someone else's")
    (root / "page.md").symlink_to(elsewhere)
    write_tree(root, {"page.md": b"page"})
    assert not (root / "page.md").is_symlink() and (root / "page.md").read_bytes() == b"page"
    assert elsewhere.read_bytes() == b"someone else's"


def test_a_linked_folder_in_the_tree_is_replaced_not_written_through(tmp_path):
    """SPEC §6, nothing lost: pages under a linked folder go into a real folder of the tree."""
    root, foreign = tmp_path / "tree", tmp_path / "foreign"
    (foreign / "x").mkdir(parents=True)
    (foreign / "x" / "index.md").write_bytes(b"someone else's")
    root.mkdir()
    (root / "theses").symlink_to(foreign, target_is_directory=True)
    write_tree(root, {"theses/x/index.md": b"page"})
    assert not (root / "theses").is_symlink() and (root / "theses" / "x" / "index.md").read_bytes() == b"page"
    assert (foreign / "x" / "index.md").read_bytes() == b"someone else's"


def test_the_stamps_after_a_write_are_the_trees(tmp_path):
    """`incremental.state_after_writing` looks again only at what the writer wrote or removed, and
    gets the stamps a walk of the whole tree gets: new, rewritten, kept, removed files and links."""
    from generator.incremental import docs_state, state_after_writing

    root = tmp_path / "docs"
    write_tree(root, {"kept.md": b"same", "rewritten.md": b"old", "gone/away.md": b"x", "resized.md": b"short"})
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"not ours")
    os.symlink(outside, root / "linked.md")
    os.symlink(outside, root / "dangling-link.md")
    (tmp_path / "foreign").mkdir()
    os.symlink(tmp_path / "foreign", root / "linked-folder", target_is_directory=True)
    before = docs_state(root)
    report = write_tree(root, {"kept.md": b"same", "rewritten.md": b"new", "resized.md": b"much longer now",
                               "new/page.md": b"fresh", "linked.md": b"now a file", "linked-folder/page.md": b"real"})
    assert set(report.removed) == {"gone/away.md", "dangling-link.md", "linked-folder"}
    assert state_after_writing(root, before, report) == docs_state(root)
    assert outside.read_bytes() == b"not ours"


def test_a_write_that_owns_part_of_the_tree_leaves_the_rest_as_it_is(tmp_path):
    """The preview writes the pages, then the files for programs, each write deciding its own part."""
    root = tmp_path / "tree"
    write_tree(root, {"pages/one.md": b"one", "pages/gone.md": b"gone", "api/a.json": b"a", "api/old/b.json": b"b"})

    def owns(path: str) -> bool:
        return path.startswith("api/")

    report = write_tree(root, {"api/a.json": b"A", "api/new.json": b"new"}, owns=owns)
    assert report.written == ("api/a.json", "api/new.json") and report.removed == ("api/old/b.json",)
    assert tree_bytes(root) == {"pages/one.md": b"one", "pages/gone.md": b"gone", "api/a.json": b"A", "api/new.json": b"new"}
    assert not (root / "api/old").exists(), "an emptied folder of its part is removed"
    report = write_tree(root, {"pages/one.md": b"one"}, owns=lambda path: not owns(path))
    assert report.removed == ("pages/gone.md",) and report.unchanged == 1
    assert tree_bytes(root) == {"pages/one.md": b"one", "api/a.json": b"A", "api/new.json": b"new"}
    with pytest.raises(ValueError, match="not a file this write decides"):
        write_tree(root, {"pages/one.md": b"one"}, owns=owns)


def test_a_write_given_a_scan_of_its_own_part_decides_that_part_alone(tmp_path):
    """The preview scans only the part each of its two writes decides (`scan_tree(only=…)`): the
    scan holds nothing of the other part, and a write given it still removes its own stale files
    and emptied folders, and leaves the other part, folders included, as it is."""
    root = tmp_path / "tree"
    write_tree(root, {"pages/one.md": b"one", "pages/old/gone.md": b"gone", "index.md": b"home",
                      "api/a.json": b"a", "api/old/b.json": b"b"})

    def for_programs(name: str) -> bool:
        return name.partition("/")[0] == "api"

    pages = scan_tree(root, only=lambda name: not for_programs(name))
    assert sorted(pages.stamps) == ["index.md", "pages/old/gone.md", "pages/one.md"]
    assert pages.folders == {"pages", "pages/old"}
    report = write_tree(root, {"pages/one.md": b"ONE", "index.md": b"home"},
                        owns=lambda path: not for_programs(path), scanned=pages)
    assert report.written == ("pages/one.md",) and report.removed == ("pages/old/gone.md",)
    assert not (root / "pages/old").exists()
    programs = scan_tree(root, only=for_programs)
    assert sorted(programs.stamps) == ["api/a.json", "api/old/b.json"]
    write_tree(root, {"api/a.json": b"a"}, owns=for_programs, scanned=programs)
    assert tree_bytes(root) == {"pages/one.md": b"ONE", "index.md": b"home", "api/a.json": b"a"}
    assert not (root / "api/old").exists()
