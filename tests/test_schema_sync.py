"""The JSON Schemas editors use stay in step with the models, and every shipped file points at them.

Regenerate the committed schemas after a model change with `thesis-site schema` (or with every
other expected file: `UPDATE_EXPECTED=1 python -m pytest -m expected_files`, README "Tests").
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from generator import cli
from generator.models import CONTENT_MODELS
from generator.schema import schema_text
from generator.settings import KIND_FOLDERS

REPOSITORY = Path(__file__).parent.parent
SCHEMAS = REPOSITORY / "schemas"
CONTENT = REPOSITORY / "content"
FOLDER_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}


def shipped_files() -> list[Path]:
    return sorted(path for folder in KIND_FOLDERS.values() for path in (CONTENT / folder).glob("*")
                  if path.suffix in (".yaml", ".md"))


def kind_of(path: Path) -> str:
    return FOLDER_KINDS[path.parent.name]


def front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".yaml":
        return text
    lines = text.splitlines(keepends=True)
    assert lines[0].rstrip() == "---", f"{path} must open with front matter"
    end = next(index for index in range(1, len(lines)) if lines[index].rstrip() in ("---", "..."))
    return "".join(lines[1:end])


# --------------------------------------------------------------------------- committed schemas


@pytest.mark.expected_files
@pytest.mark.parametrize("kind", sorted(CONTENT_MODELS))
def test_committed_schema_equals_the_models(kind: str, update_expected: bool) -> None:
    if update_expected:
        (SCHEMAS / f"{kind}.schema.json").write_text(schema_text(kind), encoding="utf-8")
    committed = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), "regenerate with: thesis-site schema"


def test_no_stale_schema_files() -> None:
    assert sorted(path.name for path in SCHEMAS.glob("*.json")) == sorted(f"{kind}.schema.json" for kind in CONTENT_MODELS)


def test_schema_command_writes_the_committed_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for kind in CONTENT_MODELS:
        assert (tmp_path / f"{kind}.schema.json").read_text(encoding="utf-8") == schema_text(kind)


@pytest.mark.parametrize("kind", sorted(CONTENT_MODELS))
def test_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{kind}.schema.json")
    assert schema["additionalProperties"] is False


# --------------------------------------------------------------------------- shipped files point at them


def test_content_ships_files_of_every_kind() -> None:
    assert {kind_of(path) for path in shipped_files()} == set(KIND_FOLDERS)


@pytest.mark.parametrize("path", shipped_files(), ids=lambda path: path.relative_to(CONTENT).as_posix())
def test_shipped_file_declares_its_schema(path: Path) -> None:
    expected = f"# yaml-language-server: $schema=../../schemas/{kind_of(path)}.schema.json"
    first_line = front_matter(path).splitlines()[0]
    assert first_line == expected
    assert (path.parent / "../../schemas" / f"{kind_of(path)}.schema.json").resolve().is_file()


def _json_ready(value: object) -> object:
    """YAML dates as the ISO text the contributor wrote (what yaml-language-server sees)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("path", shipped_files(), ids=lambda path: path.relative_to(CONTENT).as_posix())
def test_shipped_file_is_valid_against_its_schema(path: Path) -> None:
    """An editor using the committed schema shows no false error on shipped content."""
    schema = json.loads((SCHEMAS / f"{kind_of(path)}.schema.json").read_text(encoding="utf-8"))
    data = _json_ready(yaml.safe_load(front_matter(path)))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


# --------------------------------------------------------------------------- every field is described


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for argument in typing.get_args(annotation):
        found += _models_in(argument)
    return found


def _all_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    pending = list(CONTENT_MODELS.values())
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            pending += _models_in(info.annotation)
    return sorted(seen, key=lambda model: model.__name__)


def test_the_walk_reaches_nested_models() -> None:
    names = {model.__name__ for model in _all_models()}
    assert {"Source", "InsightGroup", "InsightPoint", "Moment", "DataTable", "Mention", "Metrics",
            "Thesis", "Claim", "Evidence", "Position", "Review", "Asset", "Person"} <= names


@pytest.mark.parametrize("model", _all_models(), ids=lambda model: model.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    undescribed = [name for name, info in model.model_fields.items() if not (info.description or "").strip()]
    assert undescribed == []


@pytest.mark.parametrize("model", _all_models(), ids=lambda model: model.__name__)
def test_every_model_is_frozen_and_forbids_unknown_fields(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True


@pytest.mark.parametrize("kind", sorted(CONTENT_MODELS))
def test_every_schema_property_carries_its_description(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    objects = [schema, *schema.get("$defs", {}).values()]
    for obj in objects:
        for name, prop in obj.get("properties", {}).items():
            assert prop.get("description"), f"{obj.get('title')}.{name}"

