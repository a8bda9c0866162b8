"""Thesis monitoring feeds (RSS 2.0 and Atom), read back with a real feed parser (feedparser).

A temporary git repository built from tests/fixtures/review/base/ (fixed authors and dates, see
review_support.py) goes through the changes a reader subscribes to: two theses added, a claim
reworded, a direction flipped, a position closed, then (for the stability check) a third thesis
added. The site is built with `thesis-site build --out` after the fourth and after the fifth
commit; the feeds are read from site/feeds/.
"""

from __future__ import annotations

import datetime as dt
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from generator.feeds import collect_feeds, feed_files
from generator.history import publication_history
from generator.pages.urls import site_path
from generator.pipeline import check_project
from generator.settings import ProjectPaths

from review_support import FIXTURE, Repo, isolate_git, run_cli
from site_support import REPO, TEST_SITE_URL, make_project, tree_bytes

SITE_URL = TEST_SITE_URL  # mkdocs.yml's site_url (SITE_URL in the environment, see conftest.py)
MEMORY = "content/theses/memory-bound.yaml"
MEMORY_TITLE = "Inference is bound by memory, not compute"
IDLE_TITLE = "Accelerators wait for memory"
NEW_THESIS_TITLE = "Memory suppliers gain pricing power"
NEW_THESIS = f"""\
id: memory-suppliers
title: {NEW_THESIS_TITLE}
status: active
style: thematic
horizon: long-term
actionability: high
opened: 2026-03-14
authors:
  - ana-analyst
summary: Tight memory supply lets suppliers raise prices.
claims:
  - id: prices-rise
    text: Memory prices keep rising while supply is tight.
    evidence:
      - source: market-article
        at: tldr
        quote: rose for a third quarter in a row as supply stays tight
    confidence: medium
assets:
  - asset: ZZ
    direction: long
    role: memory supplier
    rationale: Pricing power follows scarcity.
    because:
      - prices-rise
risks:
  - New fabs come online.
"""


def at_noon(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def when(entry) -> dt.datetime:
    """An entry's date as an aware datetime (RSS pubDate → published, Atom updated → updated)."""
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    assert stamp is not None, entry
    return dt.datetime(*stamp[:6], tzinfo=dt.UTC)


def feed_of(site: Path, stem: str) -> tuple[feedparser.FeedParserDict, feedparser.FeedParserDict]:
    """(RSS, Atom) of the feed `feeds/<stem>.*` in a built site, both parsed and checked."""
    rss, atom = parse((site / "feeds" / f"{stem}.rss.xml").read_bytes()), parse((site / "feeds" / f"{stem}.atom.xml").read_bytes())
    assert rss.version == "rss20", (stem, rss.version)
    assert atom.version == "atom10", (stem, atom.version)
    return rss, atom


def feed_paths_in(folder: Path) -> list[Path]:
    """The RSS and Atom files under `folder` (other files there, such as sitemaps, are not feeds)."""
    return sorted(p for p in folder.rglob("*.xml") if p.name.endswith((".rss.xml", ".atom.xml")))


def site_file(site: Path, url: str) -> Path:
    """The file in the built site that an absolute site URL names (directory URLs → index.html)."""
    assert url.startswith(SITE_URL), url
    relative = url[len(SITE_URL):].split("#")[0]
    target = site / relative
    return target / "index.html" if relative == "" or relative.endswith("/") else target


# ----------------------------------------------------------------------- the repository


class Project:
    def __init__(self, repo: Repo, site_before: Path, site: Path, shas: dict[str, str]) -> None:
        self.repo, self.site_before, self.site, self.shas = repo, site_before, site, shas


def build(repo: Repo, out: Path) -> Path:
    result = run_cli("build", "--root", str(repo.root), "--out", str(out))
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("feeds")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        repo = Repo.create(root / "project")
        shutil.copytree(REPO / "site_templates", repo.root / "site_templates")  # untracked: outside content/
        shutil.copy2(REPO / "mkdocs.yml", repo.root / "mkdocs.yml")
        shas = {"added": repo.commit("Add two theses", date="2026-03-01", who="ana")}
        repo.replace(MEMORY, "text: Decode is bound by memory bandwidth rather than compute.",
                     "text: Decode is bound by memory bandwidth, not by compute.")
        shas["reworded"] = repo.commit("Reword decode-bound", date="2026-03-05", who="bo")
        repo.replace(MEMORY, "    direction: long\n", "    direction: short\n")
        shas["flipped"] = repo.commit("Go short ZZ", date="2026-03-09", who="ana")
        text = repo.read(MEMORY)
        repo.write(MEMORY, text[:text.index("  - asset: YY")] + text[text.index("risks:"):])
        shas["closed"] = repo.commit("Close the YY watch position", date="2026-03-12", who="cy")
        site_before = build(repo, root / "site-before")
        repo.write("content/theses/memory-suppliers.yaml", NEW_THESIS)
        shas["new"] = repo.commit("Add a third thesis", date="2026-03-15", who="ana")
        site = build(repo, root / "site")
        yield Project(repo, site_before, site, {name: sha[:7] for name, sha in shas.items()})


# ----------------------------------------------------------------------- every feed


def test_every_feed_parses_as_rss20_and_atom10(project: Project) -> None:
    feeds = [p.relative_to(project.site / "feeds").as_posix() for p in feed_paths_in(project.site / "feeds")]
    stems = ["all", "theses/idle-accelerators", "theses/memory-bound", "theses/memory-suppliers", "assets/YY", "assets/ZZ"]
    assert feeds == sorted(f"{stem}.{kind}.xml" for stem in stems for kind in ("rss", "atom"))
    for stem in stems:
        rss, atom = feed_of(project.site, stem)
        assert rss.feed.title == atom.feed.title
        # the self link names where the feed is published
        assert {(link.rel, link.href) for link in rss.feed.links} >= {("self", f"{SITE_URL}feeds/{stem}.rss.xml")}
        assert {(link.rel, link.href) for link in atom.feed.links} >= {("self", f"{SITE_URL}feeds/{stem}.atom.xml")}
        # RSS and Atom carry the same items, in the same order, with the same ids and dates
        assert [(e.id, e.title, e.link, e.summary, when(e)) for e in rss.entries] == \
               [(e.id, e.title, e.link, e.summary, when(e)) for e in atom.entries]
        # every item links to a page of the site
        for entry in rss.entries:
            assert site_file(project.site, entry.link).is_file(), entry.link
        assert site_file(project.site, rss.feed.link).is_file(), rss.feed.link


def test_thesis_feed_lists_its_changes_newest_first_with_claim_level_summaries(project: Project) -> None:
    rss, _ = feed_of(project.site, "theses/memory-bound")
    assert rss.feed.title == f"{MEMORY_TITLE} — changes"
    assert rss.feed.link == f"{SITE_URL}theses/memory-bound/"
    shas = project.shas
    expected = [
        ("closed", "2026-03-12", f"Updated: {MEMORY_TITLE}", f"YY watch position removed (commit {shas['closed']}, Cy Reviewer)"),
        ("flipped", "2026-03-09", f"Updated: {MEMORY_TITLE}", f"ZZ long → short (commit {shas['flipped']}, Ana Analyst)"),
        ("reworded", "2026-03-05", f"Updated: {MEMORY_TITLE}", f"1 claim reworded (commit {shas['reworded']}, Bo Speaker)"),
        ("added", "2026-03-01", f"New thesis: {MEMORY_TITLE}", "Serving models is limited by memory more than by arithmetic."),
    ]
    assert [(e.title, e.summary, when(e)) for e in rss.entries] == [(t, s, at_noon(d)) for _, d, t, s in expected]
    assert [e.id for e in rss.entries] == [f"tag:thesis-site,{d}:thesis/memory-bound/{shas[c]}" for c, d, _, _ in expected]
    assert all(e.link == f"{SITE_URL}theses/memory-bound/" for e in rss.entries)


def test_thesis_that_never_changed_has_one_new_thesis_item(project: Project) -> None:
    rss, atom = feed_of(project.site, "theses/idle-accelerators")
    for feed in (rss, atom):
        assert [(e.title, e.summary, when(e)) for e in feed.entries] == [
            (f"New thesis: {IDLE_TITLE}", "Accelerators spend time idle while memory catches up.", at_noon("2026-03-01"))]


def test_asset_feeds_list_positions_opened_flipped_and_closed(project: Project) -> None:
    shas = project.shas
    zz, _ = feed_of(project.site, "assets/ZZ")
    assert zz.feed.title == "Zeta Memory Corp. (ZZ) — positions"
    assert zz.feed.link == f"{SITE_URL}assets/ZZ/"
    assert [(e.title, when(e), e.link) for e in zz.entries] == [
        ("ZZ: long position opened on 2026-03-14 in memory-suppliers", at_noon("2026-03-15"), f"{SITE_URL}theses/memory-suppliers/"),
        ("ZZ: long → short in memory-bound", at_noon("2026-03-09"), f"{SITE_URL}theses/memory-bound/"),
        ("ZZ: long position opened on 2026-01-04 in memory-bound", at_noon("2026-03-01"), f"{SITE_URL}theses/memory-bound/"),
    ]
    assert zz.entries[1].summary == f"long → short in memory-bound (commit {shas['flipped']}, Ana Analyst)"
    assert zz.entries[1].id == f"tag:thesis-site,2026-03-09:asset/ZZ/memory-bound/{shas['flipped']}"
    yy, _ = feed_of(project.site, "assets/YY")
    titles = [(e.title, when(e)) for e in yy.entries]
    assert titles[0] == ("YY: watch position closed on 2026-03-12 in memory-bound", at_noon("2026-03-12"))
    assert yy.entries[0].summary == f"watch position closed on 2026-03-12 in memory-bound (commit {shas['closed']}, Cy Reviewer)"
    # both theses opened their YY position in the first commit: same date, one item each
    assert sorted(titles[1:]) == [("YY: watch position opened on 2026-01-04 in idle-accelerators", at_noon("2026-03-01")),
                                  ("YY: watch position opened on 2026-01-04 in memory-bound", at_noon("2026-03-01"))]


def test_all_theses_feed_lists_new_and_updated_theses(project: Project) -> None:
    rss, _ = feed_of(project.site, "all")
    assert rss.feed.link == SITE_URL
    items = [(e.title, when(e)) for e in rss.entries]
    assert items[0] == (f"New thesis: {NEW_THESIS_TITLE}", at_noon("2026-03-15"))
    assert items[1:4] == [(f"Updated: {MEMORY_TITLE}", at_noon(d)) for d in ("2026-03-12", "2026-03-09", "2026-03-05")]
    assert sorted(items[4:]) == sorted([(f"New thesis: {MEMORY_TITLE}", at_noon("2026-03-01")),
                                        (f"New thesis: {IDLE_TITLE}", at_noon("2026-03-01"))])
    # the all-theses feed is the union of the thesis feeds, newest first
    union = [e.id for stem in ("idle-accelerators", "memory-bound", "memory-suppliers")
             for e in feed_of(project.site, f"theses/{stem}")[0].entries]
    assert sorted(union) == sorted(e.id for e in rss.entries)
    assert [when(e) for e in rss.entries] == sorted((when(e) for e in rss.entries), reverse=True)


# ----------------------------------------------------------------------- stable GUIDs


def test_guids_are_unique_within_each_feed(project: Project) -> None:
    for path in feed_paths_in(project.site / "feeds"):
        ids = [e.id for e in parse(path.read_bytes()).entries]
        assert ids and len(ids) == len(set(ids)), path


def test_guids_survive_a_later_build(project: Project) -> None:
    """Every item of the first build is in the second with the same GUID and the same content:
    a GUID names the thesis or asset and the commit, never the build."""
    for path in feed_paths_in(project.site_before / "feeds"):
        relative = path.relative_to(project.site_before)
        before = {e.id: (e.title, e.link, e.summary, when(e)) for e in parse(path.read_bytes()).entries}
        after = {e.id: (e.title, e.link, e.summary, when(e)) for e in parse((project.site / relative).read_bytes()).entries}
        assert before, relative
        assert {guid: after.get(guid) for guid in before} == before, relative
    # the new commit added items without touching old ones
    new_items = {e.id for e in feed_of(project.site, "all")[0].entries} - \
                {e.id for e in feed_of(project.site_before, "all")[0].entries}
    assert new_items == {f"tag:thesis-site,2026-03-15:thesis/memory-suppliers/{project.shas['new']}"}


def test_same_commit_gives_byte_identical_feeds(project: Project) -> None:
    """The feeds in the built site are exactly what `collect_feeds`/`feed_files` make for this commit."""
    result = check_project(ProjectPaths(project.repo.root), jobs=1)
    assert result.publication is not None and not result.errors
    history = publication_history(project.repo.root, result.publication.graph)
    files = feed_files(collect_feeds(result.publication, history, SITE_URL, site_path), SITE_URL)
    built = {f"feeds/{path}": data for path, data in tree_bytes(project.site / "feeds").items()}
    assert files == built


# ----------------------------------------------------------------------- discovery links


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "alternate":
            self.links.append((values.get("type") or "", values.get("href") or ""))


def alternate_links(page: Path) -> list[tuple[str, str]]:
    parser = _AlternateLinks()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_pages_link_their_feeds_and_every_link_resolves_to_a_feed_in_the_site(project: Project) -> None:
    site = project.site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    versions = {"application/rss+xml": "rss20", "application/atom+xml": "atom10"}
    seen: dict[str, set[str]] = {}
    for page in pages:
        relative = page.relative_to(site).as_posix()
        page_url = urljoin(SITE_URL, relative)
        links = alternate_links(page)
        assert ("application/rss+xml" in {t for t, _ in links}), relative
        for kind, href in links:
            assert kind in versions, (relative, kind)
            assert not urlsplit(href).scheme and not href.startswith("//"), (relative, href)  # relative URL
            url = urljoin(page_url, href)
            target = site_file(site, url)
            assert target.resolve().is_relative_to(site.resolve()) and target.is_file(), (relative, href)
            assert feedparser.parse(target.read_bytes()).version == versions[kind], (relative, href)
            seen.setdefault(relative, set()).add(target.relative_to(site).as_posix())
    for thesis in ("memory-bound", "idle-accelerators", "memory-suppliers"):
        assert {f"feeds/theses/{thesis}.rss.xml", f"feeds/theses/{thesis}.atom.xml", "feeds/all.rss.xml"} \
            <= seen[f"theses/{thesis}/index.html"]
    for asset in ("YY", "ZZ"):
        assert {f"feeds/assets/{asset}.rss.xml", f"feeds/assets/{asset}.atom.xml"} <= seen[f"assets/{asset}/index.html"]
    assert {"feeds/all.rss.xml", "feeds/all.atom.xml"} <= seen["index.html"]


# ----------------------------------------------------------------------- without git


def test_without_git_history_each_thesis_has_one_new_thesis_item_dated_by_opened(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path)
    paths = make_project(tmp_path / "plain", FIXTURE / "content")
    result = check_project(paths, jobs=1)
    assert result.publication is not None and not result.errors
    graph = result.publication.graph
    history = publication_history(paths.root, graph)
    files = feed_files(collect_feeds(result.publication, history, SITE_URL, site_path), SITE_URL)
    opened = dt.datetime(2026, 1, 4, tzinfo=dt.UTC)  # both fixture theses: opened 2026-01-04
    for thesis_id, thesis in graph.theses.items():
        for extension, version in (("rss", "rss20"), ("atom", "atom10")):
            feed = parse(files[f"feeds/theses/{thesis_id}.{extension}.xml"])
            assert feed.version == version
            assert [(e.title, e.summary, when(e), e.id) for e in feed.entries] == [
                (f"New thesis: {thesis.title}", thesis.summary, opened, f"tag:thesis-site,2026-01-04:thesis/{thesis_id}/opened")]
    all_items = parse(files["feeds/all.rss.xml"]).entries
    assert sorted(e.title for e in all_items) == sorted(f"New thesis: {t.title}" for t in graph.theses.values())
    # each current position is one item of its asset's feed, dated by its call (here: its thesis's opened)
    yy = parse(files["feeds/assets/YY.rss.xml"]).entries
    assert sorted((e.title, when(e)) for e in yy) == [
        ("YY: watch position opened on 2026-01-04 in Accelerators wait for memory", opened),
        (f"YY: watch position opened on 2026-01-04 in {MEMORY_TITLE}", opened)]
    # and the same content gives the same bytes again
    assert feed_files(collect_feeds(result.publication, publication_history(paths.root, graph), SITE_URL, site_path),
                      SITE_URL) == files


def test_removing_a_thesis_closes_its_positions_and_no_item_links_to_a_missing_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path)
    repo = Repo.create(tmp_path / "project")
    repo.commit("Add two theses", date="2026-03-01")
    repo.remove("content/theses/idle-accelerators.md")
    removed = repo.commit("Drop the idle-accelerators thesis", date="2026-03-03", who="cy")[:7]
    result = check_project(ProjectPaths(repo.root), jobs=1)
    assert result.publication is not None and not result.errors
    graph = result.publication.graph
    files = feed_files(collect_feeds(result.publication, publication_history(repo.root, graph), SITE_URL, site_path),
                       SITE_URL)
    assert "feeds/theses/idle-accelerators.rss.xml" not in files
    yy = parse(files["feeds/assets/YY.rss.xml"]).entries
    assert (yy[0].title, yy[0].id, when(yy[0])) == (
        "YY: watch position closed: thesis idle-accelerators removed",
        f"tag:thesis-site,2026-03-03:asset/YY/idle-accelerators/{removed}", at_noon("2026-03-03"))
    pages = {SITE_URL + site_path(kind, identifier) for kind, ids in (("thesis", graph.theses), ("asset", graph.assets))
             for identifier in ids}
    for path, data in files.items():
        if not path.endswith((".rss.xml", ".atom.xml")):
            continue
        for entry in parse(data).entries:
            assert entry.link in pages, (path, entry.title, entry.link)  # the removed thesis has no page
    assert yy[0].link == f"{SITE_URL}assets/YY/"


@pytest.mark.parametrize(("url", "opened"), [
    ("https://youtu.be/x?t=10", "https://youtu.be/x?t=80"),
    ("https://www.youtube.com/watch?v=x#t=5", "https://www.youtube.com/watch?v=x&t=80"),
    ("https://x.example/v?a=1&t=3#top", "https://x.example/v?a=1&t=80#top"),
    ("https://x.example/v", "https://x.example/v?t=80"),
])
def test_a_timestamp_link_replaces_the_time_a_source_url_already_names(url, opened):
    from generator.pages.urls import at_time

    assert at_time(url, "1:20") == opened
