"""Validate: a loaded data tree → a frozen content model, or diagnostics at `file:line:col`.

Every pydantic error is mapped to a registered code, the field path, and the position of the
longest key path the loader recorded (a missing field points at its parent mapping); a broken
relation rule points at the field it is about.

A document with errors still yields what of it validated (`PartialDocument`), so that linking
can check its references and quotes in the same run. Its parts are validated by the same models
and field types as the whole; it never reaches the graph or the pages.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import BaseModel, TypeAdapter, ValidationError

from .diagnostics import Diagnostic, did_you_mean
from .load import KeyPath, LoadedDocument, dotted_path
from .models import CONTENT_MODELS, RULE_ERROR, Authored
from .settings import MAX_CLAIMS_PER_THESIS
from .timestamps import timestamp_seconds
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
    "published": "YYYY-MM-DD, or YYYY-MM / YYYY when the source gives no more",
    "as_of": "YYYY-MM-DD, or YYYY-MM / YYYY when no more is known",
    "currency": "an ISO 4217 code in capitals, e.g. 'USD'",
}


@dataclass(frozen=True)
class ValidDocument:
    """A model together with the loaded document it came from (for positions in later stages)."""

    model: Authored
    document: LoadedDocument

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def id(self) -> str:
        identifier: str = self.model.id  # type: ignore[attr-defined]  # every content model has an `id`
        return identifier

    @property
    def view(self) -> Authored:
        return self.model


@dataclass(frozen=True)
class Partial:
    """What of one mapping validated when the whole did not.

    `fields` holds each field whose value validated on its own, by the field's own type (a field
    left out takes its default); a list that failed as a whole is `Items`, a mapping that failed
    is a `Partial` of its own. Read it with `field_value` and `items_of`, which read models alike.
    """

    model: type[BaseModel]
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent back from loading workers like the rest of a check (a read-only mapping cannot be pickled)."""
        return (Partial, (self.model, dict(self.fields)))


@dataclass(frozen=True)
class Items:
    """A list that failed as a whole: (index, item) for each item that validated (a value, a
    model, or a `Partial`), and how many items the list had."""

    valid: tuple[tuple[int, Any], ...]
    length: int


@dataclass(frozen=True)
class PartialDocument:
    """A document with schema errors: what of it validated, for linking only (never for pages)."""

    view: Partial
    document: LoadedDocument

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def id(self) -> str:
        """The id it gives itself when that validated, else its file name's."""
        value = self.view.fields.get("id")
        return value if isinstance(value, str) else self.document.stem


View = BaseModel | Partial


def field_value(view: View | None, name: str) -> Any:
    """A field of a model or of a partial view; None when absent or invalid."""
    if isinstance(view, Partial):
        return view.fields.get(name)
    return getattr(view, name, None)


def items_of(view: View | None, name: str) -> list[tuple[int, Any]]:
    """(index, item) for the items of a list field that validated, with their indexes in the file."""
    value = field_value(view, name)
    if isinstance(value, Items):
        return list(value.valid)
    if isinstance(value, (list, tuple)):
        return list(enumerate(value))
    return []


def all_items_known(view: View | None, name: str) -> bool:
    """True when every item of a list field validated at least in part (so the list is known whole)."""
    value = field_value(view, name)
    if isinstance(value, Items):
        return len(value.valid) == value.length
    return isinstance(value, (list, tuple))


def validate_document(document: LoadedDocument) -> tuple[ValidDocument | None, list[Diagnostic]]:
    """The model of a valid document (None when it has schema errors), and every diagnostic."""
    checked, diagnostics = check_document(document)
    return (checked if isinstance(checked, ValidDocument) else None), diagnostics


def check_document(document: LoadedDocument) -> tuple[ValidDocument | PartialDocument, list[Diagnostic]]:
    """The model of a valid document, or what of it validated; and every diagnostic, including
    the in-file checks (id, unique ids) of the parts that validated."""
    model_class = CONTENT_MODELS[document.kind]
    try:
        model = model_class.model_validate(document.data)
    except ValidationError as error:
        diagnostics = [diagnostic for item in error.errors(include_url=False) if _loc(item) not in document.unresolved
                       for diagnostic in _diagnostics_for(document, model_class, item)]
        view = partial_view(model_class, document.data)
        return PartialDocument(view, document.validated()), (diagnostics + _check_identity(document, view) + _check_unique_ids(document, view)
                                                 + _check_length(document, view))
    return ValidDocument(model, document.validated()), (_check_identity(document, model) + _check_unique_ids(document, model)
                                            + _check_length(document, model))


# --------------------------------------------------------------------------- partial views


_INVALID = object()


def _view(model_class: type[BaseModel], raw: Any) -> BaseModel | Partial | None:
    """`raw` as `model_class` validates it: the model, else a `Partial`, else None (not a mapping)."""
    try:
        return model_class.model_validate(raw)
    except ValidationError:
        return partial_view(model_class, raw) if isinstance(raw, dict) else None


def partial_view(model_class: type[BaseModel], raw: dict[str, Any]) -> Partial:
    """What of `raw` validates as fields of `model_class`, field by field (of a valid mapping:
    every field, equal to the model's; a test keeps the two in step)."""
    fields: dict[str, Any] = {}
    for name, info in model_class.model_fields.items():
        if name not in raw:
            if not info.is_required():
                fields[name] = info.get_default(call_default_factory=True)
            continue
        value = _field_view(model_class, name, raw[name])
        if value is not _INVALID:
            fields[name] = value
    return Partial(model_class, fields)


def _field_view(model_class: type[BaseModel], name: str, raw: Any) -> Any:
    """One field's value validated by the field's own type; a failing list keeps the items that
    validate, a failing mapping what of it validates."""
    try:
        return _field_adapter(model_class, name).validate_python(raw)
    except ValidationError:
        pass
    annotation = model_class.model_fields[name].annotation
    item = list_item(annotation)
    if item is not None and isinstance(raw, list):
        item_model = model_class_of(item)
        kept: list[tuple[int, Any]] = []
        for index, entry in enumerate(raw):
            if item_model is not None:
                value = _view(item_model, entry)
                if value is not None:
                    kept.append((index, value))
                continue
            try:
                kept.append((index, _item_adapter(model_class, name).validate_python(entry)))
            except ValidationError:
                pass
        return Items(tuple(kept), len(raw))
    nested = model_class_of(annotation)
    if nested is not None and isinstance(raw, dict):
        return partial_view(nested, raw)
    return _INVALID


@functools.cache
def _field_adapter(model_class: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """The field's annotation with its constraints, under the model's strictness."""
    return TypeAdapter(model_class.model_fields[name].rebuild_annotation(), config=_adapter_config(model_class))


@functools.cache
def _item_adapter(model_class: type[BaseModel], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(list_item(model_class.model_fields[name].annotation), config=_adapter_config(model_class))


def _adapter_config(model_class: type[BaseModel]) -> Any:
    return {key: model_class.model_config[key] for key in ("strict", "str_strip_whitespace")
            if key in model_class.model_config}


def bare_annotation(annotation: Any) -> Any:
    """`X` out of `Annotated[X, ...]` and `X | None`, however nested."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), annotation)
        else:
            return annotation


def list_item(annotation: Any) -> Any:
    """The item annotation of a list (constraints kept), or None when `annotation` is no list."""
    annotation = bare_annotation(annotation)
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) in (list, tuple) else None


def model_class_of(annotation: Any) -> type[BaseModel] | None:
    annotation = bare_annotation(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


# --------------------------------------------------------------------------- checks beyond one field


def _check_identity(document: LoadedDocument, view: View) -> list[Diagnostic]:
    given = field_value(view, "id")
    if not isinstance(given, str) or given == document.stem:
        return []
    line, column = document.locate(("id",))
    return [Diagnostic(document.relpath, line, column, "id.mismatch", "id",
                       f"id '{given}' differs from the file name '{document.stem}'", f"write id: {document.stem}")]


def _check_length(document: LoadedDocument, view: View) -> list[Diagnostic]:
    """A thesis page past `MAX_CLAIMS_PER_THESIS` claims is more than a reader can use."""
    claims = field_value(view, "claims")
    count = claims.length if isinstance(claims, Items) else len(claims) if isinstance(claims, (list, tuple)) else 0
    if document.kind != "thesis" or count <= MAX_CLAIMS_PER_THESIS:
        return []
    line, column = document.locate(("claims", MAX_CLAIMS_PER_THESIS))
    return [Diagnostic(document.relpath, line, column, "thesis.too-many-claims",
                       dotted_path(("claims", MAX_CLAIMS_PER_THESIS)),
                       f"{count:,} claims, over the limit of {MAX_CLAIMS_PER_THESIS} for one page",
                       "split the thesis by argument")]


def _check_unique_ids(document: LoadedDocument, view: View) -> list[Diagnostic]:
    """Ids that anchor a page section must be unique within their file (among the items that have one)."""
    groups: list[tuple[str, list[tuple[KeyPath, Any]]]] = []
    if document.kind == "source":
        groups.append(("insight point", [(("insights", g, "points", p, "id"), field_value(point, "id"))
                                          for g, group in items_of(view, "insights") for p, point in items_of(group, "points")]))
        groups.append(("insight group", [(("insights", g, "id"), field_value(group, "id")) for g, group in items_of(view, "insights")]))
        groups.append(("table", [(("tables", t, "id"), field_value(table, "id")) for t, table in items_of(view, "tables")]))
        groups.append(("moment", [(("moments", m, "at"), field_value(moment, "at")) for m, moment in items_of(view, "moments")]))
    elif document.kind == "thesis":
        groups.append(("claim", [(("claims", c, "id"), field_value(claim, "id")) for c, claim in items_of(view, "claims")]))
    diagnostics = []
    for what, entries in groups:
        first: dict[object, KeyPath] = {}
        for path, value in entries:
            if value is None:
                continue
            key = _same_time(value) if what == "moment" else value  # `1:20`, `01:20` and `0:01:20` share one anchor
            if key in first:
                line, column = document.locate(path)
                first_line = document.locate(first[key])[0]
                diagnostics.append(Diagnostic(document.relpath, line, column, "field.duplicate-id", dotted_path(path),
                                              f"{what} id '{value}' is used twice", f"first used on line {first_line}"))
            else:
                first[key] = path
    return diagnostics


def _same_time(at: str) -> int | str:
    """A moment's time in seconds, the anchor its page gives it; its text when it is no timestamp."""
    try:
        return timestamp_seconds(at)
    except ValueError:
        return at


def _loc(item: Any) -> KeyPath:
    return tuple(part for part in item["loc"] if isinstance(part, (str, int)))


def _diagnostics_for(document: LoadedDocument, model_class: type[BaseModel], item: Any) -> list[Diagnostic]:
    if item["type"] == RULE_ERROR:
        return [_rule_diagnostic(document, (*_loc(item), *path), message) for path, message in item["ctx"]["broken"]]
    return [_diagnostic_for(document, model_class, item)]


def _rule_diagnostic(document: LoadedDocument, loc: KeyPath, message: str) -> Diagnostic:
    """A broken relation rule, at the field it is about (at its parent when that field is absent)."""
    line, column = document.locate(loc)
    return Diagnostic(document.relpath, line, column, "field.value", dotted_path(loc), message)


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
    if kind == "extra_forbidden" and loc == ("body",) and document.body and document.body.strip():
        line, column = document.locate(loc, at_key=True)
        return Diagnostic(document.relpath, line, column, "field.unknown", path,
                          f"a {document.kind} file has no Markdown body", "move the text into a field, or delete it")
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
            hint = ("write a real date as YYYY-MM-DD, YYYY-MM or YYYY" if field_name in ("published", "as_of")
                    else "write a real date as YYYY-MM-DD")
        elif field_name == "at" and loc[:1] == ("moments",):
            hint = _FORMAT_HINTS["duration"]
        if (not hint and field_name in ("source", "by", "speakers", "authors", "because")) or field_name == "id":
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
    while (item := list_item(annotation)) is not None:
        annotation = item
    return bare_annotation(annotation)
