"""The Contributing page: the content format from the models' own field descriptions, every
diagnostic code from the registry, and the review flow. Generated, so it cannot drift from the
code that enforces it.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel

from ..diagnostics import CODES
from ..discover import CONTENT_SUFFIXES, SKIPPED_NAMES
from ..markup import ALLOWED_SCHEMES
from ..models import CONTENT_MODELS, DIRECTIONAL, ID_PATTERN, LOCATOR_FORMS
from ..settings import KIND_FOLDERS
from .entities import make_nav
from .urls import CONTRIBUTING, Here
from .views import Nav


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class ModelSection:
    title: str
    location: str
    fields: tuple[FieldRow, ...]


@dataclass(frozen=True)
class CodeRow:
    code: str
    severity: str
    description: str


@dataclass(frozen=True)
class ContentRules:
    """What the page's rules name, from the constants the code applies (not typed in the template)."""

    id_pattern: str = ID_PATTERN
    locator_forms: tuple[str, ...] = LOCATOR_FORMS
    directional: tuple[str, ...] = DIRECTIONAL
    content_folders: tuple[str, ...] = tuple(f"{folder}/" for folder in KIND_FOLDERS.values())
    content_suffixes: tuple[str, ...] = CONTENT_SUFFIXES
    skipped_names: tuple[str, ...] = SKIPPED_NAMES
    url_schemes: tuple[str, ...] = tuple(sorted(ALLOWED_SCHEMES))


@dataclass(frozen=True)
class ContributingPage:
    nav: Nav
    sections: tuple[ModelSection, ...]
    codes: tuple[CodeRow, ...]
    rules: ContentRules = ContentRules()


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is typing.Literal:
        return " | ".join(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return {"str": "text", "date": "date", "bool": "true/false", "int": "number", "float": "number"}.get(getattr(annotation, "__name__", ""), str(annotation))


def _nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(annotation: object) -> None:
        for inner in (annotation, *typing.get_args(annotation)):
            if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in found:
                found.append(inner)
                for field in inner.model_fields.values():
                    visit(field.annotation)
            elif typing.get_args(inner) and inner is not annotation:
                visit(inner)

    for field in model.model_fields.values():
        visit(field.annotation)
    return found


def _section(model: type[BaseModel], title: str, location: str) -> ModelSection:
    # Backticks mark code in the docstrings; the page prints descriptions as plain text.
    rows = tuple(FieldRow(name, _type_name(field.annotation), field.is_required(), (field.description or "").replace("`", ""))
                 for name, field in model.model_fields.items())
    return ModelSection(title, location, rows)


def make_contributing_page() -> ContributingPage:
    sections: list[ModelSection] = []
    seen: set[type[BaseModel]] = set()
    for kind, model in CONTENT_MODELS.items():
        sections.append(_section(model, model.__name__, f"content/{KIND_FOLDERS[kind]}/"))
        seen.add(model)
    for model in CONTENT_MODELS.values():
        for nested in _nested_models(model):
            if nested not in seen:
                seen.add(nested)
                sections.append(_section(nested, nested.__name__, f"inside {model.__name__}"))
    codes = tuple(CodeRow(code, severity, description) for code, (severity, description) in CODES.items())
    return ContributingPage(make_nav(Here(CONTRIBUTING)), tuple(sections), codes)
