"""The JSON export (`thesis-site export`, and api/ in the built site): it validates against its own
JSON Schema, holds every entity with the authored fields unchanged, and its derived values
(proof, stance, backlinks, dates, page paths) are right: checked against the content files read
directly with PyYAML, not through the generator, and against the built pages.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.export import EXPORT_FORMAT_VERSION
from generator.outputs import MARKER

from review_support import Repo, isolate_git, run_cli
from site_support import REPO, SAMPLE_CONTENT, make_project, tree_bytes

LECTURE_15 = "cs336-lecture-15-post-training-intensity"
LECTURE_15_PROOF = (  # seed 000's "Source proof" line
    "Strong source proof | 4 extracted claims | 6 directional assets | 1 supporting author | headline-like title review"
)
KINDS = {"sources": "source", "theses": "thesis", "assets": "asset", "people": "person"}
COUNTED = ("active", "monitoring")
CONTENTS = {"shipped": REPO / "content", "sample": SAMPLE_CONTENT}
DERIVED = {
    "sources": {"cited_by", "page"},
    "theses": {"claims", "proof", "first_published", "last_changed", "page"},
    "assets": {"stance", "positions", "page"},
    "people": {"spoke", "wrote", "reviewed", "page"},
}


# ----------------------------------------------------------------------- reading content directly


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML with YAML 1.2 booleans: `on:` (as in `review.on`) is a key, not `True`."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def _plain(value):
    """YAML values as JSON has them (dates → ISO strings)."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


def raw_content(content: Path) -> dict[str, dict[str, dict]]:
    """folder → id → the authored fields of each content file, read with PyYAML alone."""
    raw: dict[str, dict[str, dict]] = {}
    for folder in KINDS:
        raw[folder] = {}
        for path in sorted((content / folder).iterdir()):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".md":
                _, front, body = text.split("---\n", 2)
                data = yaml.load(front, Loader=_Yaml12Loader)
                data["body"] = body
            else:
                data = yaml.load(text, Loader=_Yaml12Loader)
            raw[folder][path.stem] = _plain(data)
    return raw


def _key(item: dict) -> str:
    return json.dumps(item, sort_keys=True)


# ----------------------------------------------------------------------- the exports


class Export:
    def __init__(self, name: str, content: Path, out: Path, site: Path) -> None:
        self.name, self.content, self.out, self.site = name, content, out, site
        self.api = out / "api"
        self.graph = json.loads((self.api / "graph.json").read_text(encoding="utf-8"))
        self.schema = json.loads((self.api / "schema" / "graph.schema.json").read_text(encoding="utf-8"))
        self.raw = raw_content(content)

    def entities(self, folder: str) -> dict[str, dict]:
        return {item["id"]: item for item in self.graph[folder]}


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def export(request, tmp_path_factory: pytest.TempPathFactory) -> Export:
    """`thesis-site export --out` and `thesis-site build --out` on a copy of the content (no git history)."""
    root = tmp_path_factory.mktemp(f"export-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root)
        paths = make_project(root / "project", CONTENTS[request.param])
        exported = run_cli("export", "--root", str(paths.root), "--out", str(root / "out"))
        assert exported.exit_code == 0, exported.output
        built = run_cli("build", "--root", str(paths.root), "--out", str(root / "site"))
        assert built.exit_code == 0, built.output
    return Export(request.param, CONTENTS[request.param], root / "out", root / "site")


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def errors_of(schema: dict, instance) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(instance)]


# ----------------------------------------------------------------------- files and schema


def test_export_writes_graph_one_file_per_entity_and_schemas(export: Export) -> None:
    files = set(tree_bytes(export.out))
    expected = {MARKER, "api/graph.json", "api/schema/graph.schema.json"}
    expected |= {f"api/schema/{kind}.schema.json" for kind in KINDS.values()}
    expected |= {f"api/{folder}/{identifier}.json" for folder in KINDS for identifier in export.raw[folder]}
    assert files == expected


def test_graph_validates_against_its_own_schema(export: Export) -> None:
    assert export.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(export.schema)
    assert errors_of(export.schema, export.graph) == []
    assert export.graph["format_version"] == EXPORT_FORMAT_VERSION == 1
    assert set(export.schema["required"]) == {"format_version", "sources", "theses", "assets", "people", "tags"}


def test_graph_is_exactly_what_its_models_make_of_it(export: Export) -> None:
    """The export is built as plain data; the pydantic models it claims to follow must read it
    without changing a value (strictly: no coercion, no extra key, no missing field)."""
    from generator.export import ExportedGraph

    graph = ExportedGraph.model_validate_json(json.dumps(export.graph), strict=True)
    assert graph.model_dump(mode="json", exclude_none=True) == export.graph


def test_schema_rejects_what_the_format_does_not_allow(export: Export) -> None:
    """The schema is not vacuous: each of these breaks the documented format."""
    def broken(change) -> dict:
        graph = copy.deepcopy(export.graph)
        change(graph)
        return graph

    cases = {
        "format_version 2": lambda g: g.update(format_version=2),
        "unknown top-level key": lambda g: g.update(extra=[]),
        "thesis without proof": lambda g: g["theses"][0].pop("proof"),
        "unknown direction": lambda g: g["theses"][0]["assets"][0].update(direction="sideways"),
        "claim without grade": lambda g: g["theses"][0]["claims"][0].pop("grade"),
        "stance count as text": lambda g: g["assets"][0]["stance"].update(long="4"),
        "bad date": lambda g: g["sources"][0].update(published="yesterday"),
        "unknown field in a person": lambda g: g["people"][0].update(nickname="x"),
    }
    for name, change in cases.items():
        assert errors_of(export.schema, broken(change)), name


def test_one_file_per_entity_equals_the_entity_in_graph_json(export: Export) -> None:
    definitions = {"sources": "ExportedSource", "theses": "ExportedThesis", "assets": "ExportedAsset",
                   "people": "ExportedPerson"}
    for folder, definition in definitions.items():
        schema = {"$schema": export.schema["$schema"], "$defs": export.schema["$defs"], "$ref": f"#/$defs/{definition}"}
        for identifier, entity in export.entities(folder).items():
            single = json.loads((export.api / folder / f"{identifier}.json").read_text(encoding="utf-8"))
            assert single == entity, (folder, identifier)
            assert errors_of(schema, single) == [], (folder, identifier)


def test_content_schemas_are_exported_and_equal_the_schema_command(export: Export, tmp_path: Path) -> None:
    result = run_cli("schema", "--out", str(tmp_path / "schemas"))
    assert result.exit_code == 0, result.output
    for kind in KINDS.values():
        exported = export.api / "schema" / f"{kind}.schema.json"
        assert exported.read_bytes() == (tmp_path / "schemas" / f"{kind}.schema.json").read_bytes(), kind
        jsonschema.Draft202012Validator.check_schema(json.loads(exported.read_text(encoding="utf-8")))


def test_authored_part_of_simple_entities_validates_against_the_content_schema(export: Export) -> None:
    """A program can turn an exported source, asset or person back into a content file."""
    for folder in ("sources", "assets", "people"):
        schema = json.loads((export.api / "schema" / f"{KINDS[folder]}.schema.json").read_text(encoding="utf-8"))
        for identifier, entity in export.entities(folder).items():
            authored = {k: v for k, v in entity.items() if k not in DERIVED[folder]}
            assert errors_of(schema, authored) == [], (folder, identifier)


def test_export_in_the_built_site_equals_the_export_command(export: Export) -> None:
    assert tree_bytes(export.site / "api") == tree_bytes(export.api)


# ----------------------------------------------------------------------- entities and authored fields


def test_every_entity_is_present_with_its_authored_fields(export: Export) -> None:
    for folder in KINDS:
        entities = export.entities(folder)
        assert sorted(entities) == sorted(export.raw[folder]), folder
        assert [e["id"] for e in export.graph[folder]] == sorted(entities), folder  # stable order
        for identifier, raw in export.raw[folder].items():
            entity = entities[identifier]
            for key, value in raw.items():
                if key in ("claims", "body"):
                    continue
                assert entity[key] == value, (folder, identifier, key)
    for thesis_id, raw in export.raw["theses"].items():
        claims = export.entities("theses")[thesis_id]["claims"]
        assert [c["id"] for c in claims] == [c["id"] for c in raw["claims"]], thesis_id
        for claim, raw_claim in zip(claims, raw["claims"], strict=True):
            assert claim["reference"] == f"{thesis_id}#{raw_claim['id']}"
            assert (claim["text"], claim["confidence"]) == (raw_claim["text"], raw_claim["confidence"])
            assert [{k: v for k, v in e.items() if k != "verified"} for e in claim["evidence"]] == \
                   [{"paraphrase": False, **e} for e in raw_claim["evidence"]], claim["reference"]
        if "body" in raw:
            assert export.entities("theses")[thesis_id]["body"].strip() == raw["body"].strip()
    tags = {tag for folder in ("sources", "theses") for raw in export.raw[folder].values() for tag in raw.get("tags", ())}
    assert export.graph["tags"] == sorted(tags)


# ----------------------------------------------------------------------- derived values


def test_proof_is_derived_and_printed_as_the_site_prints_it(export: Export) -> None:
    for thesis_id, thesis in export.entities("theses").items():
        raw = export.raw["theses"][thesis_id]
        proof = thesis["proof"]
        assert proof["extracted_claims"] == len(raw["claims"])
        assert proof["directional_assets"] == sum(p["direction"] in ("long", "short") for p in raw["assets"])
        cited = {e["source"] for c in raw["claims"] for e in c["evidence"]}
        people = {p["id"]: p["name"] for p in export.raw["people"].values()}
        authors = {name for s in cited
                   for name in ([people[p] for p in export.raw["sources"][s].get("speakers", [])]
                                or [export.raw["sources"][s]["publisher"]])}
        assert sorted(proof["supporting_authors"]) == sorted(authors), thesis_id
        count = proof["supporting_authors"]
        assert proof["line"] == (
            f"{proof['strength'].capitalize()} source proof | {len(raw['claims'])} extracted claim{'s' * (len(raw['claims']) != 1)}"
            f" | {proof['directional_assets']} directional asset{'s' * (proof['directional_assets'] != 1)}"
            f" | {len(count)} supporting author{'s' * (len(count) != 1)} | {proof['title_review']} title review")
        page = (export.site / thesis["page"] / "index.html").read_text(encoding="utf-8")
        assert proof["line"] in page, thesis_id
    if export.name == "shipped":
        assert export.entities("theses")[LECTURE_15]["proof"]["line"] == LECTURE_15_PROOF


def test_stance_per_asset_counts_active_and_monitoring_positions(export: Export) -> None:
    """Open positions of active and monitoring theses count; a closed position (the sample's MU
    watch) is listed with its dates and not counted."""
    for asset_id, asset in export.entities("assets").items():
        expected = {"long": 0, "short": 0, "neutral": 0, "watch": 0}
        positions = []
        for thesis_id, raw in export.raw["theses"].items():
            for position in raw["assets"]:
                if position["asset"] == asset_id:
                    counted = raw["status"] in COUNTED and "closed" not in position
                    expected[position["direction"]] += counted
                    dates = {"opened": str(position.get("opened", raw["opened"]))}
                    if "closed" in position:
                        dates["closed"] = str(position["closed"])
                    positions.append({"thesis": thesis_id, "direction": position["direction"], "counted": counted,
                                      "because": [f"{thesis_id}#{c}" for c in position.get("because", [])], **dates})
        stance = asset["stance"]
        assert {k: stance[k] for k in expected} == expected, asset_id
        assert sorted(asset["positions"], key=_key) == sorted(positions, key=_key), asset_id
        net = ("net long" if expected["long"] > expected["short"] else "net short" if expected["short"] > expected["long"]
               else "balanced" if expected["long"] or expected["neutral"] else "watch only" if expected["watch"] else "no stance")
        assert stance["net"] == net, asset_id
    if export.name == "sample":
        mu = {p["thesis"]: p for p in export.entities("assets")["MU"]["positions"]}
        assert mu["leading-edge-scarcity"] == {"thesis": "leading-edge-scarcity", "direction": "watch",
                                               "because": ["leading-edge-scarcity#capacity-sold-out"], "counted": False,
                                               "opened": "2026-02-25", "closed": "2026-04-01"}
        assert export.entities("assets")["MU"]["stance"]["watch"] == 0
    nvda = export.entities("assets")["NVDA"]["stance"]
    if export.name == "sample":  # a watch in a monitoring thesis, a neutral in an active one
        assert nvda == {"long": 0, "short": 0, "neutral": 1, "watch": 1, "net": "balanced"}
    else:
        assert nvda["net"] == "net long" and nvda["long"] >= 4


def test_citation_backlinks_and_claim_support(export: Export) -> None:
    cited_by: dict[str, list] = {source_id: [] for source_id in export.raw["sources"]}
    for thesis_id, raw in export.raw["theses"].items():
        for claim in raw["claims"]:
            for evidence in claim["evidence"]:
                cited_by[evidence["source"]].append(
                    {"thesis": thesis_id, "claim": claim["id"], "at": evidence["at"],
                     "verified": not evidence.get("paraphrase", False)})
    for source_id, source in export.entities("sources").items():
        assert sorted(source["cited_by"], key=_key) == sorted(cited_by[source_id], key=_key), source_id
    for thesis_id, thesis in export.entities("theses").items():
        raw = export.raw["theses"][thesis_id]
        for claim in thesis["claims"]:
            supports = [p["asset"] for p in raw["assets"] if claim["id"] in p.get("because", [])]
            assert sorted(claim["supports"]) == sorted(supports), claim["reference"]
            assert [e["verified"] for e in claim["evidence"]] == [not e["paraphrase"] for e in claim["evidence"]]


def test_person_backlinks(export: Export) -> None:
    for person_id, person in export.entities("people").items():
        assert person["spoke"] == sorted(s for s, raw in export.raw["sources"].items() if person_id in raw.get("speakers", []))
        assert person["wrote"] == sorted(t for t, raw in export.raw["theses"].items() if person_id in raw["authors"])
        assert person["reviewed"] == sorted(t for t, raw in export.raw["theses"].items()
                                            if (raw.get("review") or {}).get("by") == person_id)


def test_dates_fall_back_to_opened_without_git_history(export: Export) -> None:
    for thesis_id, thesis in export.entities("theses").items():
        opened = export.raw["theses"][thesis_id]["opened"]
        assert thesis["first_published"] == thesis["last_changed"] == opened
        assert {(c["first_published"], c["last_changed"]) for c in thesis["claims"]} == {(opened, opened)}


def test_page_paths_name_pages_and_anchors_of_the_built_site(export: Export) -> None:
    for folder in KINDS:
        for entity in export.graph[folder]:
            assert (export.site / entity["page"] / "index.html").is_file(), entity["page"]
    for thesis in export.graph["theses"]:
        assert thesis["page"] == f"theses/{thesis['id']}/"
        for claim in thesis["claims"]:
            page, _, anchor = claim["page"].partition("#")
            assert page == f"theses/{thesis['id']}/evidence/" and anchor == claim["id"]
            assert f'id="{anchor}"' in (export.site / page / "index.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------- the command


def test_export_takes_dates_from_git_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path)
    repo = Repo.create(tmp_path / "project")
    repo.commit("Base content", date="2026-03-01")
    repo.replace("content/theses/memory-bound.yaml", "text: Decode is bound by memory bandwidth rather than compute.",
                 "text: Decode is bound by memory bandwidth, not by compute.")
    repo.commit("Reword decode-bound", date="2026-03-05", who="bo")
    result = run_cli("export", "--root", str(repo.root), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    graph = json.loads((tmp_path / "out" / "api" / "graph.json").read_text(encoding="utf-8"))
    schema = json.loads((tmp_path / "out" / "api" / "schema" / "graph.schema.json").read_text(encoding="utf-8"))
    assert errors_of(schema, graph) == []
    thesis = next(t for t in graph["theses"] if t["id"] == "memory-bound")
    assert (thesis["first_published"], thesis["last_changed"]) == ("2026-03-01", "2026-03-05")
    claims = {c["id"]: (c["first_published"], c["last_changed"]) for c in thesis["claims"]}
    assert claims == {"decode-bound": ("2026-03-01", "2026-03-05"), "context-grows": ("2026-03-01", "2026-03-01"),
                      "prices-rise": ("2026-03-01", "2026-03-01")}
    assert repo.status() == ""  # export writes outside the repository only


def test_export_again_after_a_removal_leaves_no_stale_entity_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path)
    paths = make_project(tmp_path / "project")
    out = tmp_path / "out"
    assert run_cli("export", "--root", str(paths.root), "--out", str(out)).exit_code == 0
    (out / "notes.txt").write_text("not the export's", encoding="utf-8")
    (paths.root / "content" / "theses" / "leading-edge-scarcity.yaml").unlink()
    result = run_cli("export", "--root", str(paths.root), "--out", str(out))
    assert result.exit_code == 0, result.output
    graph = json.loads((out / "api" / "graph.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in (out / "api" / "theses").iterdir()) == [f"{t['id']}.json" for t in graph["theses"]] \
        == ["memory-bound-inference.json"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "not the export's"  # only api/ is the export's


def test_export_defaults_to_build_export_and_writes_nothing_on_content_errors(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch, tmp_path)
    paths = make_project(tmp_path / "project")
    result = run_cli("export", "--root", str(paths.root))
    assert result.exit_code == 0, result.output
    assert (paths.root / "build" / "export" / "api" / "graph.json").is_file()
    thesis = paths.root / "content" / "theses" / "leading-edge-scarcity.yaml"
    thesis.write_text(thesis.read_text(encoding="utf-8").replace("  - asset: TSM\n", "  - asset: TSMM\n"), encoding="utf-8")
    result = run_cli("export", "--root", str(paths.root), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "ref.unknown-asset" in result.output
    assert not (tmp_path / "out").exists()


def test_export_strict_refuses_warnings_and_shows_them_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like `check` and `build`: warnings are printed; under --strict they stop the export."""
    isolate_git(monkeypatch, tmp_path)
    paths = make_project(tmp_path / "project")
    thesis = paths.root / "content" / "theses" / "leading-edge-scarcity.yaml"
    text = thesis.read_text(encoding="utf-8")
    unused = ("  - id: spare-claim\n    text: A claim no position rests on, with its own evidence.\n"
              "    confidence: low\n")
    assert "\nclaims:\n" in text
    thesis.write_text(text.replace("\nclaims:\n", "\nclaims:\n" + unused, 1), encoding="utf-8")
    strict = run_cli("export", "--strict", "--root", str(paths.root), "--out", str(tmp_path / "strict"))
    assert strict.exit_code == 1
    assert not (tmp_path / "strict").exists()
    lenient = run_cli("export", "--root", str(paths.root), "--out", str(tmp_path / "lenient"))
    assert lenient.exit_code == 0, lenient.output
    assert (tmp_path / "lenient" / "api" / "graph.json").is_file()
    for result in (strict, lenient):
        assert "warning[" in result.output
