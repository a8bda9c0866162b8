"""`thesis-site new KIND ID`: a skeleton file that passes `check` once its placeholders are filled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .settings import KIND_FOLDERS, ProjectPaths

_TEMPLATES = {
    "source": """\
id: {id}
title: Title as published
kind: lecture
publisher: Publisher name
published: {today}
coverage: summary
speakers: []
tldr: >-
  One-paragraph summary of the source.
insights:
  - id: main-points
    title: Main points
    points:
      - id: first-point
        title: First point
        text: The point, in the summary's words.
bottom_line: The source's conclusion.
tags: []
""",
    "thesis": """\
id: {id}
title: The thesis stated as a claim
status: draft
style: thematic
horizon: medium-term
actionability: moderate
opened: {today}
authors: []
summary: >-
  The argument in a paragraph.
claims:
  - id: first-claim
    text: One statement the thesis rests on.
    confidence: medium
    evidence: []
assets: []
risks:
  - What would break the thesis.
tags: []
""",
    "asset": """\
id: {id}
name: Company name
kind: equity
exchange: NASDAQ
sector: Sector
description: What the company does, in a sentence.
""",
    "person": """\
id: {id}
name: Full Name
affiliation: Organisation
""",
}


def skeleton_text(kind: str, identifier: str, today: dt.date) -> str:
    header = f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n"
    return header + _TEMPLATES[kind].format(id=identifier, today=today.isoformat())


def write_skeleton(paths: ProjectPaths, kind: str, identifier: str, today: dt.date) -> Path:
    target = paths.content / KIND_FOLDERS[kind] / f"{identifier}.yaml"
    if target.exists() or target.with_suffix(".md").exists():
        raise FileExistsError(f"{paths.relative(target)} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(skeleton_text(kind, identifier, today), encoding="utf-8")
    return target
