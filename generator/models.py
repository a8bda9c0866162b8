"""Authored content as frozen pydantic models: what contributors write, nothing derived.

Input: the plain Python tree the loader built from one file. Output: a validated model, or
pydantic errors that `validate` turns into diagnostics. No I/O, no cross-file knowledge.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Sequence, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler, StringConstraints, model_validator
from pydantic_core import PydanticCustomError, core_schema

from .yamlscalars import PlainScalar

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
ASSET_ID_PATTERN = r"^[A-Z0-9][A-Z0-9.\-]{0,14}$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
TIMESTAMP_PATTERN = r"^(?:\d{1,2}:)?[0-5]?\d:[0-5]\d$"
LOCATOR_TARGETS = {"insight": ("<point-id>", ID_PATTERN), "moment": ("<H:MM:SS>", TIMESTAMP_PATTERN),
                   "table": ("<id>", ID_PATTERN)}
"""Locators that name a place inside a part of the source: kind → (how the Contributing page
writes the place, the pattern it matches), as `kind/place`."""
WHOLE_PART_LOCATORS = ("tldr", "bottom-line", "body")
"""Locators that name a whole part of the source."""
LOCATOR_FORMS = (*(f"{kind}/{shown}" for kind, (shown, _) in LOCATOR_TARGETS.items()), *WHOLE_PART_LOCATORS)
"""Every form an evidence locator (`at`) takes, as the Contributing page lists them."""
LOCATOR_PATTERN = "^(?:" + "|".join(
    [f"{kind}/{pattern[1:-1]}" for kind, (_, pattern) in LOCATOR_TARGETS.items()] + list(WHOLE_PART_LOCATORS)) + ")$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
# These patterns are whole-string rules. pydantic (Rust regex) and JSON Schema (ECMA-262) read
# `$` as the end of the text; Python's `re` lets `$` match before a trailing newline, so Python
# code applies them with `re.fullmatch`, never `re.match`.

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[-+]?[0-9]+$")
_DECIMAL = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOLEANS = {"true": True, "false": False}


def _as_text(value: object) -> object:
    """Keep what the contributor typed: a plain scalar is text, never a YAML 1.1 number."""
    if isinstance(value, PlainScalar):
        return str(value)
    return value


def _as_date(value: object) -> object:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _as_bool(value: object) -> object:
    if isinstance(value, PlainScalar) and value.lower() in _BOOLEANS:
        return _BOOLEANS[value.lower()]
    return value


def _as_int(value: object) -> object:
    if isinstance(value, PlainScalar) and _INTEGER.fullmatch(value):
        return int(value)
    return value


def _as_number(value: object) -> object:
    """A plain decimal scalar (`123.45`, `1.2e3`) as a number; anything else (`.inf`, `true`, text) is
    left for the type to refuse, and a number too large for a float becomes infinity, which `Price` refuses."""
    if isinstance(value, PlainScalar) and _DECIMAL.fullmatch(value):
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# --------------------------------------------------------------------------- rules, named once

Direction = Literal["long", "short", "neutral", "watch"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
"""Every direction, in the order positions are listed and counted (long first)."""
DIRECTIONAL: tuple[Direction, ...] = ("long", "short")
"""Directions that take a side: such a position names the claims it rests on (`because`), and it
counts as a directional asset in the source proof."""


def is_directional(direction: str) -> bool:
    return direction in DIRECTIONAL


ThesisStatus = Literal["draft", "active", "monitoring", "closed"]
STATUS_ORDER: tuple[ThesisStatus, ...] = ("active", "monitoring", "draft", "closed")
"""The order lists show theses in (active first)."""
COUNTED_STATUSES: tuple[ThesisStatus, ...] = ("active", "monitoring")
"""Statuses whose positions move an asset's stance; draft and closed theses are shown but not counted."""


def status_counts_toward_stance(status: str) -> bool:
    return status in COUNTED_STATUSES


Horizon = Literal["short-term", "medium-term", "long-term"]
HORIZONS: tuple[Horizon, ...] = get_args(Horizon)
"""Time horizons, shortest first (the order indexes sort them in)."""
Confidence = Literal["high", "medium", "low"]
CONFIDENCES: tuple[Confidence, ...] = get_args(Confidence)
"""Claim confidence, highest first."""


def rank(order: tuple[str, ...]) -> dict[str, int]:
    """An order as a sort key: value → its place in `order`."""
    return {value: index for index, value in enumerate(order)}


RULE_ERROR = "relation_rule"
"""Error type of a broken relation rule (see `broken_rules`)."""

FieldPath = tuple[str | int, ...]


def broken_rules(broken: Sequence[tuple[FieldPath, str]]) -> PydanticCustomError:
    """One error for every relation rule a model breaks, each with the path of the field it is about.

    A rule that compares fields runs on the whole model, so pydantic places its error on the
    model; `validate` appends each path to that location and reports each rule at its field
    (`tables[0].rows[2]`, `assets[1].because`), not at the object around it.
    """
    return PydanticCustomError(RULE_ERROR, "; ".join(text for _, text in broken), {"broken": tuple(broken)})


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


Text = Annotated[str, BeforeValidator(_as_text), AfterValidator(_not_blank)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN), BeforeValidator(_as_text)]
AssetId = Annotated[str, StringConstraints(pattern=ASSET_ID_PATTERN), BeforeValidator(_as_text)]
TagSlug = Annotated[str, StringConstraints(pattern=TAG_PATTERN), BeforeValidator(_as_text)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000), BeforeValidator(_as_text)]
Timestamp = Annotated[str, StringConstraints(pattern=TIMESTAMP_PATTERN), BeforeValidator(_as_text)]
Locator = Annotated[str, StringConstraints(pattern=LOCATOR_PATTERN), BeforeValidator(_as_text)]
Date = Annotated[dt.date, BeforeValidator(_as_date)]


class PartialDate(str):
    """A date as precisely as its source gives it: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (SPEC §2:
    never invented). It is the text as written, so pages, feeds and the export show it as given;
    `earliest` (the first day it can mean) orders it among full dates."""

    __slots__ = ()

    def __new__(cls, value: str) -> PartialDate:
        if not _PARTIAL_DATE.fullmatch(value):
            raise ValueError(f"{value!r} is not a date written YYYY-MM-DD, YYYY-MM or YYYY")
        _first_day(value)  # ValueError for a month or day that does not exist
        return super().__new__(cls, value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Validated as text of the date's pattern, then made a `PartialDate` (its JSON Schema: that text)."""
        return core_schema.no_info_after_validator_function(_partial_date, core_schema.str_schema(pattern=_PARTIAL_DATE.pattern))

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        return ("year", "month", "day")[self.count("-")]

    def earliest(self) -> dt.date:
        return _first_day(self)

    def isoformat(self) -> str:
        """The date as written (so code that printed a `dt.date` prints this unchanged)."""
        return str(self)

    def toordinal(self) -> int:
        return self.earliest().toordinal()


_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _first_day(value: str) -> dt.date:
    """The first day a `YYYY-MM-DD`, `YYYY-MM` or `YYYY` date can mean."""
    parts = [int(part) for part in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _as_partial_date(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _partial_date(value: str) -> PartialDate:
    try:
        return PartialDate(value)
    except ValueError as error:  # a month or day that does not exist: a format error, as for `Date`
        raise PydanticCustomError("date_parsing", "{error}", {"error": str(error)}) from None


PublishedDate = Annotated[PartialDate, BeforeValidator(_as_partial_date)]
"""`YYYY-MM-DD`, `YYYY-MM` or `YYYY` (a `PartialDate`)."""
Flag = Annotated[bool, BeforeValidator(_as_bool)]
Count = Annotated[int, BeforeValidator(_as_int), Field(ge=0)]
Cell = Annotated[str, BeforeValidator(_as_text)]
Price = Annotated[float, BeforeValidator(_as_number), Field(gt=0, allow_inf_nan=False)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), BeforeValidator(_as_text)]


class Authored(BaseModel):
    """Base for every authored model: frozen, strict, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, str_strip_whitespace=False)


# --------------------------------------------------------------------------- sources


class InsightPoint(Authored):
    id: Identifier = Field(description="Anchor of the point, unique within the source; evidence cites it as `insight/<id>`.")
    title: Text = Field(description="The point's heading, as the summary states it.")
    text: Text = Field(description="The point itself, in the summary's words.")


class InsightGroup(Authored):
    id: Identifier = Field(description="Anchor of the group, unique within the source.")
    title: Text = Field(description="The group's heading, e.g. 'The Post-Training Imperative'.")
    points: list[InsightPoint] = Field(min_length=1, description="The insights of the group, in order.")


class Moment(Authored):
    at: Timestamp = Field(description="Time into the recording, `H:MM:SS` or `MM:SS`; evidence cites it as `moment/<at>`.")
    text: Text = Field(description="What is said or shown at that time.")


class DataTable(Authored):
    id: Identifier = Field(description="Anchor of the table, unique within the source; evidence cites it as `table/<id>`.")
    title: Text = Field(description="Caption of the table.")
    columns: list[Cell] = Field(min_length=1, description="Column headings.")
    rows: list[list[Cell]] = Field(min_length=1, description="Rows of cells; every row is as long as `columns`.")

    @model_validator(mode="after")
    def _rows_match_columns(self) -> DataTable:
        broken = [(("rows", index), f"the row has {_count(len(row), 'cell')} but the table has {_count(len(self.columns), 'column')}")
                  for index, row in enumerate(self.rows) if len(row) != len(self.columns)]
        if broken:
            raise broken_rules(broken)
        return self


class Mention(Authored):
    name: Text = Field(description="The entity as the source names it.")
    category: Text = Field(description="What kind of entity, e.g. 'Software & Apps', 'Company', 'Model'.")
    note: Text = Field(description="Why the source mentions it.")


class Metrics(Authored):
    views: Count | None = Field(default=None, description="View count at `as_of`.")
    likes: Count | None = Field(default=None, description="Like count at `as_of`.")
    as_of: PublishedDate = Field(description="When the counts were read: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when no more is known.")


SourceKind = Literal["lecture", "seminar", "podcast", "video", "article", "paper", "filing", "transcript"]
Coverage = Literal["transcript", "summary", "fragments", "title-only"]


class Source(Authored):
    id: Identifier = Field(description="Identifier; equals the file name stem.")
    title: Text = Field(description="The title as published.")
    renamed_from: list[Identifier] = Field(
        default_factory=list,
        description="Ids this source had before (same id rules); each old URL redirects to this source's page. An old id may not be a live source id or another source's old id.",
    )
    kind: SourceKind = Field(description="What the source is.")
    publisher: Text = Field(description="Who published it, e.g. 'Stanford Online'.")
    series: Text | None = Field(default=None, description="The series or course it belongs to.")
    published: PublishedDate = Field(
        description="Publication date, `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the source gives no more (never invented).")
    url: Url | None = Field(default=None, description="Where to watch or read it; moment timestamps link to it.")
    duration: Timestamp | None = Field(default=None, description="Length of the recording, `H:MM:SS` or `MM:SS`.")
    metrics: Metrics | None = Field(default=None, description="A snapshot of audience counts, with the date it was taken.")
    coverage: Coverage = Field(
        description="What the summary rests on: a full `transcript`, a `summary`, `fragments` of a transcript, or only a title (`title-only`)."
    )
    speakers: list[Identifier] = Field(default_factory=list, description="Person ids of who speaks or wrote it.")
    tldr: Text = Field(description="One-paragraph summary.")
    insights: list[InsightGroup] = Field(default_factory=list, description="Grouped insights; point ids are unique within the source.")
    moments: list[Moment] = Field(default_factory=list, description="Key moments with their timestamps.")
    tables: list[DataTable] = Field(default_factory=list, description="Data tables extracted from the source.")
    mentions: list[Mention] = Field(default_factory=list, description="Entities the source mentions.")
    bottom_line: Text | None = Field(default=None, description="The source's conclusion in a sentence or two.")
    tags: list[TagSlug] = Field(default_factory=list, description="Theme slugs; each tag gets a page.")
    body: str | None = Field(default=None, description="Markdown notes after the front matter (`.md` files only).")


# --------------------------------------------------------------------------- theses


class Evidence(Authored):
    source: Identifier = Field(description="Id of the cited source.")
    at: Locator = Field(
        description="Where in the source: `insight/<point-id>`, `moment/<H:MM:SS>`, `table/<table-id>`, `tldr`, `bottom-line` or `body`."
    )
    quote: Text = Field(description="The words quoted; verbatim in the located part unless `paraphrase` is true.")
    paraphrase: Flag = Field(default=False, description="True when `quote` restates the source instead of quoting it.")


class Claim(Authored):
    id: Identifier = Field(description="Anchor of the claim, unique within the thesis; referenced as `<thesis-id>#<claim-id>`.")
    text: Text = Field(description="The claim, one statement.")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes from sources that back the claim.")
    confidence: Confidence = Field(description="How sure the authors are of the claim.")


class Reference(Authored):
    """A price the analyst noted when making the call; typed by hand, never fetched."""

    price: Price = Field(description="The price, a positive decimal number, e.g. 123.45.")
    currency: CurrencyCode = Field(description="ISO 4217 currency code of the price, e.g. USD.")
    on: Date = Field(description="The date the price is from, `YYYY-MM-DD`.")
    source: Text = Field(description="Where the price was read, e.g. 'Nasdaq official close'.")


class Position(Authored):
    asset: AssetId = Field(description="Ticker (or upper-case slug for a private company) of the asset.")
    direction: Direction = Field(description="The stance this thesis takes on the asset.")
    role: Text = Field(description="The asset's role in the thesis, e.g. 'data-center AI accelerators'.")
    rationale: Text = Field(description="Why the thesis implies this direction for the asset.")
    because: list[Identifier] = Field(
        default_factory=list, description="Ids of the claims this position rests on; required for long and short."
    )
    opened: Date | None = Field(
        default=None,
        description="Date the call was made, `YYYY-MM-DD`; default: the thesis's `opened`. Not before the thesis's `opened`.",
    )
    closed: Date | None = Field(
        default=None,
        description="Date the call was closed, `YYYY-MM-DD`; not before `opened`. A closed position stays on the pages "
                    "but no longer counts toward the asset's stance.",
    )
    reference: Reference | None = Field(
        default=None, description="A reference price noted with the call (typed by the analyst, never fetched)."
    )

    @property
    def is_directional(self) -> bool:
        return is_directional(self.direction)

    @model_validator(mode="after")
    def _position_rules(self) -> Position:
        broken: list[tuple[FieldPath, str]] = []
        if self.is_directional and not self.because:
            broken.append((("because",), f"a {self.direction} position must name the claims it rests on in `because`"))
        if self.opened is not None and self.closed is not None and self.closed < self.opened:
            broken.append((("closed",), f"the position is closed on {self.closed}, before it was opened on {self.opened}"))
        if broken:
            raise broken_rules(broken)
        return self


Verdict = Literal["right", "wrong", "mixed", "withdrawn"]


class Outcome(Authored):
    """How a closed thesis turned out, in the authors' words; the track record counts it."""

    on: Date = Field(description="Date the outcome was recorded, `YYYY-MM-DD`; not before the thesis's `opened`.")
    verdict: Verdict = Field(
        description="`right`, `wrong` or `mixed` judge the thesis's claims and count in the track record; "
                    "`withdrawn` (abandoned before it could be judged) is listed but not counted."
    )
    note: Text = Field(description="What happened, in a sentence or two.")


class Review(Authored):
    status: Literal["unreviewed", "reviewed", "disputed"] = Field(description="Outcome of the review.")
    by: Identifier | None = Field(default=None, description="Person id of the reviewer.")
    on: Date | None = Field(default=None, description="Date of the review.")


class Thesis(Authored):
    id: Identifier = Field(description="Identifier; equals the file name stem.")
    title: Text = Field(description="The title states the thesis.")
    renamed_from: list[Identifier] = Field(
        default_factory=list,
        description="Ids this thesis had before (same id rules); each old URL redirects to this thesis's page. An old id may not be a live thesis id or another thesis's old id.",
    )
    status: ThesisStatus = Field(description="Where the thesis stands.")
    style: Literal["thematic", "event-driven"] = Field(description="A slow theme or a dated event.")
    horizon: Horizon = Field(description="Time horizon of the positions.")
    actionability: Literal["high", "moderate", "low"] = Field(description="How directly the thesis maps to trades.")
    opened: Date = Field(description="Date the thesis was opened, `YYYY-MM-DD`.")
    authors: list[Identifier] = Field(default_factory=list, description="Person ids of who wrote the thesis.")
    summary: Text = Field(description="The argument in a paragraph.")
    claims: list[Claim] = Field(min_length=1, description="The claims the thesis makes, each with evidence.")
    assets: list[Position] = Field(default_factory=list, description="Positions on assets that follow from the claims.")
    assets_intro: Text | None = Field(default=None, description=(
        "One sentence introducing the positions as a whole (seed 000's 'Linked assets' line), shown above them."))
    risks: list[Text] = Field(default_factory=list, description="Offsets: what would break the thesis.")
    guidance: Text | None = Field(default=None, description="Sizing and time-horizon advice.")
    review: Review | None = Field(default=None, description="Editorial review state.")
    outcome: Outcome | None = Field(
        default=None, description="How the thesis turned out; only on a `closed` thesis, where `check` expects one."
    )
    tags: list[TagSlug] = Field(default_factory=list, description="Theme slugs; each tag gets a page.")
    body: str | None = Field(default=None, description="Markdown narrative after the front matter (`.md` files only).")

    @model_validator(mode="after")
    def _dates_follow_opened(self) -> Thesis:
        """A call cannot predate its thesis, and an outcome belongs to a closed thesis (reopening one
        means removing its outcome); each rule points at its field."""
        broken: list[tuple[FieldPath, str]] = []
        for index, position in enumerate(self.assets):
            for name in ("opened", "closed"):
                day = getattr(position, name)
                if day is not None and day < self.opened:
                    broken.append((("assets", index, name),
                                   f"the position is {name} on {day}, before the thesis was opened on {self.opened}"))
        if self.outcome is not None:
            if self.status != "closed":
                broken.append((("outcome",), f"an outcome is recorded on a closed thesis; this one is {self.status}"))
            if self.outcome.on < self.opened:
                broken.append((("outcome", "on"), f"the outcome is dated {self.outcome.on}, before the thesis was opened on {self.opened}"))
        if broken:
            raise broken_rules(broken)
        return self


# --------------------------------------------------------------------------- assets and people


class Asset(Authored):
    id: AssetId = Field(description="Ticker, or an upper-case slug for a private company; equals the file name stem.")
    renamed_from: list[AssetId] = Field(
        default_factory=list,
        description="Ids this asset had before (same id rules); each old URL redirects to this asset's page. An old id may not be a live asset id or another asset's old id.",
    )
    name: Text = Field(description="Company or instrument name.")
    kind: Literal["equity", "etf", "private", "index", "commodity"] = Field(description="What sort of asset.")
    exchange: Text | None = Field(default=None, description="Listing exchange, e.g. NASDAQ.")
    sector: Text = Field(description="Sector, e.g. Semiconductors.")
    description: Text = Field(description="What the company does, in a sentence or two.")


class Person(Authored):
    id: Identifier = Field(description="Identifier; equals the file name stem.")
    name: Text = Field(description="Full name as the sources spell it.")
    renamed_from: list[Identifier] = Field(
        default_factory=list,
        description="Ids this person had before (same id rules); each old URL redirects to this person's page. An old id may not be a live person id or another person's old id.",
    )
    kind: Literal["person", "organization"] = Field(
        default="person",
        description="`organization` for a team, company or other group credited as one (e.g. an editorial team); "
                    "schema.org data on the site types it `Organization` instead of `Person`.",
    )
    affiliation: Text | None = Field(default=None, description="Organisation.")
    role: Text | None = Field(default=None, description="Role or title.")
    links: list[Url] = Field(default_factory=list, description="Profile or homepage URLs.")
    handle: Text | None = Field(default=None, description="Git or GitHub handle, to attribute commits and reviews.")


CONTENT_MODELS: dict[str, type[Authored]] = {
    "source": Source,
    "thesis": Thesis,
    "asset": Asset,
    "person": Person,
}
"""Content kind → model; the kind is the singular of the `content/` folder name."""
