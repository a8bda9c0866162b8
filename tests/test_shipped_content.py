"""The default content that ships with the repository: clean under `check --strict`, and the
facts derived from it match what seed 000 publishes (SPEC §3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cli
from generator.models import Thesis
from generator.pipeline import CheckResult, check_project
from generator.publication import Publication
from generator.settings import ProjectPaths

REPOSITORY = Path(__file__).parent.parent
LECTURE_15_PROOF = (
    "Strong source proof | 4 extracted claims | 6 directional assets | 1 supporting author | headline-like title review"
)
LECTURE_15_POSITIONS = [  # seed 000, "Linked assets", in its order and with its roles
    ("NVDA", "data-center AI accelerators"),
    ("AMD", "alternative accelerators"),
    ("TSM", "foundry capacity for leading nodes"),
    ("AVGO", "networking/interconnect"),
    ("MU", "DRAM/HBM memory bandwidth"),
    ("ASML", "leading-edge lithography"),
]
PROOF_LINE = re.compile(
    r"^(Strong|Moderate|Weak|Unsupported) source proof \| \d+ extracted claims? \| \d+ directional assets? \| "
    r"\d+ supporting authors? \| (headline-like|statement) title review$"
)


@pytest.fixture(scope="module")
def result() -> CheckResult:
    return check_project(ProjectPaths(REPOSITORY), jobs=1)


@pytest.fixture(scope="module")
def publication(result: CheckResult) -> Publication:
    assert result.publication is not None
    return result.publication


def only_thesis(publication: Publication, matches) -> Thesis:
    found = [thesis for thesis in publication.graph.theses.values() if matches(thesis)]
    assert len(found) == 1, [thesis.id for thesis in found]
    return found[0]


def lecture_15(publication: Publication) -> Thesis:
    return only_thesis(publication, lambda thesis: "Lecture 15" in thesis.title)


def healthcare(publication: Publication) -> Thesis:
    return only_thesis(publication, lambda thesis: "healthcare" in f"{thesis.title} {thesis.summary}".lower())


# --------------------------------------------------------------------------- clean


def test_check_strict_on_the_repository_exits_0_with_no_diagnostics() -> None:
    outcome = CliRunner().invoke(cli.main, ["check", "--root", str(REPOSITORY), "--strict"])
    assert outcome.stdout == ""
    assert outcome.exit_code == 0
    assert re.fullmatch(r"\d+ files checked: 0 errors, 0 warnings\n", outcome.stderr)


def test_the_pipeline_reports_nothing_and_loads_every_file(result: CheckResult, publication: Publication) -> None:
    assert result.diagnostics == []
    graph = publication.graph
    loaded = len(graph.sources) + len(graph.theses) + len(graph.assets) + len(graph.people)
    assert loaded == result.files


def test_every_seed_is_content(publication: Publication) -> None:
    """Issue 2: the four seeds' sources (three lectures plus eight summarised in seed 000) and five theses."""
    assert len(publication.graph.sources) >= 11
    assert len(publication.graph.theses) >= 5


def test_every_thesis_derives_a_well_formed_proof_line(publication: Publication) -> None:
    for thesis_id, proof in publication.proofs.items():
        assert PROOF_LINE.match(proof.line), (thesis_id, proof.line)


# --------------------------------------------------------------------------- the CS336 Lecture 15 thesis (seed 000)


def test_lecture_15_proof_line_is_derived_as_seed_000_prints_it(publication: Publication) -> None:
    thesis = lecture_15(publication)
    assert publication.proofs[thesis.id].line == LECTURE_15_PROOF


def test_lecture_15_has_the_six_long_positions_of_seed_000(publication: Publication) -> None:
    thesis = lecture_15(publication)
    assert [(position.asset, position.role) for position in thesis.assets] == LECTURE_15_POSITIONS
    assert {position.direction for position in thesis.assets} == {"long"}
    for position in thesis.assets:
        assert position.because, position.asset
        assert position.asset in publication.graph.assets


def test_lecture_15_positions_count_in_the_stance_board(publication: Publication) -> None:
    for asset_id, _ in LECTURE_15_POSITIONS:
        stance = publication.stances[asset_id]
        assert stance.long >= 1, asset_id


# --------------------------------------------------------------------------- the healthcare thesis


def test_healthcare_thesis_is_weak_because_its_source_is_title_only(publication: Publication) -> None:
    thesis = healthcare(publication)
    proof = publication.proofs[thesis.id]
    assert proof.strength == "weak"
    assert proof.line.startswith("Weak source proof | ")
    graph = publication.graph
    cited = {citation.source_id for claim in thesis.claims for citation in graph.citations_by_claim.get((thesis.id, claim.id), ())}
    assert cited, "the healthcare thesis must cite its source"
    assert {graph.sources[source_id].coverage for source_id in cited} == {"title-only"}
