"""Validate: a loaded data tree → a frozen content model, or diagnostics at `file:line:col`.

Every pydantic error is mapped to a registered code, the field path, and the position of the
longest key path the loader recorded (a missing field points at its parent mapping).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, did_you_mean
from .load import KeyPath, LoadedDocument, dotted_path
from .models import CONTENT_MODELS, Authored, Source, Thesis
from .settings import MAX_CLAIMS_PER_THESIS

_TYPE_ERRORS = {
    "string_type", "bool_type", "int_type", "float_type", "date_type", "list_type", "dict_type",
    "model_type", "model_attributes_type", "bool_parsing", "int_parsing", "date_from_datetime_inexact",
}
_FORMAT_ERRORS = {"string_pattern_mismatch", "date_parsing", "date_from_datetime_parsing", "string_too_long"}
_TYPE_NAMES = {
    "string_type": "text", "bool_type": "true or false", "int_type": "a whole number", "float_type": "a number",
    "date_type": "a date YYYY-MM-DD", "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields", "bool_parsing": "true or false", "int_parsing": "a whole number",
}
_FORMAT_HINTS = {
    "id": "lower-case letters, digits and '-', e.g. 'cs336-lecture-15'",
    "asset": "an upper-case ticker such as 'NVDA'",
    "url": "an absolute http(s) URL",
    "links": "an absolute http(s) URL",
    "at": "e.g. 'insight/<point-id>', 'moment/1:02:03', 'table/<id>', 'tldr', 'bottom-line' or 'body'",
    "duration": "H:MM:SS or MM:SS",
    "published": "YYYY-MM-DD",
}


@dataclass(frozen=True)
class ValidDocument:
    """A model together with the loaded document it came from (for positions in later stages)."""

    model: Authored
    document: LoadedDocument

    @property
    def kind(self) -> str:
        return self.document.kind


def validate_document(document: LoadedDocument) -> tuple[ValidDocument | None, list[Diagnostic]]:
    model_class = CONTENT_MODELS[document.kind]
    try:
        model = model_class.model_validate(document.data)
    except ValidationError as error:
        return None, [_diagnostic_for(document, model_class, item) for item in error.errors(include_url=False)
                      if _loc(item) not in document.unresolved]
    diagnostics = _check_identity(document, model) + _check_unique_ids(document, model) + _check_length(document, model)
    return ValidDocument(model, document), diagnostics


def _check_identity(document: LoadedDocument, model: Authored) -> list[Diagnostic]:
    if model.id == document.stem:  # type: ignore[attr-defined]
        return []
    line, column = document.locate(("id",))
    return [Diagnostic(document.relpath, line, column, "id.mismatch", "id",
                       f"id '{model.id}' differs from the file name '{document.stem}'",  # type: ignore[attr-defined]
                       f"write id: {document.stem}")]


def _check_length(document: LoadedDocument, model: Authored) -> list[Diagnostic]:
    if not isinstance(model, Thesis) or len(model.claims) <= MAX_CLAIMS_PER_THESIS:
        return []
    line, column = document.locate(("claims", MAX_CLAIMS_PER_THESIS))
    return [Diagnostic(document.relpath, line, column, "thesis.too-many-claims",
                       dotted_path(("claims", MAX_CLAIMS_PER_THESIS)),
                       f"{len(model.claims):,} claims, over the limit of {MAX_CLAIMS_PER_THESIS} for one page",
                       "split the thesis by argument")]


def _check_unique_ids(document: LoadedDocument, model: Authored) -> list[Diagnostic]:
    """Ids that anchor a page section must be unique within their file."""
    groups: list[tuple[str, list[tuple[KeyPath, str]]]] = []
    if isinstance(model, Source):
        groups.append(("insight point", [(("insights", g, "points", p, "id"), point.id)
                                          for g, group in enumerate(model.insights) for p, point in enumerate(group.points)]))
        groups.append(("insight group", [(("insights", g, "id"), group.id) for g, group in enumerate(model.insights)]))
        groups.append(("table", [(("tables", t, "id"), table.id) for t, table in enumerate(model.tables)]))
        groups.append(("moment", [(("moments", m, "at"), moment.at) for m, moment in enumerate(model.moments)]))
    elif isinstance(model, Thesis):
        groups.append(("claim", [(("claims", c, "id"), claim.id) for c, claim in enumerate(model.claims)]))
    diagnostics = []
    for what, entries in groups:
        first: dict[str, KeyPath] = {}
        for path, value in entries:
            if value in first:
                line, column = document.locate(path)
                first_line = document.locate(first[value])[0]
                diagnostics.append(Diagnostic(document.relpath, line, column, "field.duplicate-id", dotted_path(path),
                                              f"{what} id '{value}' is used twice", f"first used on line {first_line}"))
            else:
                first[value] = path
    return diagnostics


def _loc(item: Any) -> KeyPath:
    return tuple(part for part in item["loc"] if isinstance(part, (str, int)))


def _diagnostic_for(document: LoadedDocument, model_class: type[BaseModel], item: Any) -> Diagnostic:
    loc = _loc(item)
    kind = item["type"]
    if kind == "date_type" and isinstance(item.get("input"), str):
        kind = "date_parsing"  # text that is not a real YYYY-MM-DD date is a format error, not a type error
    path = dotted_path(loc)
    field_name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        line, column = document.locate(loc[:-1])
        parent = dotted_path(loc[:-1]) or "the document"
        return Diagnostic(document.relpath, line, column, "field.missing", path,
                          f"required field '{field_name}' is missing from {parent}", f"add `{field_name}:`")
    if kind == "extra_forbidden":
        line, column = document.locate(loc, at_key=True)
        allowed = _fields_at(model_class, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) or ("allowed: " + ", ".join(sorted(allowed)) if allowed else "")
        return Diagnostic(document.relpath, line, column, "field.unknown", path, f"unknown field '{loc[-1]}'", hint)
    line, column = document.locate(loc)
    given = item.get("input")
    if kind == "literal_error":
        expected = item.get("ctx", {}).get("expected", "")
        choices = [choice.strip().strip("'") for choice in expected.replace(" or ", ",").split(",") if choice.strip()]
        hint = did_you_mean(str(given), choices) or f"expected one of {expected}"
        return Diagnostic(document.relpath, line, column, "field.enum", path, f"'{given}' is not an allowed value", hint)
    if kind in _TYPE_ERRORS:
        wanted = _TYPE_NAMES.get(kind, "another type")
        return Diagnostic(document.relpath, line, column, "field.type", path,
                          f"expected {wanted}, got {_describe(given)}", _type_hint(kind, given))
    if kind in _FORMAT_ERRORS:
        hint = _FORMAT_HINTS.get(field_name, "")
        if kind.startswith("date"):
            hint = "write a real date as YYYY-MM-DD"
        elif field_name == "at" and loc[:1] == ("moments",):
            hint = _FORMAT_HINTS["duration"]
        if not hint and field_name in ("source", "by", "speakers", "authors", "because") or field_name == "id":
            hint = _FORMAT_HINTS["id"]
        return Diagnostic(document.relpath, line, column, "field.format", path,
                          f"'{given}' is not in the expected format" if isinstance(given, str) else item["msg"], hint)
    message = item["msg"].removeprefix("Value error, ")
    return Diagnostic(document.relpath, line, column, "field.value", path, message)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"


def _type_hint(kind: str, given: Any) -> str:
    if kind in ("string_type",) and isinstance(given, (dict, list)):
        return "quote the text or remove the nested structure"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false"
    if kind == "date_type":
        return "write the date as YYYY-MM-DD"
    return ""


def _fields_at(model_class: type[BaseModel], loc: KeyPath) -> list[str]:
    """Field names of the model reached by following `loc` through nested models and lists."""
    current: Any = model_class
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return []
        current = _inner_model(current.model_fields[part].annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """Unwrap `list[X]`, `X | None` and `Annotated[X, ...]` down to a model class."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), annotation)
        else:
            return annotation
