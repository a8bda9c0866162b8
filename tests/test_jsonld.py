"""schema.org JSON-LD on thesis and evidence pages, read back from the built HTML: a `Claim` per
claim whose `appearance` names the cited sources, a `ClaimReview` only for reviewed theses, and
hostile text that stays inside the JSON string.

Expected values come from the content files read with PyYAML, not from the generator.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

try:
    from tests.review_support import isolate_git, run_cli
    from tests.site_support import REPO, SAMPLE_CONTENT, TEST_SITE_URL, make_project
except ImportError:  # pytest put tests/ itself on sys.path
    from review_support import isolate_git, run_cli
    from site_support import REPO, SAMPLE_CONTENT, TEST_SITE_URL, make_project

SITE_URL = TEST_SITE_URL  # mkdocs.yml's site_url (SITE_URL in the environment, see conftest.py)
CONTENTS = {"shipped": REPO / "content", "sample": SAMPLE_CONTENT}
HOSTILE = "</script><script>alert(1)</script>"


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML with YAML 1.2 booleans: `on:` (as in `review.on`) is a key, not `True`."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def raw_content(content: Path) -> dict[str, dict[str, dict]]:
    """folder → id → the front matter / YAML of each content file."""
    raw: dict[str, dict[str, dict]] = {}
    for folder in ("sources", "theses", "people"):
        raw[folder] = {}
        for path in sorted((content / folder).iterdir()):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".md":
                text = text.split("---\n", 2)[1]
            raw[folder][path.stem] = yaml.load(text, Loader=_Yaml12Loader)
    return raw


class _Scripts(HTMLParser):
    """Every <script> element as a browser splits it: (type, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, str]] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = (dict(attrs).get("type") or "", [])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open[0], "".join(self._open[1])))
            self._open = None


def scripts(page: Path) -> list[tuple[str, str]]:
    parser = _Scripts()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser.scripts


def json_ld(page: Path) -> list[dict]:
    """The page's one JSON-LD block, parsed."""
    blocks = [text for kind, text in scripts(page) if kind == "application/ld+json"]
    assert len(blocks) == 1, (page, len(blocks))
    assert "</script" not in blocks[0].lower()
    objects = json.loads(blocks[0])
    assert isinstance(objects, list) and objects
    assert all(o["@context"] == "https://schema.org" for o in objects)
    return objects


def claims_of(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["@type"] == "Claim"]


def reviews_of(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["@type"] == "ClaimReview"]


def build(root: Path, content: Path) -> Path:
    paths = make_project(root / "project", content)
    result = run_cli("build", "--root", str(paths.root), "--out", str(root / "site"))
    assert result.exit_code == 0, result.output
    return root / "site"


class Built:
    def __init__(self, name: str, site: Path, raw: dict) -> None:
        self.name, self.site, self.raw = name, site, raw

    def pages(self, thesis_id: str) -> dict[str, Path]:
        return {"thesis": self.site / "theses" / thesis_id / "index.html",
                "evidence": self.site / "theses" / thesis_id / "evidence" / "index.html"}


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def built(request, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp(f"jsonld-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        site = build(root, CONTENTS[request.param])
    return Built(request.param, site, raw_content(CONTENTS[request.param]))


# ----------------------------------------------------------------------- claims


def test_one_claim_per_claim_on_thesis_and_evidence_pages(built: Built) -> None:
    people = {p["id"]: p["name"] for p in built.raw["people"].values()}
    for thesis_id, thesis in built.raw["theses"].items():
        evidence_url = f"{SITE_URL}theses/{thesis_id}/evidence/"
        evidence_html = built.pages(thesis_id)["evidence"].read_text(encoding="utf-8")
        for kind, page in built.pages(thesis_id).items():
            claims = claims_of(json_ld(page))
            assert [c["@id"] for c in claims] == [f"{evidence_url}#{c['id']}" for c in thesis["claims"]], (thesis_id, kind)
            for claim, raw in zip(claims, thesis["claims"]):
                assert claim["url"] == claim["@id"]
                assert claim["text"] == raw["text"]
                assert [a["name"] for a in claim["author"]] == [people[p] for p in thesis["authors"]]
                assert f'id="{raw["id"]}"' in evidence_html, raw["id"]  # the anchor the @id names exists


def test_appearance_names_each_cited_source(built: Built) -> None:
    people = {p["id"]: p["name"] for p in built.raw["people"].values()}
    with_speakers = without_speakers = 0
    for thesis_id, thesis in built.raw["theses"].items():
        claims = claims_of(json_ld(built.pages(thesis_id)["evidence"]))
        for claim, raw in zip(claims, thesis["claims"]):
            cited = list(dict.fromkeys(e["source"] for e in raw["evidence"]))
            assert len(claim["appearance"]) == len(cited), claim["@id"]
            for work, source_id in zip(sorted(claim["appearance"], key=lambda w: w["name"]),
                                       sorted(cited, key=lambda s: built.raw["sources"][s]["title"])):
                source = built.raw["sources"][source_id]
                assert work["@type"] == "CreativeWork"
                assert work["name"] == source["title"]
                assert work["publisher"] == {"@type": "Organization", "name": source["publisher"]}
                assert work["datePublished"] == source["published"].isoformat()
                assert work["url"] == source.get("url", f"{SITE_URL}sources/{source_id}/")
                if not source.get("url"):
                    assert (built.site / "sources" / source_id / "index.html").is_file()
                speakers = source.get("speakers") or []
                if speakers:
                    with_speakers += 1
                    assert [a["name"] for a in work["author"]] == [people[p] for p in speakers]
                    assert all(a["@type"] == "Person" for a in work["author"])
                else:
                    without_speakers += 1
                    assert "author" not in work
    assert with_speakers and without_speakers  # both cases are exercised


# ----------------------------------------------------------------------- reviews


def test_claim_review_only_for_reviewed_theses(built: Built) -> None:
    people = {p["id"]: p["name"] for p in built.raw["people"].values()}
    reviewed = 0
    for thesis_id, thesis in built.raw["theses"].items():
        review = thesis.get("review") or {}
        for kind, page in built.pages(thesis_id).items():
            reviews = reviews_of(json_ld(page))
            if review.get("status") == "reviewed":
                reviewed += 1
                assert len(reviews) == 1, (thesis_id, kind)
                assert reviews[0]["author"] == {"@type": "Person", "name": people[review["by"]]}
                assert reviews[0]["datePublished"] == review["on"].isoformat()
                assert reviews[0]["claimReviewed"] == thesis["title"]
                assert reviews[0]["reviewRating"]["alternateName"] == "reviewed"
                page_url = f"{SITE_URL}{page.parent.relative_to(built.site).as_posix()}/"
                assert reviews[0]["url"] == page_url
            elif review.get("status") != "disputed":
                assert reviews == [], (thesis_id, kind)
    assert reviewed  # at least one reviewed thesis in each content set
    expected = {"sample": "memory-bound-inference", "shipped": "cs336-lecture-15-post-training-intensity"}[built.name]
    assert len(reviews_of(json_ld(built.pages(expected)["thesis"]))) == 1
    unreviewed = {"sample": "leading-edge-scarcity", "shipped": "compute-shortage-drives-buildout"}[built.name]
    assert reviews_of(json_ld(built.pages(unreviewed)["thesis"])) == []


def test_only_thesis_and_evidence_pages_carry_json_ld(built: Built) -> None:
    carrying = sorted(p.relative_to(built.site).as_posix() for p in built.site.rglob("*.html")
                      if any(kind == "application/ld+json" for kind, _ in scripts(p)))
    assert carrying == sorted(f"theses/{t}/{sub}index.html" for t in built.raw["theses"] for sub in ("", "evidence/"))


# ----------------------------------------------------------------------- hostile text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with script-closing text in a claim, a source title, a reviewer's name and a
    thesis title, and one thesis explicitly `unreviewed`."""
    root = tmp_path_factory.mktemp("jsonld-hostile")
    content = root / "content"
    shutil.copytree(SAMPLE_CONTENT, content)

    def edit(relative: str, old: str, new: str) -> None:
        path = content / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (relative, old)
        path.write_text(text.replace(old, new), encoding="utf-8")

    edit("theses/memory-bound-inference.md", "text: Decoding speed follows memory bandwidth.",
         f"text: 'Decoding speed follows memory bandwidth. {HOSTILE}'")
    edit("theses/memory-bound-inference.md", "title: Inference is bound by memory, which favours memory makers",
         "title: 'Inference is bound by memory </SCRIPT > <!-- which favours memory makers'")
    edit("sources/memory-wall-talk.md", "title: The Memory Wall in LLM Serving",
         "title: 'The Memory Wall </script\t><script>alert(2)</script> in LLM Serving'")
    edit("people/ada-lane.yaml", "name: Ada Lane", "name: 'Ada </script><img src=x onerror=alert(3)> Lane'")
    edit("theses/leading-edge-scarcity.yaml", "tags:\n", "review:\n  status: unreviewed\ntags:\n")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        return build(root / "build", content)


def test_hostile_text_stays_inside_the_json_string(hostile: Path) -> None:
    for page in (hostile / "theses/memory-bound-inference/index.html",
                 hostile / "theses/memory-bound-inference/evidence/index.html"):
        html = page.read_text(encoding="utf-8")
        start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
        raw_block = html[start:html.index("</script>", start)]
        assert "</script" not in raw_block.lower() and "<!--" not in raw_block and "<" not in raw_block
        objects = json.loads(raw_block)
        claims = claims_of(objects)
        assert claims[1]["text"] == f"Decoding speed follows memory bandwidth. {HOSTILE}"
        assert claims[0]["appearance"][0]["name"] == "The Memory Wall </script\t><script>alert(2)</script> in LLM Serving"
        assert claims[0]["appearance"][0]["author"] == [{"@type": "Person", "name": "Ada </script><img src=x onerror=alert(3)> Lane"}]
        review = reviews_of(objects)[0]
        assert review["claimReviewed"] == "Inference is bound by memory </SCRIPT > <!-- which favours memory makers"
        assert review["author"]["name"] == "Ada </script><img src=x onerror=alert(3)> Lane"
        # the browser's view: the JSON-LD block is whole, and no script carries the payload
        assert json_ld(page) == objects
        for kind, text in scripts(page):
            assert "alert(" not in text or kind == "application/ld+json", (page, kind, text[:200])
        assert not re.search(r"<script>alert\(", html, re.IGNORECASE)


def test_unreviewed_thesis_has_no_claim_review(hostile: Path) -> None:
    for page in (hostile / "theses/leading-edge-scarcity/index.html",
                 hostile / "theses/leading-edge-scarcity/evidence/index.html"):
        objects = json_ld(page)
        assert reviews_of(objects) == [] and len(claims_of(objects)) == 2
