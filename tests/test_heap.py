"""A build holds its checked corpus with few collections (`generator.heap`), and gives the
collector's thresholds back as they were, also when a stage fails."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from generator import heap, pipeline
from generator.build import build_site
from generator.pipeline import check_project
from site_support import make_project


@pytest.fixture
def thresholds_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The thresholds in force each time the check loads its files."""
    seen: list[tuple[int, ...]] = []
    real = pipeline.load_all

    def load_all(files, jobs):
        seen.append(gc.get_threshold())
        return real(files, jobs)

    monkeypatch.setattr(pipeline, "load_all", load_all)
    return seen


def test_the_check_runs_with_few_collections_and_restores_the_thresholds(tmp_path: Path,
                                                                          thresholds_seen: list[tuple[int, ...]]) -> None:
    before = gc.get_threshold()
    assert before != heap.BUILD_THRESHOLDS
    assert check_project(make_project(tmp_path / "project")).publication is not None
    assert thresholds_seen == [heap.BUILD_THRESHOLDS] and gc.get_threshold() == before


def test_a_failing_stage_restores_the_thresholds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = gc.get_threshold()

    def broken(*args, **kwargs):
        raise RuntimeError("a stage failed")

    monkeypatch.setattr(pipeline, "discover_content", broken)
    with pytest.raises(RuntimeError, match="a stage failed"):
        check_project(make_project(tmp_path / "project"))
    assert gc.get_threshold() == before


def test_the_renderer_runs_with_the_thresholds_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            epoch: str) -> None:
    """Only the generator's stages hold the corpus: mkdocs' pages and nav are cyclic, and a clean
    build of 10,000 pages makes them all."""
    from generator import build

    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    real = build.update_or_build

    def rendering(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "update_or_build", rendering)
    assert build_site(make_project(tmp_path / "project"), tmp_path / "site").ok
    assert seen == [before] and gc.get_threshold() == before
