"""schema.org JSON-LD on thesis and evidence pages, read back from the built HTML and through a
JSON-LD processor (pyld, with a local context: no network):

- a `Claim` per claim (`@id` = its anchor on the evidence page) whose `appearance`s are the quoted
  passages (`isPartOf` the cited source, the quote as `text` unless it is a paraphrase);
- a `ClaimReview` per claim of a reviewed or disputed thesis, `claimReviewed` = the claim's text,
  `itemReviewed` = the `Claim` by `@id`, a `reviewRating` only for a stated verdict;
- people typed `Person` or `Organization` as their content says;
- every property used where schema.org defines it (COMMITTED table below), with a value of a
  type in its range;
- hostile text stays inside the JSON string.

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
from pyld import jsonld

from review_support import isolate_git, run_cli
from site_support import REPO, SAMPLE_CONTENT, TEST_SITE_URL, make_project

SITE_URL = TEST_SITE_URL  # mkdocs.yml's site_url (SITE_URL in the environment, see conftest.py)
CONTENTS = {"shipped": REPO / "content", "sample": SAMPLE_CONTENT}
HOSTILE = "</script><script>alert(1)</script>"

# ----------------------------------------------------------------------- schema.org, as committed here

SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SUPERTYPES = {
    "Thing": (),
    "CreativeWork": ("Thing",),
    "Claim": ("CreativeWork",),
    "Review": ("CreativeWork",),
    "ClaimReview": ("Review",),
    "Person": ("Thing",),
    "Organization": ("Thing",),
    "Intangible": ("Thing",),
    "Rating": ("Intangible",),
}
"""The schema.org types the pages use, each with its parent types."""

LITERAL = "literal"
PROPERTIES = {
    # property: (domain: the types schema.org lists under "Used on these types", range: "Values expected to be one of these types")
    "name": ({"Thing"}, {LITERAL}),
    "alternateName": ({"Thing"}, {LITERAL}),
    "url": ({"Thing"}, {LITERAL}),
    "text": ({"CreativeWork"}, {LITERAL}),
    "author": ({"CreativeWork", "Rating"}, {"Person", "Organization"}),
    "publisher": ({"CreativeWork"}, {"Person", "Organization"}),
    "datePublished": ({"CreativeWork"}, {LITERAL}),
    "isPartOf": ({"CreativeWork"}, {"CreativeWork", LITERAL}),
    "appearance": ({"Claim"}, {"CreativeWork"}),
    "claimReviewed": ({"ClaimReview"}, {LITERAL}),
    "itemReviewed": ({"Review", "AggregateRating"}, {"Thing"}),
    "reviewRating": ({"Review"}, {"Rating"}),
}
"""Domain and range of every property the pages use, from schema.org's definitions. A property
missing here fails the test: add it with schema.org's domain and range, or do not use it."""


def ancestry(type_name: str) -> set[str]:
    assert type_name in SUPERTYPES, f"schema.org type {type_name} is not in SUPERTYPES"
    found = {type_name}
    for parent in SUPERTYPES[type_name]:
        found |= ancestry(parent)
    return found


def local_context_loader(url: str, options=None) -> dict:
    """pyld's document loader: the schema.org context served from here (its `@vocab`), anything
    else refused, so no test ever reaches the network."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "contentType": "application/ld+json",
                "document": {"@context": {"@vocab": SCHEMA}}}
    raise AssertionError(f"the JSON-LD asked for a remote document: {url}")


def flattened(objects: list[dict]) -> dict[str, dict]:
    """@id (or blank node label) → node, every node of the document, property names as full IRIs."""
    nodes = jsonld.flatten(objects, None, {"documentLoader": local_context_loader})
    return {node["@id"]: node for node in nodes}


def triples(objects: list[dict]) -> set[tuple[str, str, str]]:
    """The document as RDF: (subject, predicate, object), IRIs and literals as strings, blank nodes as _:bN."""
    dataset = jsonld.to_rdf(objects, {"documentLoader": local_context_loader})
    return {(t["subject"]["value"], t["predicate"]["value"], t["object"]["value"]) for t in dataset["@default"]}


def schema_types(node: dict) -> list[str]:
    types = node.get("@type", [])
    assert all(t.startswith(SCHEMA) for t in types), types
    return [t.removeprefix(SCHEMA) for t in types]


def assert_schema_conforming(objects: list[dict]) -> None:
    """Each node's properties are defined for its type, and each value is of a type in the property's range."""
    nodes = flattened(objects)
    for node_id, node in nodes.items():
        types = schema_types(node)
        assert types, f"node {node_id} has no @type"
        kinds = set().union(*(ancestry(t) for t in types))
        for key, values in node.items():
            if key in ("@id", "@type"):
                continue
            assert key.startswith(SCHEMA), (node_id, key)
            name = key.removeprefix(SCHEMA)
            assert name in PROPERTIES, f"{name} (on {types}) is not in the committed PROPERTIES table"
            domain, value_range = PROPERTIES[name]
            assert kinds & domain, f"{name} is not defined for {types} (schema.org domain: {sorted(domain)})"
            for value in values:
                if "@value" in value:
                    assert LITERAL in value_range, (node_id, name, value)
                else:
                    target = nodes.get(value["@id"])
                    assert target is not None, f"{name} of {node_id} points at {value['@id']}, which no node describes"
                    target_kinds = set().union(*(ancestry(t) for t in schema_types(target)))
                    assert target_kinds & value_range, (node_id, name, schema_types(target), sorted(value_range))


# ----------------------------------------------------------------------- reading the content and the pages


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
    """Every <script> element as a browser splits it: (type, text), and every element id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "script":
            self._open = (attributes.get("type") or "", [])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open[0], "".join(self._open[1])))
            self._open = None


def parsed(page: Path) -> _Scripts:
    parser = _Scripts()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def scripts(page: Path) -> list[tuple[str, str]]:
    return parsed(page).scripts


def json_ld(page: Path) -> list[dict]:
    """The page's one JSON-LD block, parsed."""
    blocks = [text for kind, text in scripts(page) if kind == "application/ld+json"]
    assert len(blocks) == 1, (page, len(blocks))
    assert "</script" not in blocks[0].lower()
    objects = json.loads(blocks[0])
    assert isinstance(objects, list) and objects
    assert all(o["@context"] == "https://schema.org" for o in objects)
    return objects


def of_type(objects: list[dict], type_name: str) -> list[dict]:
    return [o for o in objects if o["@type"] == type_name]


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

    def agent_type(self, person_id: str) -> str:
        return {"person": "Person", "organization": "Organization"}[self.raw["people"][person_id].get("kind", "person")]


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def built(request, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp(f"jsonld-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        site = build(root, CONTENTS[request.param])
    return Built(request.param, site, raw_content(CONTENTS[request.param]))


def reviewed(thesis: dict) -> bool:
    return (thesis.get("review") or {}).get("status") in ("reviewed", "disputed")


# ----------------------------------------------------------------------- claims


def test_one_claim_per_claim_on_thesis_and_evidence_pages(built: Built) -> None:
    for thesis_id, thesis in built.raw["theses"].items():
        evidence_url = f"{SITE_URL}theses/{thesis_id}/evidence/"
        evidence_ids = parsed(built.pages(thesis_id)["evidence"]).ids
        for kind, page in built.pages(thesis_id).items():
            claims = of_type(json_ld(page), "Claim")
            assert [c["@id"] for c in claims] == [f"{evidence_url}#{c['id']}" for c in thesis["claims"]], (thesis_id, kind)
            for claim, raw in zip(claims, thesis["claims"], strict=True):
                assert claim["url"] == claim["@id"]
                assert claim["text"] == raw["text"]
                assert [(a["@type"], a["name"], a["url"]) for a in claim["author"]] == [
                    (built.agent_type(p), built.raw["people"][p]["name"], f"{SITE_URL}people/{p}/") for p in thesis["authors"]]
                assert raw["id"] in evidence_ids  # the anchor the @id names exists
                assert "firstAppearance" not in claim  # the content does not say where a claim was first made


def test_each_appearance_is_a_quoted_passage_of_a_cited_source(built: Built) -> None:
    """Read as RDF: claim --appearance--> passage --isPartOf--> source, the passage's url the
    located part of the source page, its text the quote unless the evidence is a paraphrase."""
    verbatim = paraphrased = 0
    for thesis_id, thesis in built.raw["theses"].items():
        page = built.pages(thesis_id)["evidence"]
        graph = triples(json_ld(page))
        for claim in thesis["claims"]:
            claim_iri = f"{SITE_URL}theses/{thesis_id}/evidence/#{claim['id']}"
            assert (claim_iri, RDF_TYPE, SCHEMA + "Claim") in graph
            passages = sorted(o for s, p, o in graph if s == claim_iri and p == SCHEMA + "appearance")
            assert len(passages) == len(claim["evidence"]), claim_iri
            described = []
            for passage in passages:
                about = {p.removeprefix(SCHEMA): o for s, p, o in graph if s == passage}
                assert about.keys() <= {RDF_TYPE.removeprefix(SCHEMA), "url", "isPartOf", "text"}
                assert (passage, RDF_TYPE, SCHEMA + "CreativeWork") in graph
                described.append((about["isPartOf"], about["url"], about.get("text")))
            expected = []
            for evidence in claim["evidence"]:
                source_page = f"{SITE_URL}sources/{evidence['source']}/"
                anchor = locator_anchor(evidence["at"])
                assert anchor in parsed(built.site / "sources" / evidence["source"] / "index.html").ids, (evidence, anchor)
                expected.append((source_page, f"{source_page}#{anchor}", None if evidence.get("paraphrase") else evidence["quote"]))
                if evidence.get("paraphrase"):
                    paraphrased += 1
                else:
                    verbatim += 1
            assert sorted(described, key=repr) == sorted(expected, key=repr), claim_iri
    assert verbatim and (paraphrased or built.name == "shipped")


def locator_anchor(at: str) -> str:
    """SPEC §4's anchors on a source page, written out here independently of `pages.urls`."""
    kind, _, rest = at.partition("/")
    if kind == "insight":
        return rest
    if kind == "moment":
        seconds = 0
        for part in rest.split(":"):
            seconds = seconds * 60 + int(part)
        return f"moment-{seconds // 3600}-{seconds // 60 % 60:02d}-{seconds % 60:02d}"
    if kind == "table":
        return f"table-{rest}"
    return {"tldr": "tldr", "bottom-line": "bottom-line", "body": "notes"}[at]


def test_cited_sources_are_creative_works_with_publisher_and_speakers(built: Built) -> None:
    with_speakers = without_speakers = 0
    for thesis_id, thesis in built.raw["theses"].items():
        works = {w["@id"]: w for w in of_type(json_ld(built.pages(thesis_id)["thesis"]), "CreativeWork")}
        cited = list(dict.fromkeys(e["source"] for c in thesis["claims"] for e in c["evidence"]))
        assert sorted(works) == sorted(f"{SITE_URL}sources/{s}/" for s in cited), thesis_id
        for source_id in cited:
            work, source = works[f"{SITE_URL}sources/{source_id}/"], built.raw["sources"][source_id]
            assert work["name"] == source["title"]
            assert work["publisher"] == {"@type": "Organization", "name": source["publisher"]}
            assert work["datePublished"] == str(source["published"])
            assert work["url"] == source.get("url", f"{SITE_URL}sources/{source_id}/")
            speakers = source.get("speakers") or []
            if speakers:
                with_speakers += 1
                assert [(a["@type"], a["name"]) for a in work["author"]] == [
                    (built.agent_type(p), built.raw["people"][p]["name"]) for p in speakers]
            else:
                without_speakers += 1
                assert "author" not in work
    assert with_speakers and (without_speakers or built.name == "shipped")


# ----------------------------------------------------------------------- reviews


def test_a_claim_review_per_claim_of_a_reviewed_thesis(built: Built) -> None:
    """Read as RDF: each ClaimReview's itemReviewed is the Claim's IRI (not a copy), its
    claimReviewed the claim's text, its author the reviewer; no rating, as no verdict is stated."""
    counted = 0
    for thesis_id, thesis in built.raw["theses"].items():
        review = thesis.get("review") or {}
        for kind, page in built.pages(thesis_id).items():
            objects = json_ld(page)
            graph = triples(objects)
            reviews = sorted(s for s, p, o in graph if p == RDF_TYPE and o == SCHEMA + "ClaimReview")
            if not reviewed(thesis):
                assert reviews == [], (thesis_id, kind)
                continue
            counted += 1
            assert len(reviews) == len(thesis["claims"]), (thesis_id, kind)
            reviewed_claims = {}
            for node in reviews:
                about = {p.removeprefix(SCHEMA): o for s, p, o in graph if s == node}
                assert "reviewRating" not in about
                assert about["url"] == f"{SITE_URL}theses/{thesis_id}/"
                assert about["datePublished"] == str(review["on"])
                assert (about["author"], RDF_TYPE, SCHEMA + built.agent_type(review["by"])) in graph
                assert (about["author"], SCHEMA + "name", built.raw["people"][review["by"]]["name"]) in graph
                reviewed_claims[about["itemReviewed"]] = about["claimReviewed"]
            assert reviewed_claims == {f"{SITE_URL}theses/{thesis_id}/evidence/#{c['id']}": c["text"] for c in thesis["claims"]}
            # the reviewed item is the page's Claim itself
            assert all((iri, RDF_TYPE, SCHEMA + "Claim") in graph for iri in reviewed_claims)
            for claim_review in of_type(objects, "ClaimReview"):
                assert set(claim_review["itemReviewed"]) == {"@id"}
    assert counted  # at least one reviewed thesis in each content set
    expected = {"sample": "memory-bound-inference", "shipped": "cs336-lecture-15-post-training-intensity"}[built.name]
    assert of_type(json_ld(built.pages(expected)["thesis"]), "ClaimReview")
    unreviewed = {"sample": "leading-edge-scarcity", "shipped": "compute-shortage-drives-buildout"}[built.name]
    assert of_type(json_ld(built.pages(unreviewed)["thesis"]), "ClaimReview") == []


def test_every_property_is_used_where_schema_org_defines_it(built: Built) -> None:
    for thesis_id in built.raw["theses"]:
        for page in built.pages(thesis_id).values():
            assert_schema_conforming(json_ld(page))


def test_the_domain_check_refuses_what_schema_org_does_not_define() -> None:
    """The check itself: the shapes the pages used before (a Claim copy with `appearance` inside
    `itemReviewed`, an editorial status as `reviewRating`) pass it only where schema.org allows them,
    and properties on the wrong type or outside the table fail."""
    claim = {"@context": "https://schema.org", "@type": "Claim", "@id": "https://x.test/#c", "text": "t"}
    assert_schema_conforming([claim])
    with pytest.raises(AssertionError, match="claimReviewed is not defined"):
        assert_schema_conforming([dict(claim, claimReviewed="t")])
    with pytest.raises(AssertionError, match="not in the committed PROPERTIES"):
        assert_schema_conforming([dict(claim, reviewBody="t")])
    with pytest.raises(AssertionError):  # a Rating is not an author
        assert_schema_conforming([dict(claim, author={"@type": "Rating", "alternateName": "x"})])
    with pytest.raises(jsonld.JsonLdError) as refused:  # pyld wraps what its document loader raises
        flattened([{"@context": "https://example.org/context.jsonld", "name": "x"}])
    causes, cause = [], refused.value
    while cause is not None:
        causes.append(str(cause))
        cause = cause.__cause__
    assert any("asked for a remote document: https://example.org/context.jsonld" in c for c in causes), causes


def test_a_stated_verdict_becomes_the_rating_and_an_editorial_status_does_not(tmp_path) -> None:
    """`reviewRating` only from a verdict the content states (the closed thesis's Outcome, SPEC §2);
    `withdrawn` is no verdict on the claims, and neither is `reviewed`."""
    from generator.jsonld import thesis_json_ld
    from generator.models import Outcome
    from generator.pages import urls
    from generator.pipeline import check_project

    publication = check_project(make_project(tmp_path / "project"), jobs=1).publication
    thesis = publication.graph.theses["memory-bound-inference"]

    def ratings(verdict: str | None, review: bool = True) -> list:
        update: dict = {"review": thesis.review if review else None}
        if verdict is not None:
            update |= {"status": "closed", "outcome": Outcome(on=thesis.opened, verdict=verdict, note="As it turned out.")}
        objects = thesis_json_ld(thesis.model_copy(update=update), publication.graph, SITE_URL, urls.site_path, urls.locator_anchor)
        return [(o.get("reviewRating"), o.get("author", {}) and o["author"]) for o in of_type(objects, "ClaimReview")]

    reviewer = {"@type": "Person", "name": "Ada Lane", "url": f"{SITE_URL}people/ada-lane/"}
    assert ratings(None) == [(None, reviewer)] * 3
    assert ratings("withdrawn") == [(None, reviewer)] * 3
    assert ratings("wrong") == [({"@type": "Rating", "alternateName": "wrong"}, reviewer)] * 3
    # no editorial review: the outcome's verdict is the authors' own ClaimReview; nothing without a verdict
    assert ratings(None, review=False) == [] and ratings("withdrawn", review=False) == []
    own = ratings("mixed", review=False)
    assert len(own) == 3 and {json.dumps(r, sort_keys=True) for r in own} == {json.dumps(
        ({"@type": "Rating", "alternateName": "mixed"},
         [{"@type": "Person", "name": publication.graph.people[a].name, "url": f"{SITE_URL}people/{a}/"} for a in thesis.authors]),
        sort_keys=True)}


def test_only_thesis_and_evidence_pages_carry_json_ld(built: Built) -> None:
    carrying = sorted(p.relative_to(built.site).as_posix() for p in built.site.rglob("*.html")
                      if any(kind == "application/ld+json" for kind, _ in scripts(p)))
    assert carrying == sorted(f"theses/{t}/{sub}index.html" for t in built.raw["theses"] for sub in ("", "evidence/"))


# ----------------------------------------------------------------------- hostile text, organizations, disputes


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with script-closing text in a claim, a quote's source title and a reviewer's
    name, the thesis author an organization, one thesis `disputed` and one explicitly `unreviewed`."""
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
    edit("theses/memory-bound-inference.md", "status: reviewed", "status: disputed")
    edit("sources/memory-wall-talk.md", "title: The Memory Wall in LLM Serving",
         "title: 'The Memory Wall </script\t><script>alert(2)</script> in LLM Serving'")
    edit("people/ada-lane.yaml", "name: Ada Lane", "name: 'Ada </script><img src=x onerror=alert(3)> Lane'")
    edit("people/bo-chen.yaml", "name: Bo Chen", "name: Bo Chen Research\nkind: organization")
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
        claims = of_type(objects, "Claim")
        assert claims[1]["text"] == f"Decoding speed follows memory bandwidth. {HOSTILE}"
        source = of_type(objects, "CreativeWork")[0]
        assert source["name"] == "The Memory Wall </script\t><script>alert(2)</script> in LLM Serving"
        assert source["author"][0]["name"] == "Ada </script><img src=x onerror=alert(3)> Lane"
        reviews = of_type(objects, "ClaimReview")
        assert reviews[1]["claimReviewed"] == f"Decoding speed follows memory bandwidth. {HOSTILE}"
        assert {r["author"]["name"] for r in reviews} == {"Ada </script><img src=x onerror=alert(3)> Lane"}
        # the browser's view: the JSON-LD block is whole, and no script carries the payload
        assert json_ld(page) == objects
        for kind, text in scripts(page):
            assert "alert(" not in text or kind == "application/ld+json", (page, kind, text[:200])
        assert not re.search(r"<script>alert\(", html, re.IGNORECASE)
        assert_schema_conforming(objects)


def test_an_organization_is_typed_organization(hostile: Path) -> None:
    graph = triples(json_ld(hostile / "theses/memory-bound-inference/index.html"))
    team = f"{SITE_URL}people/bo-chen/"
    authors = {o for s, p, o in graph if p == SCHEMA + "author" and s.startswith(f"{SITE_URL}theses/")}
    assert len(authors) == 3  # one author object per claim, each the team
    for author in authors:
        assert (author, RDF_TYPE, SCHEMA + "Organization") in graph
        assert (author, RDF_TYPE, SCHEMA + "Person") not in graph
        assert (author, SCHEMA + "url", team) in graph


def test_a_disputed_thesis_has_reviews_without_a_rating(hostile: Path) -> None:
    objects = json_ld(hostile / "theses/memory-bound-inference/evidence/index.html")
    reviews = of_type(objects, "ClaimReview")
    assert len(reviews) == 3 and not any("reviewRating" in r for r in reviews)


def test_unreviewed_thesis_has_no_claim_review(hostile: Path) -> None:
    for page in (hostile / "theses/leading-edge-scarcity/index.html",
                 hostile / "theses/leading-edge-scarcity/evidence/index.html"):
        objects = json_ld(page)
        assert of_type(objects, "ClaimReview") == [] and len(of_type(objects, "Claim")) == 2
