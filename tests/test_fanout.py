"""The generator's fan-out and the tree writer: forked workers write the same tree as one
process, failures in a worker reach the caller, and the writer touches only what changed."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from generator.build import write_docs_tree
from generator.fanout import HeldUnits, Unit, available_jobs, run_units
from generator.write import TeeWriter, TreeWriter, write_tree
from site_support import make_project, raising, tree_bytes, trouble_in_forked_processes

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fan-out forks")


def _slow_units(count: int, fail_outside: int | None = None) -> list[Unit]:
    """Units that each take a moment, so every process gets some; each names the process that ran it.
    With `fail_outside`, a unit run by any other process than that one raises."""

    def produce(index: int):
        time.sleep(0.03)
        if fail_outside is not None and os.getpid() != fail_outside:
            raise ValueError(f"unit {index} cannot be rendered")
        yield f"unit-{index:02d}.txt", f"{os.getpid()}\n".encode()

    return [Unit(1, lambda index=index: produce(index)) for index in range(count)]


@needs_fork
def test_units_are_shared_between_processes_and_all_written(tmp_path):
    writer = TreeWriter(tmp_path / "out")
    progress: list[int] = []
    run_units(_slow_units(20), writer, jobs=2, on_progress=progress.append)
    report = writer.finish()
    files = tree_bytes(tmp_path / "out")
    assert sorted(files) == [f"unit-{index:02d}.txt" for index in range(20)]
    assert len(report.written) == 20
    assert len(set(files.values())) == 2, "both the parent and the worker should have taken units"
    assert progress and progress == sorted(progress) and progress[-1] <= 20


@needs_fork
def test_a_failing_worker_fails_the_run_with_its_traceback(tmp_path):
    writer = TreeWriter(tmp_path / "out")
    with pytest.raises(RuntimeError, match="unit .* cannot be rendered"):
        run_units(_slow_units(20, fail_outside=os.getpid()), writer, jobs=2)


@needs_fork
def test_forked_and_single_process_builds_write_the_same_tree(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.build.PAGES_PER_UNIT", 1)  # the sample's pages, shared page by page
    paths = make_project(tmp_path / "project")
    _, forked = write_docs_tree(paths, jobs=2)
    assert forked is not None
    forked_tree = tree_bytes(paths.docs_tree)
    (paths.docs_tree).rename(tmp_path / "forked")
    _, single = write_docs_tree(paths, jobs=1)
    assert single is not None
    assert tree_bytes(paths.docs_tree) == forked_tree
    assert forked.written == single.written and len(forked.written) == len(forked_tree)


def test_fan_out_stays_in_process_when_threads_are_running(monkeypatch):
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert available_jobs() == 1


def test_writer_touches_only_what_changed_and_removes_the_rest(tmp_path):
    root = tmp_path / "tree"
    write_tree(root, {"a/one.md": b"one", "a/b/two.md": b"two", "three.md": b"three"})
    stamp = 1_000_000_000
    for path in root.rglob("*.md"):
        os.utime(path, (stamp, stamp))
    report = write_tree(root, {"a/one.md": b"one", "three.md": b"THREE", "four/four.md": b"four"})
    assert report.written == ("four/four.md", "three.md")
    assert report.unchanged == 1
    assert report.removed == ("a/b/two.md",)
    assert (root / "a/one.md").stat().st_mtime == stamp, "an unchanged file keeps its mtime"
    assert not (root / "a/b").exists(), "an emptied folder is removed"
    assert tree_bytes(root) == {"a/one.md": b"one", "three.md": b"THREE", "four/four.md": b"four"}


def test_writer_refuses_a_path_produced_twice(tmp_path):
    writer = TreeWriter(tmp_path / "tree")
    writer.put("page.md", b"first")
    with pytest.raises(ValueError, match="produced twice"):
        writer.put("page.md", b"second")
    writer.finish()


def test_writer_reports_a_failed_write_to_the_producer(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "blocked").write_text("a file where a folder must go")
    writer = TreeWriter(root)
    writer.put("blocked/page.md", b"text")
    with pytest.raises(OSError):
        writer.finish()


def test_writer_made_before_a_fork_can_absorb_a_worker_outcome(tmp_path):
    root = tmp_path / "tree"
    writer = TreeWriter(root)
    writer.absorb((["elsewhere.md"], 0, ["elsewhere.md"]))
    (root / "elsewhere.md").write_bytes(b"written by a worker")
    writer.put("here.md", b"here")
    report = writer.finish()
    assert report.written == ("elsewhere.md", "here.md")
    assert report.removed == ()
    assert Path(root / "elsewhere.md").read_bytes() == b"written by a worker"


@needs_fork
def test_a_writer_that_has_written_is_not_shared_with_workers(tmp_path):
    writer = TreeWriter(tmp_path / "out")
    writer.put("before.md", b"written before the fork")
    with pytest.raises(ValueError, match="must not have written"):
        run_units(_slow_units(4), writer, jobs=2)
    writer.finish()


@needs_fork
@pytest.mark.parametrize("broken, message, pages_per_unit", [
    ("render_page", "this page cannot be rendered", 1),  # a page worker
    ("feed_tree", "feeds cannot be made", None),  # the export and feeds process, beside mkdocs
])
def test_a_failing_forked_process_leaves_the_previous_site_as_it_was(tmp_path, monkeypatch, broken, message,
                                                                      pages_per_unit):
    import generator.build as build
    from generator.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    paths = make_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build_site(paths, out, strict=True).ok
    before = tree_bytes(out)
    trouble_in_forked_processes(monkeypatch, build, broken, raising(message))
    if pages_per_unit:
        monkeypatch.setattr(build, "PAGES_PER_UNIT", pages_per_unit)
    with pytest.raises(RuntimeError, match=message):
        build_site(paths, out, strict=True)
    assert tree_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]
    assert multiprocessing.active_children() == [], "no worker and no export and feeds process is left"


# ----------------------------------------------------------------------- held units


def _held(tmp_path: Path, units: list[Unit], fork: bool) -> tuple[HeldUnits, Path]:
    root = tmp_path / "held"
    return HeldUnits(units, lambda: TreeWriter(root), fork=fork), root


def _process_units(count: int) -> list[Unit]:
    """Units whose files name the process that made them."""
    return [Unit(0, lambda index=index: [(f"file-{index}.txt", f"{os.getpid()}".encode())]) for index in range(count)]


@pytest.mark.parametrize("fork", [pytest.param(True, marks=needs_fork), False])
def test_held_units_run_only_when_released_and_report_their_writer(tmp_path, fork):
    job, root = _held(tmp_path, _process_units(3), fork)
    time.sleep(0.2)  # a forked process that ran early would have written by now
    assert not root.exists() or not list(root.iterdir()), "nothing runs before release"
    job.release()
    report = job.collect()
    job.cancel()  # harmless once collected
    assert report.written == ("file-0.txt", "file-1.txt", "file-2.txt")
    makers = set(tree_bytes(root).values())
    assert len(makers) == 1
    assert (makers.pop() != str(os.getpid()).encode()) is fork, "forked: made in the held process; else here"


@needs_fork
def test_held_units_cancelled_before_release_leave_quietly_and_write_nothing(tmp_path):
    import multiprocessing

    job, root = _held(tmp_path, _process_units(3), fork=True)
    process = job._process
    job.cancel()
    assert process.exitcode == 0, "a waiting process reads end of file and leaves; it is not killed"
    assert not root.exists()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("fork", [pytest.param(True, marks=needs_fork), False])
def test_a_failing_held_unit_reaches_the_caller_with_its_traceback(tmp_path, fork):
    def produce():
        yield "fine.txt", b"fine"
        raise ValueError("the export cannot be made")

    job, _ = _held(tmp_path, [Unit(0, produce)], fork)
    with pytest.raises((RuntimeError, ValueError), match="the export cannot be made"):
        job.release()
        job.collect()
    job.cancel()


# ----------------------------------------------------------------------- writers sharing a root


def test_two_writers_share_a_root_by_top_level_folder(tmp_path):
    root = tmp_path / "tree"
    write_tree(root, {"page.md": b"page", "api/old.json": b"{}", "feeds/all.xml": b"<x/>", "gone.md": b"x"})
    pages = TreeWriter(root, leave=("api", "feeds"))
    pages.put("page.md", b"page")
    with pytest.raises(ValueError, match="outside this writer's share"):
        pages.put("api/new.json", b"{}")
    report = pages.finish()
    assert report.removed == ("gone.md",), "the pages' writer removes its own stale files only"
    api = TreeWriter(root, only=("api", "feeds"))
    api.put("api/new.json", b"[]")
    with pytest.raises(ValueError, match="outside this writer's share"):
        api.put("other.md", b"x")
    assert api.finish().removed == ("api/old.json", "feeds/all.xml")
    assert tree_bytes(root) == {"page.md": b"page", "api/new.json": b"[]"}


def test_a_tee_writer_puts_every_file_in_each_place(tmp_path):
    tee = TeeWriter(TreeWriter(tmp_path / "one"), TreeWriter(tmp_path / "two"))
    tee.put("a/b.txt", b"b")
    reports = tee.finish()
    assert [r.written for r in reports] == [("a/b.txt",), ("a/b.txt",)]
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two") == {"a/b.txt": b"b"}
