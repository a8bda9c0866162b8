"""Renamed entities (`renamed_from`, SPEC §2 "Renames"): check refuses old ids that collide, and
the built site keeps every old URL (and a thesis's old evidence page) as a redirect to the new
one, with a relative target, in a served build and in an offline build alike."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.build import build_site
from generator.pages import urls
from generator.pipeline import check_project
from generator.settings import ProjectPaths
from site_support import make_project, search_records

OLD, NEW = "memory-bound-inference", "memory-bound-serving"


def _rename(paths: ProjectPaths, folder: str, old: str, new: str, renamed_from: str) -> None:
    """Rename content/<folder>/<old>.* to <new> and give it `renamed_from: <renamed_from>`."""
    (path,) = (paths.content / folder).glob(f"{old}.*")
    text = path.read_text(encoding="utf-8")
    assert text.count(f"id: {old}\n") == 1
    path.unlink()
    (path.parent / f"{new}{path.suffix}").write_text(
        text.replace(f"id: {old}\n", f"id: {new}\nrenamed_from: {renamed_from}\n"), encoding="utf-8")


def _diagnostics(paths: ProjectPaths) -> list[tuple[str, str, str, str]]:
    return [(d.file, d.code, d.path, d.hint) for d in check_project(paths, jobs=1).diagnostics]


# --------------------------------------------------------------------------- check


def test_old_id_colliding_with_a_live_id_of_its_kind_is_refused(tmp_path):
    paths = make_project(tmp_path / "project")
    _rename(paths, "theses", OLD, NEW, "[leading-edge-scarcity]")
    found = _diagnostics(paths)
    assert [(f, c, p) for f, c, p, _ in found] == [(f"content/theses/{NEW}.md", "rename.collision", "renamed_from[0]")]


def test_old_id_listed_by_two_entities_is_refused(tmp_path):
    paths = make_project(tmp_path / "project")
    _rename(paths, "theses", OLD, NEW, "[old-memory]")
    _rename(paths, "theses", "leading-edge-scarcity", "foundry-scarcity", "[old-memory]")
    codes = [(f, c) for f, c, _, _ in _diagnostics(paths)]
    assert codes == [("content/theses/foundry-scarcity.yaml", "rename.duplicate"),
                     (f"content/theses/{NEW}.md", "rename.duplicate")]


def test_old_id_may_equal_an_id_of_another_kind(tmp_path):
    """URLs are per kind folder: a thesis once called like a source takes no URL from it."""
    paths = make_project(tmp_path / "project")
    _rename(paths, "theses", OLD, NEW, "[memory-wall-talk, ada-lane]")
    assert _diagnostics(paths) == []


@pytest.mark.parametrize("folder, old, new, bad", [
    ("theses", OLD, NEW, "[Old_Memory]"),
    ("assets", "MU", "MICRON", "[mu]"),
])
def test_old_ids_follow_the_id_rules(tmp_path, folder, old, new, bad):
    paths = make_project(tmp_path / "project")
    _rename(paths, folder, old, new, bad)
    found = _diagnostics(paths)
    assert [(c, p) for f, c, p, _ in found if f.startswith(f"content/{folder}/{new}.")] == [("field.format", "renamed_from[0]")]


def test_a_reference_by_an_old_id_is_an_error_naming_the_new_id(tmp_path):
    paths = make_project(tmp_path / "project")
    _rename(paths, "sources", "memory-wall-talk", "memory-wall-seminar", "[memory-wall-talk]")
    found = _diagnostics(paths)
    assert found and {(c, h) for _, c, _, h in found} == {
        ("ref.unknown-source", "'memory-wall-talk' was renamed to 'memory-wall-seminar'")}


# --------------------------------------------------------------------------- the built site


def _renamed_project(root: Path) -> ProjectPaths:
    """The sample with a thesis, a source, an asset and a person renamed (references updated)."""
    paths = make_project(root)
    _rename(paths, "theses", OLD, NEW, f"[{OLD}, memory-thesis]")
    _rename(paths, "sources", "memory-wall-talk", "memory-wall-seminar", "[memory-wall-talk]")
    _rename(paths, "assets", "MU", "MICRON", "[MU]")
    _rename(paths, "people", "ada-lane", "ada-lane-phd", "[ada-lane]")
    for thesis in (paths.content / "theses").iterdir():
        text = thesis.read_text(encoding="utf-8")
        text = text.replace("source: memory-wall-talk\n", "source: memory-wall-seminar\n").replace("asset: MU\n", "asset: MICRON\n")
        thesis.write_text(text.replace("by: ada-lane\n", "by: ada-lane-phd\n"), encoding="utf-8")
    source = paths.content / "sources" / "memory-wall-seminar.md"
    source.write_text(source.read_text(encoding="utf-8").replace("  - ada-lane\n", "  - ada-lane-phd\n"), encoding="utf-8")
    assert _diagnostics(paths) == []
    return paths


REDIRECTS = {
    f"theses/{OLD}/index.html": f"theses/{NEW}/index.html",
    f"theses/{OLD}/evidence/index.html": f"theses/{NEW}/evidence/index.html",
    "theses/memory-thesis/index.html": f"theses/{NEW}/index.html",
    "theses/memory-thesis/evidence/index.html": f"theses/{NEW}/evidence/index.html",
    "sources/memory-wall-talk/index.html": "sources/memory-wall-seminar/index.html",
    "assets/MU/index.html": "assets/MICRON/index.html",
    "people/ada-lane/index.html": "people/ada-lane-phd/index.html",
}


def _target(site: Path, page: str, url: str) -> Path:
    """The file a relative URL on `page` opens (a directory URL opens its index.html)."""
    path = unquote(urlsplit(url).path)
    assert path and not path.startswith("/") and not urlsplit(url).scheme, f"{page}: {url} is not relative"
    resolved = (site / page).parent / path
    return (resolved / "index.html" if url.endswith("/") else resolved).resolve()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One project with renames, built for a server and for file:// (two mkdocs runs)."""
    root = tmp_path_factory.mktemp("renames")
    paths = _renamed_project(root / "project")
    sites = {}
    for offline in (False, True):
        out = root / ("offline" if offline else "site")
        result = build_site(paths, out, strict=True, offline=offline)
        assert result.ok, result.messages + [d.format_text() for d in result.diagnostics]
        assert result.messages == []
        sites[offline] = out
    return sites


@pytest.mark.parametrize("offline", [False, True], ids=["served", "offline"])
@pytest.mark.parametrize("old", sorted(REDIRECTS))
def test_old_url_redirects_to_the_new_page(built, offline, old):
    site = built[offline]
    html = (site / old).read_text(encoding="utf-8")
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    assert refresh and canonical, html
    assert '<meta name="robots" content="noindex">' in html
    url = refresh.group(1)
    assert canonical.group(1) == url and f'location.replace("{url}" + location.hash)' in html
    assert url.endswith(".html") if offline else url.endswith("/"), url
    target = _target(site, old, url)
    assert target == (site / REDIRECTS[old]).resolve() and target.is_file()
    assert 'class="md-content"' in target.read_text(encoding="utf-8"), f"{target} is not a page of the site"


def test_redirects_stay_out_of_search_and_sitemap(built):
    site = built[False]
    indexed = {str(record["url"]) for record in search_records(site)}
    assert any(url.startswith("/theses/") for url in indexed)
    offline_index = (built[True] / "search" / "search_index.json").read_text(encoding="utf-8").replace(" ", "")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for old in REDIRECTS:
        folder = old.removesuffix("index.html")
        assert f"/{folder}" not in indexed and f"/{folder}</loc>" not in sitemap
        assert f'"location":"{folder}' not in offline_index and f'"location":"{old}' not in offline_index  # material's, offline only


def test_offline_site_links_name_files_that_exist(built):
    """Every relative href and src in every page of the offline build opens a file of the site:
    no directory URL, which the file system would show as a folder listing or not at all."""
    site = built[True]
    checked = 0
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        if relative == "404.html":
            continue  # a server's page for missing URLs (links from the site root); file:// never shows it
        for url in re.findall(r'(?:href|src)="([^"#][^"]*|#[^"]*)"', page.read_text(encoding="utf-8")):
            if url.startswith("#") or urlsplit(url).scheme:
                continue
            assert not urlsplit(url).path.endswith("/"), f"{relative}: directory URL {url}"
            assert _target(site, relative, url).is_file(), f"{relative}: {url} opens nothing"
            checked += 1
    assert checked > 500, checked


def test_offline_build_leaves_the_served_build_as_it_was(tmp_path, epoch):
    """`--offline` changes the docs tree for its own build only: the next plain build links directory URLs again."""
    paths = make_project(tmp_path / "project")
    assert build_site(paths, tmp_path / "offline", strict=True, offline=True).ok
    assert (paths.docs_tree / "javascripts" / "iframe-worker.js").is_file()
    assert build_site(paths, tmp_path / "site", strict=True).ok
    shim = urls.WORKER_SHIM
    assert not (paths.docs_tree / shim).exists() and not (tmp_path / "site" / shim).exists()
    assert (tmp_path / "site" / urls.SCRIPT).is_file()  # the index script ships with every build
    asset = (tmp_path / "site" / "assets" / "MU" / "index.html").read_text(encoding="utf-8")
    assert "../../theses/memory-bound-inference/evidence/#kv-cache-dominates-memory" in asset
    offline = (tmp_path / "offline" / "assets" / "MU" / "index.html").read_text(encoding="utf-8")
    assert "../../theses/memory-bound-inference/evidence/index.html#kv-cache-dominates-memory" in offline
    assert 'rel="alternate"' in asset and 'rel="alternate"' not in offline
    assert "unpkg.com" not in offline and "javascripts/iframe-worker.js" in offline
