"""Each decision written once: output paths in `pages.urls`, rules as named predicates in the
models, and the Contributing and Method pages printing the constants the code applies."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from markupsafe import Markup

from generator import models, pictures, proof
from generator.markup import listed
from generator.pages import urls
from generator.pages.contributing import ContentRules, make_contributing_page
from generator.pages.indexes import make_method_page
from generator.render import make_environment
from generator.stance import Stance

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"
URLS = PACKAGE / "pages" / "urls.py"
MODELS = PACKAGE / "models.py"


def _trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_output_paths_are_decided_in_the_url_module_only():
    """No module but `pages.urls` writes a feed, export or card path, nor names a top-level output folder."""
    found = []
    for path, tree in _trees():
        if path == URLS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 80 and \
                    any(part in node.value for part in ("feeds/", "api/", "cards/", ".rss.xml", ".atom.xml", "graph.json")):
                found.append((path.name, node.lineno, node.value))
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found.extend((path.name, node.lineno, t.id) for t in targets
                             if isinstance(t, ast.Name) and t.id.endswith("_FOLDER"))
    assert found == []


@pytest.mark.parametrize("rule", [{"long", "short"}, {"active", "monitoring"}])
def test_rules_are_typed_once_in_the_models(rule):
    """`is_directional` and `counts_toward_stance` name these sets; no other module types them again."""
    found = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts and \
                    all(isinstance(e, ast.Constant) for e in node.elts) and {e.value for e in node.elts} == rule:
                found.append((path.name, node.lineno))
    assert [name for name, _ in found] == ["models.py"]


def test_the_predicates_follow_the_constants():
    assert [d for d in models.DIRECTIONS if models.is_directional(d)] == list(models.DIRECTIONAL) == ["long", "short"]
    assert [s for s in models.STATUS_ORDER if models.status_counts_toward_stance(s)] == ["active", "monitoring"]
    assert set(models.STATUS_ORDER) == set(models.ThesisStatus.__args__)
    assert proof.GRADE_RANK == {"none": 0, "weak": 1, "fragmentary": 2, "verified": 3}
    assert proof.STRENGTH_RANK == {"unsupported": 0, "weak": 1, "moderate": 2, "strong": 3}
    assert f"at least {proof.STRONG_MIN_CLAIMS} claims" in proof.RULE and "(long/short)" in proof.RULE


def test_the_locator_pattern_is_built_from_the_listed_forms():
    import re

    for form in models.LOCATOR_FORMS:
        example = form.replace("<point-id>", "a-point").replace("<H:MM:SS>", "1:02:03").replace("<id>", "t1")
        assert re.fullmatch(models.LOCATOR_PATTERN, example), form
    assert not re.fullmatch(models.LOCATOR_PATTERN, "summary")


def test_listed_writes_an_english_list():
    assert listed(["a", "b", "c"]) == Markup("a, b and c")
    assert listed(["x"], "or", code=True) == Markup("`x`")
    assert listed(["http", "https"], None, code=True) == Markup("`http`, `https`")


def _render(template: str, page: object) -> str:
    return make_environment(TEMPLATES).get_template(template).render(page=page)


def test_the_contributing_page_prints_the_rules_of_the_code_not_its_own():
    """Rules changed in the code change the page: nothing in the template repeats them."""
    page = make_contributing_page()
    shipped = _render("contributing.md.j2", page)
    for value in (models.ID_PATTERN, *models.LOCATOR_FORMS, "`long` and `short` positions", "`mailto`"):
        assert value in shipped, value
    changed = ContentRules(id_pattern="^[a-z]+$", locator_forms=("para/<n>", "whole"), directional=("up", "down"),
                           content_folders=("notes/",), content_suffixes=(".toml",), skipped_names=("KEEP",),
                           url_schemes=("gopher",))
    text = _render("contributing.md.j2", dataclasses.replace(page, rules=changed))
    for old in (models.ID_PATTERN, "`insight/", "`long`", "`sources/`", "`.yaml`", "`.gitkeep`", "`mailto`"):
        assert old not in text, old
    for new in ("`^[a-z]+$`", "`para/<n>` or `whole`", "`up` and `down` positions", "outside `notes/`",
                "not `.toml` are", "Only `KEEP` are", "only `gopher` and relative links"):
        assert new in text, new


def test_the_method_page_prints_the_rules_of_the_code_not_its_own():
    page = make_method_page()
    shipped = _render("method.md.j2", page)
    assert "positions that are long or short;" in shipped
    assert "counts the long, short, neutral and watch positions of active and monitoring theses" in shipped
    assert "\n".join("    " + line if line else "" for line in proof.RULE.splitlines()) in shipped
    text = _render("method.md.j2", dataclasses.replace(page, directional=("up",), directions=("up", "flat"),
                                                        counted_statuses="live"))
    assert "positions that are up;" in text and "counts the up and flat positions of live theses" in text


def test_pictures_draw_from_graph_values():
    trace = pictures.Traceability(
        nodes=(pictures.PositionNode("p", "NVDA", "Nvidia", "long", "chips", "../../assets/NVDA/"),
               pictures.ClaimNode("c", "Demand grows", "verified", "evidence/#c"),
               pictures.EvidenceNode("e", "demand grows", True, "TL;DR", "../../sources/s/#tldr"),
               pictures.SourceNode("s", "A talk", "../../sources/s/")),
        edges=(("p", "c"), ("c", "e"), ("e", "s")))
    svg = str(pictures.traceability_graph(trace))
    assert svg.count('class="ts-edge ts-edge--long"') == 1 and svg.count('class="ts-edge"') == 2
    for url in ("../../assets/NVDA/", "evidence/#c", "../../sources/s/#tldr", "../../sources/s/"):
        assert f'href="{url}"' in svg
    chart = str(pictures.stance_chart((pictures.ChartedAsset("NVDA", "Nvidia", "NVDA/", Stance("NVDA", 2, 1, 0, 0)),)))
    assert 'href="NVDA/"' in chart and "2 long, 1 short" in chart


def test_presentation_tables_cover_exactly_the_named_values():
    from generator import cards

    assert set(cards.DIRECTION_COLOURS) == set(models.DIRECTIONS)
    assert set(cards.STRENGTH_COLOURS) == set(proof.STRENGTHS)
    assert set(urls.SECTION_ANCHORS) == set(models.WHOLE_PART_LOCATORS)
