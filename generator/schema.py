"""JSON Schemas of the content kinds, generated from the models (for yaml-language-server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import CONTENT_MODELS

SCHEMA_BASE_URI = "https://thesis-site.invalid/schemas/"


def content_schema(kind: str) -> dict[str, Any]:
    schema = CONTENT_MODELS[kind].model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{SCHEMA_BASE_URI}{kind}.schema.json", **schema}


def schema_text(kind: str) -> str:
    return json.dumps(content_schema(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in CONTENT_MODELS:
        path = out / f"{kind}.schema.json"
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written
