"""Pictures rendered at build time as inline SVG: no script, no font, no request elsewhere.

Input: small frozen values of nodes and edges that `pages` builds from the graph and the
stances (`Traceability`, `ChartedAsset`), each node with its page's URL already relative; the
picture parses no link. Output: `Markup` holding one SVG inside a `<figure>`; every text is
HTML-escaped here. Colours come from CSS classes in the site's stylesheet, so the pictures follow
the light/dark palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .markup import html_href, html_text
from .models import COUNTED_STATUSES
from .stance import Stance

_COUNTED = " and ".join(COUNTED_STATUSES)


@dataclass(frozen=True)
class PositionNode:
    key: str
    asset: str
    asset_name: str
    direction: str
    role: str
    url: str


@dataclass(frozen=True)
class ClaimNode:
    key: str
    text: str
    grade: str
    url: str


@dataclass(frozen=True)
class EvidenceNode:
    key: str
    quote: str
    verified: bool
    locator_label: str
    url: str


@dataclass(frozen=True)
class SourceNode:
    key: str
    title: str
    url: str


TraceNode = PositionNode | ClaimNode | EvidenceNode | SourceNode
_COLUMN = {PositionNode: 0, ClaimNode: 1, EvidenceNode: 2, SourceNode: 3}


@dataclass(frozen=True)
class Traceability:
    """One thesis's positions, claims, quoted evidence and sources, in drawing order, and the edges
    (from key, to key) between them: position → claim it rests on, claim → evidence, evidence → source."""

    nodes: tuple[TraceNode, ...]
    edges: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChartedAsset:
    """One bar of the stance chart: the asset's label and name, its page's URL, its stance."""

    label: str
    name: str
    url: str
    stance: Stance

NODE_HEIGHT = 40
NODE_GAP = 10
HEADER = 28
COLUMN_X = (0, 156, 422, 638)
COLUMN_WIDTH = (120, 230, 180, 190)
CHARS_PER_PX = 1 / 6.6


def _truncate(text: str, width: int) -> str:
    limit = max(4, int((width - 16) * CHARS_PER_PX))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _two_lines(text: str, width: int) -> tuple[str, str]:
    """Wrap a label onto two lines at a word boundary; the second line ends in … when cut."""
    limit = max(4, int((width - 16) * CHARS_PER_PX))
    words = " ".join(text.split())
    if len(words) <= limit:
        return words, ""
    cut = words.rfind(" ", 0, limit + 1)
    cut = cut if cut > limit // 2 else limit
    return words[:cut].rstrip(), _truncate(words[cut:].strip(), width)


@dataclass(frozen=True)
class _Node:
    key: str
    column: int
    label: str
    title: str
    url: str
    css: str


def _layout(nodes: list[_Node]) -> tuple[dict[str, tuple[int, int]], int]:
    columns: dict[int, list[_Node]] = {c: [] for c in range(4)}
    for node in nodes:
        columns[node.column].append(node)
    tallest = max(len(c) for c in columns.values()) or 1
    height = HEADER + tallest * (NODE_HEIGHT + NODE_GAP)
    places: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        used = len(members) * (NODE_HEIGHT + NODE_GAP)
        top = HEADER + (height - HEADER - used) // 2
        for index, node in enumerate(members):
            places[node.key] = (COLUMN_X[column], top + index * (NODE_HEIGHT + NODE_GAP))
    return places, height


def _drawn(node: TraceNode) -> _Node:
    """A node's box: its column, label, hover title, link and CSS classes."""
    column = _COLUMN[type(node)]
    if isinstance(node, PositionNode):
        return _Node(node.key, column, f"{node.asset} · {node.direction}",
                     f"{node.asset} ({node.asset_name}): {node.direction}, {node.role}", node.url,
                     f"ts-node ts-node--{node.direction}")
    if isinstance(node, ClaimNode):
        return _Node(node.key, column, node.text, f"Claim: {node.text}", node.url,
                     f"ts-node ts-node--claim ts-node--{node.grade}")
    if isinstance(node, EvidenceNode):
        mark = "verified" if node.verified else "paraphrase"
        return _Node(node.key, column, f"{'✓' if node.verified else '≈'} “{node.quote}”",
                     f"{node.locator_label} ({mark}): {node.quote}", node.url, f"ts-node ts-node--evidence ts-node--{mark}")
    return _Node(node.key, column, node.title, f"Source: {node.title}", node.url, "ts-node ts-node--source")


def traceability_graph(trace: Traceability) -> Markup:
    """Positions → claims → evidence → sources, each node a link to where it is explained."""
    nodes = [_drawn(node) for node in trace.nodes]
    directions = {node.key: node.direction for node in trace.nodes if isinstance(node, PositionNode)}
    edges = [(start, end, f"ts-edge ts-edge--{directions[start]}" if start in directions else "ts-edge")
             for start, end in trace.edges]
    places, height = _layout(nodes)
    column_of = {node.key: node.column for node in nodes}
    width = COLUMN_X[3] + COLUMN_WIDTH[3]
    parts = [
        f'<svg class="ts-graph" viewBox="0 0 {width} {height}" width="100%" role="group" '
        f'aria-labelledby="ts-graph-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="ts-graph-title">Traceability: positions rest on claims, claims on evidence, evidence on sources</title>',
    ]
    for column, heading in enumerate(("Positions", "Claims", "Evidence", "Sources")):
        parts.append(f'<text class="ts-graph__heading" x="{COLUMN_X[column]}" y="16">{heading}</text>')
    for start, end, css in edges:
        if start not in places or end not in places:
            continue
        (x1, y1), (x2, y2) = places[start], places[end]
        x1 += COLUMN_WIDTH[column_of[start]]
        y1 += NODE_HEIGHT // 2
        y2 += NODE_HEIGHT // 2
        bend = (x2 - x1) // 2
        parts.append(f'<path class="{css}" d="M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}"/>')
    for node in nodes:
        x, y = places[node.key]
        width_px = COLUMN_WIDTH[node.column]
        first, second = _two_lines(node.label, width_px)
        lines = (f'<tspan x="{x + 8}" y="{y + 17}">{html_text(first)}</tspan>'
                 + (f'<tspan x="{x + 8}" y="{y + 32}">{html_text(second)}</tspan>' if second else ""))
        if not second:
            lines = f'<tspan x="{x + 8}" y="{y + 25}">{html_text(first)}</tspan>'
        parts.append(
            f'<a href="{html_href(node.url)}" class="{node.css}"><title>{html_text(node.title)}</title>'
            f'<rect x="{x}" y="{y}" width="{width_px}" height="{NODE_HEIGHT}" rx="4"/>'
            f'<text>{lines}</text></a>'
        )
    parts.append("</svg>")
    caption = ("Traceability graph. Each position rests on claims; each claim on quoted evidence; each quote on a "
               "source. ✓ verified quote, ≈ paraphrase. Every box links to its page.")
    return Markup(f'<figure class="ts-figure" data-search-exclude>\n{"".join(parts)}\n<figcaption>{html_text(caption)}</figcaption>\n</figure>')


ROW_HEIGHT = 24
LABEL_WIDTH = 120
CHART_WIDTH = 640


def stance_chart(rows: tuple[ChartedAsset, ...]) -> Markup:
    """A diverging bar per asset: short to the left of the axis; long, neutral, watch to the right."""
    if not rows:
        return Markup("")
    left = max(r.stance.short for r in rows)
    right = max(r.stance.long + r.stance.neutral + r.stance.watch for r in rows)
    span = CHART_WIDTH - LABEL_WIDTH - 20 - 110  # room for the count label after the bars
    unit = span / max(1, left + right)
    axis = LABEL_WIDTH + 10 + round(left * unit)
    height = HEADER + len(rows) * ROW_HEIGHT + 8
    parts = [
        f'<svg class="ts-stance" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" role="group" '
        f'aria-labelledby="ts-stance-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="ts-stance-title">Stance per asset: positions of {_COUNTED} theses</title>',
    ]
    if left:
        parts.append(f'<text class="ts-graph__heading" x="{axis - 6}" y="16" text-anchor="end">◀ short</text>')
    parts.append(f'<text class="ts-graph__heading" x="{axis + 6}" y="16">long · neutral · watch ▶</text>')
    for index, row in enumerate(rows):
        y = HEADER + index * ROW_HEIGHT
        s = row.stance
        counts = ", ".join(f"{n} {name}" for n, name in ((s.long, "long"), (s.short, "short"), (s.neutral, "neutral"), (s.watch, "watch")) if n)
        label = f"{row.label} ({row.name}): {s.net}; {counts}"
        parts.append(f'<a href="{html_href(row.url)}"><title>{html_text(label)}</title>'
                     f'<text class="ts-stance__label" x="{LABEL_WIDTH}" y="{y + 16}" text-anchor="end">'
                     f'{html_text(_truncate(row.label, LABEL_WIDTH + 16))}</text></a>')
        if s.short:
            width = round(s.short * unit)
            parts.append(f'<rect class="ts-bar ts-bar--short" x="{axis - width}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}"/>')
        offset = axis
        for count, css in ((s.long, "long"), (s.neutral, "neutral"), (s.watch, "watch")):
            if count:
                width = round(count * unit)
                parts.append(f'<rect class="ts-bar ts-bar--{css}" x="{offset}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}"/>')
                offset += width
        parts.append(f'<text class="ts-stance__count" x="{offset + 6}" y="{y + 16}">{html_text(counts)}</text>')
    parts.append(f'<line class="ts-axis" x1="{axis}" y1="{HEADER - 4}" x2="{axis}" y2="{height - 4}"/>')
    parts.append("</svg>")
    return Markup(f'<figure class="ts-figure" data-search-exclude>\n{"".join(parts)}\n<figcaption>Stance chart: one bar per asset, '
                  f'counting positions of {_COUNTED} theses. Each label links to the asset.</figcaption>\n</figure>')
