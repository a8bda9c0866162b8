"""View models: what each template receives, already sorted, every link precomputed.

Plain text fields hold the contributor's words unescaped; the renderer escapes them on output.
Fields typed `Markup` are HTML the generator made itself (SVG pictures).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .urls import Link


@dataclass(frozen=True)
class ChangeRow:
    date: str
    commit: str
    author: str
    summary: str


@dataclass(frozen=True)
class FeedLinks:
    """Relative URLs of a page's RSS and Atom feeds (for `<link rel="alternate">` and links)."""

    rss: str
    atom: str


@dataclass(frozen=True)
class ExternalLink:
    text: str
    url: str


@dataclass(frozen=True)
class Nav:
    """Links every page may show: the indexes, relative to the page."""

    home: Link
    theses: Link
    claims: Link
    assets: Link
    sources: Link
    people: Link
    tags: Link
    method: Link
    track_record: Link | None = None


@dataclass(frozen=True)
class PagerEntry:
    """One page of a split listing as the pager lists it; the current one is shown, not linked."""

    link: Link
    current: bool


@dataclass(frozen=True)
class Pager:
    """Where this page sits in a listing split over several pages (one page: `pages` is empty)."""

    number: int
    count: int
    previous: Link | None
    next: Link | None
    pages: tuple[PagerEntry, ...]
    first_row: int
    last_row: int
    total_rows: int

    @property
    def title_suffix(self) -> str:
        return f" (page {self.number} of {self.count})" if self.count > 1 else ""


# ----------------------------------------------------------------------- rows


@dataclass(frozen=True)
class ThesisRow:
    link: Link
    summary: str
    status: str
    style: str
    horizon: str
    actionability: str
    strength: str
    claims: int
    directional: int
    date: str = ""
    """The one date the table shows (first published, last changed), or "" for a table without dates."""
    stale_note: str = ""
    """'not reviewed since <date>' for a stale thesis (`freshness`), else ""."""
    status_rank: int = 0
    horizon_rank: int = 0
    strength_rank: int = 0
    """Sort keys of the columns whose words do not sort (active before closed, strong before weak),
    written on the cells for the index script (`site_templates/static/thesis-site.js`)."""


@dataclass(frozen=True)
class SourceRow:
    link: Link
    kind: str
    publisher: str
    published: str
    coverage: str
    citations: int


@dataclass(frozen=True)
class QuoteView:
    quote: str
    verified: bool
    source: Link
    locator_label: str
    locator: Link
    at_time: ExternalLink | None


@dataclass(frozen=True)
class SupportView:
    """A position resting on a claim, seen from the claim."""

    asset: Link
    direction: str


@dataclass(frozen=True)
class QuoteGroup:
    """The quotes of one claim from one source, in citation order (the evidence dossier groups by source)."""

    source: Link
    quotes: tuple[QuoteView, ...]


@dataclass(frozen=True)
class ClaimBlock:
    anchor: str
    text: str
    confidence: str
    grade: str
    evidence_link: Link
    quotes: tuple[QuoteView, ...]
    supports: tuple[SupportView, ...]
    first_published: str
    last_changed: str
    strongest: QuoteView | None = None
    """The one quote the thesis page shows (`entities.strongest_citation`); None without evidence."""
    more_link: Link | None = None
    """To the claim on the evidence page, worded with how many more quotes it holds; None when there are none."""
    by_source: tuple[QuoteGroup, ...] = ()
    """The quotes grouped by source, sources in order of their first quote (the evidence dossier)."""


@dataclass(frozen=True)
class PositionRow:
    asset: Link
    asset_name: str
    direction: str
    role: str
    rationale: str
    because: tuple[Link, ...]
    since: str = ""
    """'since <opened>' or 'closed on <closed> (opened <opened>)' (`calls.call_dates`)."""
    closed: bool = False
    reference: str = ""
    """The reference price noted with the call, or "" (`calls.reference_text`)."""


@dataclass(frozen=True)
class OutcomeView:
    verdict: str
    on: str
    note: str
    days_open: int


@dataclass(frozen=True)
class ReviewView:
    status: str
    by: Link | None
    on: str


# ----------------------------------------------------------------------- pages


@dataclass(frozen=True)
class ShareMeta:
    """What link previews (OpenGraph, Twitter cards) read of a thesis or evidence page beyond its
    title and description: its dates and its card image (a site path, made absolute by the theme)."""

    published: str
    modified: str
    image: str
    image_alt: str
    image_width: int
    image_height: int

    def front_matter(self) -> dict[str, object]:
        """The page's `share` front matter, which the theme's share partial reads."""
        return {"type": "article", "published": self.published, "modified": self.modified, "image": self.image,
                "image_alt": self.image_alt, "image_width": self.image_width, "image_height": self.image_height}


@dataclass(frozen=True)
class ThesisPage:
    nav: Nav
    id: str
    title: str
    summary: str
    status: str
    style: str
    horizon: str
    actionability: str
    opened: str
    first_published: str
    last_changed: str
    authors: tuple[Link, ...]
    tags: tuple[Link, ...]
    proof_line: str
    strength: str
    evidence_link: Link
    positions: tuple[PositionRow, ...]
    claims: tuple[ClaimBlock, ...]
    risks: tuple[str, ...]
    positions_intro: str | None
    guidance: str | None
    review: ReviewView | None
    body: str | None
    traceability: Markup
    disclaimer: str
    changes: tuple[ChangeRow, ...]
    feed: FeedLinks
    jsonld: Markup
    share: ShareMeta
    stale_note: str = ""
    """'not reviewed since <date>' for a stale thesis (`freshness`), else ""."""
    outcome: OutcomeView | None = None


@dataclass(frozen=True)
class EvidencePage:
    nav: Nav
    id: str
    title: str
    thesis: Link
    proof_line: str
    strength: str
    claims: tuple[ClaimBlock, ...]
    disclaimer: str
    jsonld: Markup
    share: ShareMeta


@dataclass(frozen=True)
class PointView:
    anchor: str
    title: str
    text: str


@dataclass(frozen=True)
class InsightGroupView:
    title: str
    points: tuple[PointView, ...]


@dataclass(frozen=True)
class MomentView:
    anchor: str
    label: str
    text: str
    at_time: ExternalLink | None


@dataclass(frozen=True)
class TableView:
    anchor: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class MentionView:
    name: str
    category: str
    note: str


@dataclass(frozen=True)
class QuotedPlace:
    """Where in this source a claim quotes it, and whether the quote was found verbatim."""

    locator: Link
    verified: bool


@dataclass(frozen=True)
class CitationRow:
    """A claim citing this source, seen from the source: once per claim, with every place it quotes."""

    claim: Link
    places: tuple[QuotedPlace, ...]


@dataclass(frozen=True)
class CitingThesis:
    """The claims of one thesis that cite this source."""

    thesis: Link
    citations: tuple[CitationRow, ...]


@dataclass(frozen=True)
class SourcePage:
    nav: Nav
    id: str
    title: str
    kind: str
    publisher: str
    series: str | None
    published: str
    url: ExternalLink | None
    duration: str | None
    metrics: str | None
    coverage: str
    speakers: tuple[Link, ...]
    tags: tuple[Link, ...]
    tldr: str
    insights: tuple[InsightGroupView, ...]
    moments: tuple[MomentView, ...]
    tables: tuple[TableView, ...]
    mentions: tuple[MentionView, ...]
    bottom_line: str | None
    body: str | None
    cited_by: tuple[CitingThesis, ...]


@dataclass(frozen=True)
class StanceView:
    net: str
    net_key: str
    long: int
    short: int
    neutral: int
    watch: int


@dataclass(frozen=True)
class AssetPositionRow:
    thesis: Link
    status: str
    counted: bool
    direction: str
    role: str
    rationale: str
    claims: tuple[Link, ...]
    since: str = ""
    """'since <opened>' or 'closed on <closed> (opened <opened>)' (`calls.call_dates`)."""


@dataclass(frozen=True)
class AssetPage:
    nav: Nav
    id: str
    name: str
    kind: str
    exchange: str | None
    sector: str
    description: str
    stance: StanceView
    positions: tuple[AssetPositionRow, ...]
    disclaimer: str
    feed: FeedLinks
    counted_statuses: str


@dataclass(frozen=True)
class PersonPage:
    nav: Nav
    id: str
    name: str
    byline: str
    """Role and affiliation, as a reader sees them under the name ("" when neither is known)."""
    handle: str | None
    links: tuple[ExternalLink, ...]
    spoken: tuple[SourceRow, ...]
    written: tuple[ThesisRow, ...]
    reviewed: tuple[ThesisRow, ...]


@dataclass(frozen=True)
class TagPage:
    nav: Nav
    pager: Pager
    tag: str
    theses: tuple[ThesisRow, ...]
    sources: tuple[SourceRow, ...]


@dataclass(frozen=True)
class StanceRow:
    asset: Link
    name: str
    sector: str
    stance: StanceView
    theses: int
    latest_call: str = ""
    """The newest opening date among the positions the stance counts, or "" when it counts none."""
    net_rank: int = 0
    """Sort key of the net stance (net long first), for the index script."""


@dataclass(frozen=True)
class ClaimRow:
    claim: Link
    thesis: Link
    confidence: str
    grade: str
    quotes: int
    supports: tuple[SupportView, ...]
    grade_rank: int = 0
    confidence_rank: int = 0
    directions: str = ""
    """The directions of the positions resting on the claim, space-separated (a filter matches any), for the index script."""


@dataclass(frozen=True)
class PersonRow:
    link: Link
    affiliation: str | None
    role: str | None
    sources: int
    theses: int


@dataclass(frozen=True)
class TagRow:
    link: Link
    theses: int
    sources: int


@dataclass(frozen=True)
class ThesesIndex:
    nav: Nav
    pager: Pager
    rows: tuple[ThesisRow, ...]


@dataclass(frozen=True)
class SourcesIndex:
    nav: Nav
    pager: Pager
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True)
class StanceBoard:
    nav: Nav
    pager: Pager
    rows: tuple[StanceRow, ...]
    chart: Markup
    chart_note: str
    counted_statuses: str
    disclaimer: str


@dataclass(frozen=True)
class ClaimsIndex:
    nav: Nav
    pager: Pager
    rows: tuple[ClaimRow, ...]


@dataclass(frozen=True)
class PeopleIndex:
    nav: Nav
    pager: Pager
    rows: tuple[PersonRow, ...]


@dataclass(frozen=True)
class TagsIndex:
    nav: Nav
    pager: Pager
    rows: tuple[TagRow, ...]


@dataclass(frozen=True)
class LeadPosition:
    asset: Link
    direction: str
    rationale: str


@dataclass(frozen=True)
class HomeLead:
    """The thesis the home page opens with, and why it was chosen (`indexes.choose_lead`)."""

    reason: str
    link: Link
    summary: str
    proof_line: str
    strength: str
    positions_intro: str | None
    positions: tuple[LeadPosition, ...]
    evidence: Link


@dataclass(frozen=True)
class HomePage:
    nav: Nav
    theses: int
    claims: int
    sources: int
    assets: int
    lead: HomeLead | None
    newest: tuple[ThesisRow, ...]
    recently_changed: tuple[ThesisRow, ...]
    """Empty when history is flat (every thesis last changed in one commit): `newest` is then the one table."""
    disclaimer: str


@dataclass(frozen=True)
class MethodPage:
    nav: Nav
    proof_rule: str
    counted_statuses: str
    directional: tuple[str, ...]
    directions: tuple[str, ...]
    calls_rule: str = ""
    track_record_rule: str = ""
    staleness_rule: str = ""
    stale_after_days: int = 0


@dataclass(frozen=True)
class TrackRecordRow:
    thesis: Link
    authors: tuple[Link, ...]
    verdict: str
    """right, wrong, mixed, withdrawn, or 'no outcome recorded'."""
    verdict_key: str
    opened: str
    outcome_on: str
    days_open: str
    note: str


@dataclass(frozen=True)
class AuthorRecordRow:
    person: Link
    right: int
    wrong: int
    mixed: int
    judged: int
    withdrawn: int
    unrecorded: int


@dataclass(frozen=True)
class TrackRecordPage:
    nav: Nav
    rows: tuple[TrackRecordRow, ...]
    authors: tuple[AuthorRecordRow, ...]
    total: AuthorRecordRow | None
    """The publication's totals (its `person` link is the page itself), None without closed theses."""
    method: Link
