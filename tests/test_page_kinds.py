"""The page plan (`generator.pages.kinds`): every kind of page names its view type, its template
and its paths in one registry entry; the render stage takes the template from the kind and
refuses a view model of another type; every maker gets the build's one `PageContext`."""

from __future__ import annotations

import dataclasses
import posixpath
from pathlib import Path

import pytest

from generator.build import generate_docs, page_context, plan_docs
from generator.history import PublicationHistory
from generator.pages import KINDS, PageContext, kinds, urls
from generator.pages.entities import make_nav
from generator.pages.urls import Here, site_address
from generator.pages.views import MethodPage, ThesisPage
from generator.pipeline import check_project
from generator.pages.edition import EditionNote
from generator.render import make_environment, render_page
from generator.siteconfig import SiteSettings
from site_support import REPO, make_project

PAGE_TEMPLATES = REPO / "site_templates" / "pages"
SITE_URL = "https://example.org/research/"


def _rename(root: Path, folder: str, old: str, new: str) -> None:
    """Rename an entity everywhere in the content and record its old id (`renamed_from`)."""
    for path in (root / "content").rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new), encoding="utf-8")
    (path,) = (root / "content" / folder).glob(f"{old}.*")
    text = path.read_text(encoding="utf-8").replace(f"id: {new}\n", f"id: {new}\nrenamed_from: [{old}]\n")
    path.unlink()
    (path.parent / f"{new}{path.suffix}").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The sample project with a renamed thesis, so every kind, redirects included, has pages."""
    paths = make_project(tmp_path_factory.mktemp("kinds") / "project")
    _rename(paths.root, "theses", "memory-bound-inference", "memory-bound-serving")
    checked = check_project(paths, jobs=1)
    assert not checked.errors, [d.format_text() for d in checked.errors]
    assert checked.publication is not None
    return paths, checked.publication


def _settings(disclaimer: str = "Mind the gap.") -> SiteSettings:
    return SiteSettings(SITE_URL, disclaimer)


# --------------------------------------------------------------------------- the registry


def test_every_kind_has_a_template_and_every_page_template_a_kind() -> None:
    shipped = {p.name for p in PAGE_TEMPLATES.iterdir() if p.is_file() and not p.name.startswith("_")}
    assert [kind.template for kind in KINDS if not (PAGE_TEMPLATES / kind.template).is_file()] == []
    assert shipped == {kind.template for kind in KINDS}


def test_kinds_are_named_once_and_each_presents_its_own_view_type() -> None:
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert len({kind.template for kind in KINDS}) == len(KINDS)
    assert len({kind.view for kind in KINDS}) == len(KINDS)
    assert all(dataclasses.is_dataclass(kind.view) and kind.view.__dataclass_params__.frozen for kind in KINDS)


# --------------------------------------------------------------------------- the render stage


def test_rendering_a_view_of_another_type_fails_clearly(project) -> None:
    paths, publication = project
    plan = plan_docs(paths, publication, _settings())
    method = next(page for page in plan.pages if page.kind is kinds.METHOD).make()
    assert isinstance(method, MethodPage)
    environment = make_environment(paths.templates)
    with pytest.raises(TypeError, match=r"^the thesis page \(thesis\.md\.j2\) presents a ThesisPage, not a MethodPage$"):
        render_page(environment, kinds.THESIS, method)
    assert render_page(environment, kinds.METHOD, method).startswith("---")


def test_a_kind_whose_maker_makes_another_view_stops_the_build(project) -> None:
    """A registry entry wired to the wrong maker fails at its first page, naming the kind."""
    paths, publication = project
    plan = plan_docs(paths, publication, _settings())
    miswired = dataclasses.replace(kinds.THESIS, make=kinds.EVIDENCE.make)
    pages = tuple(miswired.plan(publication, page_context(publication, _settings(), PublicationHistory({}, {}))))
    assert [p.path for p in pages] == [p.path for p in plan.pages if p.kind is kinds.THESIS]
    with pytest.raises(TypeError, match="presents a ThesisPage, not a EvidencePage"):
        render_page(plan.environment, miswired, pages[0].make())


# --------------------------------------------------------------------------- the plan


def test_the_plan_has_every_kind_at_distinct_paths_made_where_each_page_says_it_is(project) -> None:
    """Each page's path comes from its kind; each maker works out its own place (`Here`) for its
    links. The two must agree, or every relative link on the page points elsewhere."""
    paths, publication = project
    plan = plan_docs(paths, publication, _settings())
    assert {page.kind for page in plan.pages} == set(KINDS)
    assert len({page.path for page in plan.pages}) == len(plan.pages)
    planned = {page.path for page in plan.pages}
    for page in plan.pages:
        view = page.make()
        assert isinstance(view, page.kind.view), page.path
        if page.kind is kinds.REDIRECT:  # its link, read from where the file is, reaches a planned page
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), view.target.href))
            assert target in planned and target.startswith("theses/memory-bound-serving/"), (page.path, target)
            continue
        assert view.nav == make_nav(Here(page.path)), page.path  # its links to itself among them


def test_the_plan_decides_paths_without_making_any_page(project, monkeypatch) -> None:
    paths, publication = project

    def refuse(*args, **kwargs):
        raise AssertionError("a view model was made while planning")

    monkeypatch.setattr(kinds, "KINDS", tuple(dataclasses.replace(kind, make=refuse) for kind in KINDS))
    plan = plan_docs(paths, publication, _settings())
    assert len(plan.pages) > 20


# --------------------------------------------------------------------------- the page context


def test_every_maker_gets_the_builds_settings_address_and_edition(project) -> None:
    paths, publication = project
    edition = EditionNote("2.0", None, site_address(SITE_URL, "2.0", "latest"))
    plan = plan_docs(paths, publication, _settings("Read the fine print."), PublicationHistory({}, {}), edition)
    views = {page.path: page.make() for page in plan.pages}
    disclaimers = {path: view.disclaimer for path, view in views.items() if hasattr(view, "disclaimer")}
    assert {urls.HOME, urls.ASSETS, urls.thesis_page("memory-bound-serving"), urls.asset_page("MU")} <= set(disclaimers)
    assert set(disclaimers.values()) == {"Read the fine print."}
    thesis = views[urls.thesis_page("memory-bound-serving")]
    assert isinstance(thesis, ThesisPage)
    assert thesis.feed.rss.startswith(f"{SITE_URL}latest/feeds/"), thesis.feed  # an edition's subscribe links
    assert f"{SITE_URL}2.0/theses/memory-bound-serving/" in thesis.jsonld
    assert thesis.first_published == publication.graph.theses["memory-bound-serving"].opened.isoformat()
    assert views[urls.CHANGES].version == "2.0"


def test_a_plain_build_answers_at_site_url(project) -> None:
    paths, publication = project
    plan = plan_docs(paths, publication, _settings())
    thesis = next(page for page in plan.pages if page.kind is kinds.THESIS).make()
    assert f"{SITE_URL}theses/" in thesis.jsonld
    assert not thesis.feed.rss.startswith("http")  # relative in a plain build
    assert next(page for page in plan.pages if page.kind is kinds.CHANGES).make().version is None


# --------------------------------------------------------------------------- a new kind


def test_a_new_kind_is_one_registry_entry_a_maker_and_a_template(project, monkeypatch) -> None:
    """Nothing in the build or the render stage names a kind: a new entry in `KINDS` is planned,
    made with the build's context and rendered with its own template."""
    paths, publication = project
    (paths.templates / "pages" / "colophon.md.j2").write_text(
        "# Colophon\n\n{{ page.counted_statuses }} · {{ page.nav.home | link }}\n", encoding="utf-8")

    def make_colophon(publication, context: PageContext) -> MethodPage:
        here = Here("colophon/index.md")
        return MethodPage(make_nav(here), "", context.disclaimer, (), ())

    colophon = kinds.single_page("colophon", MethodPage, "colophon.md.j2", "colophon/index.md", make_colophon)
    monkeypatch.setattr(kinds, "KINDS", (*KINDS, colophon))
    docs = generate_docs(paths, publication, _settings("Set in Jinja."))
    assert docs["colophon/index.md"].decode("utf-8") == "# Colophon\n\nSet in Jinja. · [Home](../index.md)\n"


def test_each_tags_documents_are_in_its_listings_order_and_counted_by_the_tags_index(project) -> None:
    """`tagged_in_order` ranks each kind once for every tag: the same order as ordering each tag's
    theses and sources apart; the tags index's rows count the same documents, in no order."""
    from generator.pages.entities import order_sources, order_theses, tag_documents, tagged_in_order

    _, publication = project
    graph = publication.graph
    orders = tagged_in_order(publication)
    assert list(orders) == list(graph.tags) and any(len(order) > 1 for order in orders.values())
    for tag, order in orders.items():
        assert order == (*(("thesis", t) for t in order_theses(publication, graph.theses_by_tag.get(tag, ()))),
                         *(("source", s) for s in order_sources(publication, graph.sources_by_tag.get(tag, ()))))
        assert sorted(tag_documents(publication, tag)) == sorted(order)
