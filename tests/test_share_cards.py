"""Pages that share well: OpenGraph and Twitter card metadata in every built page's <head>, and
each thesis's share card (a 1200×630 PNG drawn with Pillow's built-in font).

Expected values come from the content files and mkdocs.yml, not from the generator.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from generator import cards
from generator.cards import Badge, Card, render_card

from review_support import isolate_git, run_cli
from site_support import REPO, SAMPLE_CONTENT, TEST_SITE_URL, make_project, render_docs

CONFIG = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
SITE_URL = TEST_SITE_URL  # the shipped mkdocs.yml reads site_url from SITE_URL (tests/conftest.py sets it)
HOSTILE_TITLE = """Memory "wins" & <b>bold</b> claims: it's &amp; </title><script>alert(1)</script>"""
HOSTILE_SUMMARY = """A summary that tries to leave its attribute: "><meta http-equiv="refresh" content="0;url=javascript:alert(2)"> & more"""
SAMPLE_CARD = Card("Inference is bound by memory", "memory-bound-inference", (Badge("long", "MU"), Badge("neutral", "NVDA")),
                   "Strong source proof | 3 extracted claims", "strong", "thesis-site.example.org")


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    names, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        names.append(data[at + 4:at + 8].decode("ascii"))
        at += 12 + length
    return names


def assert_card_png(data: bytes) -> None:
    """A 1200×630 PNG holding pixels only: no time, text, physical size or EXIF chunk."""
    assert set(png_chunks(data)) <= {"IHDR", "PLTE", "IDAT", "IEND"}, png_chunks(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 630)
        image.load()


# ----------------------------------------------------------------------- the card itself


def test_a_card_is_a_bare_png_and_the_same_bytes_every_time() -> None:
    first = render_card(SAMPLE_CARD)
    assert_card_png(first)
    assert render_card.__wrapped__(SAMPLE_CARD) == first  # drawn again, not remembered
    # a fresh interpreter (other hash seed, cold font cache) draws the same bytes
    script = ("import sys; from generator.cards import Badge, Card, render_card; "
              "sys.stdout.buffer.write(render_card(Card('Inference is bound by memory', 'memory-bound-inference', "
              "(Badge('long', 'MU'), Badge('neutral', 'NVDA')), 'Strong source proof | 3 extracted claims', 'strong', "
              "'thesis-site.example.org')))")
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=REPO,
                           env={"PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}).stdout
    assert fresh == first


def test_the_font_is_pillows_own_scalable_one() -> None:
    """No system font: `load_default(size=…)` is FreeType with the font Pillow carries."""
    font = cards._font(40)
    assert font.size == 40
    assert font.getbbox("Memory")[3] > 20  # scaled, not the fixed 11-pixel bitmap font


def test_a_title_the_font_cannot_draw_gives_way_to_the_thesis_id() -> None:
    with_id = render_card(Card("memory-bound-inference", "memory-bound-inference", SAMPLE_CARD.badges,
                               SAMPLE_CARD.proof_line, "strong", SAMPLE_CARD.footer))
    for title in ("推論はメモリに縛られる", "Inference 🚀 memory", "Память и вывод", "مقال عن الذاكرة"):
        drawn = render_card(Card(title, "memory-bound-inference", SAMPLE_CARD.badges, SAMPLE_CARD.proof_line,
                                 "strong", SAMPLE_CARD.footer))
        assert drawn == with_id, title


def test_accents_dashes_and_odd_spaces_are_folded_not_dropped() -> None:
    assert cards.fold("Café naïve — résumé\u00a0×\u20092 ﬁnance") == "Cafe naive - resume x 2 finance"
    folded = render_card(Card("Cafe naive - resume", "x", (), "p", "weak", ""))
    assert render_card(Card("Café naïve – résumé", "x", (), "p", "weak", "")) == folded
    assert render_card(Card("Something else", "x", (), "p", "weak", "")) != folded


def test_long_titles_are_cut_and_many_badges_end_in_a_count() -> None:
    font, lines, _ = cards._fit("word " * 400, cards.TITLE_SIZES, 300, cards.TITLE_LINES, 1.2)
    assert font.size == min(cards.TITLE_SIZES) and lines[-1].endswith("...")
    assert all(font.getlength(line) <= cards.TEXT_WIDTH for line in lines)
    _, unbroken, _ = cards._fit("x" * 500, cards.TITLE_SIZES, 300, cards.TITLE_LINES, 1.2)
    assert len(unbroken) > 1  # a word wider than the card is cut between characters
    badges = tuple(Badge(("long", "short", "neutral", "watch")[n % 4], f"TICK{n}") for n in range(60))
    rows = cards._badge_rows(badges, cards._font(cards.BADGE_SIZE))
    assert len(rows) == cards.BADGE_ROWS
    shown = [label for row in rows for label, _ in row]
    assert shown[-1] == f"+{60 - (len(shown) - 1)} more"
    for row in rows:
        width = sum(cards._font(cards.BADGE_SIZE).getlength(label) + 2 * cards.BADGE_PADDING for label, _ in row)
        assert width + cards.BADGE_GAP * (len(row) - 1) <= cards.TEXT_WIDTH
    assert_card_png(render_card(Card("word " * 400, "x", badges, "p | " * 80, "unsupported", "")))


@settings(max_examples=25, deadline=None)
@given(title=st.text(max_size=200), proof=st.text(max_size=120), asset=st.text(max_size=20),
       footer=st.text(max_size=40))
def test_any_unicode_draws_a_card(title: str, proof: str, asset: str, footer: str) -> None:
    """Whatever the text (other scripts, emoji, controls, combining marks, surrogates excluded by
    UTF-8), the card is drawn; a title the font cannot draw is replaced by the id."""
    data = render_card(Card(title, "fallback-id", (Badge("short", asset),), proof, "moderate", footer))
    assert_card_png(data)
    if not cards.can_draw(cards.fold(title)) or not cards.fold(title):
        assert data == render_card(Card("fallback-id", "fallback-id", (Badge("short", asset),), proof, "moderate", footer))


def test_every_thesis_has_its_card_in_the_docs_tree(tmp_path: Path) -> None:
    first = render_docs(make_project(tmp_path / "one"))
    again = render_docs(make_project(tmp_path / "two"))
    theses = sorted(path.stem for path in (SAMPLE_CONTENT / "theses").iterdir())
    made = sorted(path for path in first if path.startswith("cards/"))
    assert made == [f"cards/{t}.png" for t in theses]
    for path in made:
        assert_card_png(first[path])
        assert first[path] == again[path]
    assert first["cards/memory-bound-inference.png"] != first["cards/leading-edge-scarcity.png"]


def _no_drawing_here(card: Card) -> bytes:
    raise AssertionError(f"{card.title} was drawn in the build's own process")


def test_many_cards_are_drawn_by_a_worker_process_with_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`draw_cards` from its threshold on: the worker (a fresh process, which this test's patch
    does not reach) gives each card's bytes, in order, as this process draws them."""
    many = [dataclasses.replace(SAMPLE_CARD, title=f"Inference is bound by memory, part {n}") for n in range(3)]
    expected = [render_card(card) for card in many]
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "render_card", _no_drawing_here)
    assert cards.draw_cards(many, beside_from=len(many))() == expected


def test_below_the_threshold_or_on_one_core_cards_are_drawn_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "worker_command", lambda *command: pytest.fail("a worker started"))
    assert cards.draw_cards([SAMPLE_CARD], beside_from=2)() == [render_card(SAMPLE_CARD)]
    monkeypatch.setattr(cards, "cores", lambda: 1)
    assert cards.draw_cards([SAMPLE_CARD], beside_from=1)() == [render_card(SAMPLE_CARD)]


@pytest.mark.parametrize("worker", [
    [sys.executable, "-c", "import sys; sys.stdin.buffer.read(); sys.exit(3)"],  # fails
    [sys.executable, "-c", "import sys, pickle; sys.stdin.buffer.read(); pickle.dump([b'not a card'], sys.stdout.buffer)"],  # one image short
    [sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'garbage')"],  # stops before reading, writes no pickle
    ["/nonexistent/python"],  # cannot start
])
def test_a_worker_that_fails_leaves_the_cards_to_this_process(monkeypatch: pytest.MonkeyPatch, worker: list[str]) -> None:
    two = [SAMPLE_CARD, dataclasses.replace(SAMPLE_CARD, title="Another title")]
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "worker_command", lambda *command: worker)
    assert cards.draw_cards(two, beside_from=1)() == [render_card(card) for card in two]


def test_a_worker_that_takes_too_long_is_stopped_and_the_cards_drawn_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "worker_command", lambda *command: [sys.executable, "-c", "import time; time.sleep(120)"])
    monkeypatch.setattr(cards, "_worker_seconds", lambda count: 0.5)
    started = time.monotonic()
    assert cards.draw_cards([SAMPLE_CARD], beside_from=1)() == [render_card(SAMPLE_CARD)]
    assert time.monotonic() - started < 30


def test_the_worker_draws_with_this_package_not_one_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = tmp_path / "generator"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("", encoding="utf-8")
    (shadow / "cards.py").write_text("import pickle, sys\n"
                                     "def draw_piped(cards_in, images_out):\n"
                                     "    pickle.dump([b'shadow'] * len(pickle.load(cards_in)), images_out)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    package_parent = str(Path(cards.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))  # on the path already
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "render_card", _no_drawing_here)
    assert cards.draw_cards([SAMPLE_CARD], beside_from=1)() == [render_card.__wrapped__(SAMPLE_CARD)]


def _children() -> set[int]:
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="lists child processes through /proc (Linux)")
def test_a_worker_whose_cards_are_never_taken_still_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails between starting the cards and taking them leaves no worker behind,
    even one whose answer is larger than a pipe holds (which it could not hand over unread)."""
    many = [dataclasses.replace(SAMPLE_CARD, title=f"Inference is bound by memory, part {n}") for n in range(8)]
    monkeypatch.setattr(cards, "cores", lambda: 2)
    before = _children()
    started = cards.draw_cards(many, beside_from=1)
    worker = _children() - before
    assert worker, "no worker started"
    del started
    deadline = time.monotonic() + 60
    while worker & _children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not worker & _children()


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """The worker runs this package's module, not the caller's main script again (as a
    `multiprocessing` worker would: the script's first line would print twice)."""
    script = tmp_path / "draw.py"
    script.write_text("from generator import cards\n"
                      "print('started', flush=True)\n"
                      "cards.cores = lambda: 2\n"
                      f"card = cards.Card({SAMPLE_CARD.title!r}, 'id', (), 'proof', 'strong', 'example.org')\n"
                      "drawn = cards.draw_cards([card], beside_from=1)()\n"
                      "print('drawn', drawn == [cards.render_card(card)], flush=True)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "started\ndrawn True\n"), done.stderr


def test_a_docs_tree_whose_cards_a_worker_drew_is_the_same_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's path (`machine_readable.card_files` through `build.render_docs`) with every card
    drawn beside the pages gives the docs tree drawn in one process, cards included."""
    here = render_docs(make_project(tmp_path / "here"))
    monkeypatch.setattr(cards, "cores", lambda: 2)
    monkeypatch.setattr(cards, "DRAWN_BESIDE_FROM", 1)
    monkeypatch.setattr(cards, "render_card", _no_drawing_here)
    beside = render_docs(make_project(tmp_path / "beside"))
    assert any(path.startswith("cards/") for path in beside)
    assert beside == here


# ----------------------------------------------------------------------- the metadata in built pages


class _Head(HTMLParser):
    """The <meta> and <link rel=canonical> of a page's <head>, attribute values as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.canonical: str | None = None
        self.title = ""
        self.in_head = True
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.in_head = False
        if not self.in_head:
            return
        if tag == "meta" and ("property" in attributes or "name" in attributes):
            self.meta.append((attributes.get("property") or attributes.get("name") or "", attributes.get("content") or ""))
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href")
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def head(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def one(parsed: _Head, key: str) -> str:
    values = [content for name, content in parsed.meta if name == key]
    assert len(values) == 1, (key, values)
    return values[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, with a thesis title and summary written to break out of an attribute."""
    root = tmp_path_factory.mktemp("share")
    content = root / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    path = content / "theses" / "memory-bound-inference.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: Inference is bound by memory, which favours memory makers",
                        "title: " + yaml.safe_dump(HOSTILE_TITLE, width=1000).split("\n")[0])
    text, replaced = re.subn(r"summary: >-\n(?:  .*\n)+", lambda _: "summary: " + yaml.safe_dump(HOSTILE_SUMMARY, width=1000).split("\n")[0] + "\n", text)
    front = yaml.safe_load(text.split("---\n")[1])
    assert replaced == 1 and (front["title"], front["summary"]) == (HOSTILE_TITLE, HOSTILE_SUMMARY)
    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        paths = make_project(root / "project", content)
        result = run_cli("build", "--root", str(paths.root), "--out", str(root / "site"))
    assert result.exit_code == 0, result.output
    return root / "site"


def raw_theses() -> dict[str, dict]:
    theses = {}
    for path in sorted((SAMPLE_CONTENT / "theses").iterdir()):
        text = path.read_text(encoding="utf-8")
        theses[path.stem] = yaml.safe_load(text.split("---\n", 2)[1] if path.suffix == ".md" else text)
    theses["memory-bound-inference"].update(title=HOSTILE_TITLE, summary=HOSTILE_SUMMARY)
    return theses


def test_every_page_has_open_graph_and_twitter_metadata(site: Path) -> None:
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 20
    theses = raw_theses()
    for page in pages:
        parsed = head(page)
        assert parsed.canonical and parsed.canonical.startswith(SITE_URL), page
        assert one(parsed, "og:url") == parsed.canonical
        assert one(parsed, "og:site_name") == CONFIG["site_name"]
        assert one(parsed, "og:title") and one(parsed, "twitter:title") == one(parsed, "og:title")
        assert parsed.title == f"{one(parsed, 'og:title')} - {CONFIG['site_name']}", page  # the theme's <title>, not the nav's label
        assert one(parsed, "og:description") and one(parsed, "twitter:description") == one(parsed, "og:description")
        description = [content for name, content in parsed.meta if name == "description"]
        assert description == [one(parsed, "og:description")], page  # the same words as the theme's own
        parts = page.relative_to(site).parts
        thesis_page = parts[0] == "theses" and parts[1] in theses
        assert one(parsed, "og:type") == ("article" if thesis_page else "website"), page
        assert one(parsed, "twitter:card") == ("summary_large_image" if thesis_page else "summary"), page
        if not thesis_page:
            assert not [name for name, _ in parsed.meta if name.startswith(("og:image", "twitter:image", "article:"))], page
    home = head(site / "index.html")
    assert one(home, "og:description") == CONFIG["site_description"]  # a page without its own description


def test_thesis_and_evidence_pages_are_articles_with_their_card(site: Path) -> None:
    for thesis_id, thesis in raw_theses().items():
        card = f"{SITE_URL}cards/{thesis_id}.png"
        assert_card_png((site / "cards" / f"{thesis_id}.png").read_bytes())
        for kind, page, title in (("thesis", site / "theses" / thesis_id / "index.html", thesis["title"]),
                                  ("evidence", site / "theses" / thesis_id / "evidence" / "index.html",
                                   f"Evidence: {thesis['title']}")):
            parsed = head(page)
            assert one(parsed, "og:title") == title, (thesis_id, kind)
            assert one(parsed, "og:url") == f"{SITE_URL}theses/{thesis_id}/{'evidence/' if kind == 'evidence' else ''}"
            if kind == "thesis":
                assert one(parsed, "og:description") == thesis["summary"]
            else:
                assert thesis["title"] in one(parsed, "og:description")
            # no git history here: both dates are the thesis's `opened`, as the page shows them
            opened = str(thesis["opened"])
            assert one(parsed, "article:published_time") == one(parsed, "article:modified_time") == opened
            assert opened in page.read_text(encoding="utf-8")
            assert one(parsed, "og:image") == one(parsed, "twitter:image") == card
            assert (one(parsed, "og:image:width"), one(parsed, "og:image:height")) == ("1200", "630")
            assert one(parsed, "og:image:alt").startswith(thesis["title"])
            assert one(parsed, "og:image:alt") == one(parsed, "twitter:image:alt")


def test_hostile_titles_stay_inside_their_attributes(site: Path) -> None:
    for page in (site / "theses/memory-bound-inference/index.html", site / "theses/memory-bound-inference/evidence/index.html"):
        html = page.read_text(encoding="utf-8")
        head_html = html[:html.index("</head>")]
        assert "<script>alert(1)" not in head_html and 'http-equiv="refresh"' not in head_html
        assert "<b>" not in head_html
        parsed = head(page)
        assert HOSTILE_TITLE in one(parsed, "og:title")
        assert [name for name, _ in parsed.meta if name == "refresh" or name == "http-equiv"] == []
    assert one(head(site / "theses/memory-bound-inference/index.html"), "og:description") == HOSTILE_SUMMARY
