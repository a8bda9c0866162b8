"""The Track record page (`urls.TRACK_RECORD`): closed theses with their verdicts, how long each
was open, and the counts per author, as `track_record` derives them."""

from __future__ import annotations

from ..publication import Publication
from ..track_record import VerdictCounts, derive_track_record
from . import urls
from .entities import make_nav, people_links
from .urls import Here, Link
from .views import AuthorRecordRow, TrackRecordPage, TrackRecordRow

NO_OUTCOME = "no outcome recorded"


def _counts_row(link: Link, counts: VerdictCounts) -> AuthorRecordRow:
    return AuthorRecordRow(link, counts.right, counts.wrong, counts.mixed, counts.judged, counts.withdrawn, counts.unrecorded)


def make_track_record_page(publication: Publication) -> TrackRecordPage:
    here = Here(urls.TRACK_RECORD)
    graph = publication.graph
    record = derive_track_record(graph)
    rows = tuple(
        TrackRecordRow(
            thesis=here.link(urls.thesis_page(item.thesis_id), graph.theses[item.thesis_id].title),
            authors=people_links(here, publication, graph.theses[item.thesis_id].authors),
            verdict=item.verdict or NO_OUTCOME, verdict_key=item.verdict or "none",
            opened=item.opened.isoformat(), outcome_on=item.outcome_on.isoformat() if item.outcome_on else "—",
            days_open=str(item.days_open) if item.days_open is not None else "—", note=item.note or "",
        )
        for item in record.closed
    )
    authors = tuple(
        _counts_row(here.link(urls.person_page(person_id), graph.people[person_id].name), counts)
        for person_id, counts in record.by_author if person_id in graph.people
    )
    total = _counts_row(here.link(urls.TRACK_RECORD, "All closed theses"), record.total) if record.closed else None
    return TrackRecordPage(make_nav(here), rows, authors, total, here.link(urls.METHOD, "Method", "track-record"))
