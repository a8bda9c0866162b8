"""The files for programs that ship inside the site: the JSON export under `api/` and the
RSS/Atom feeds under `feeds/`, with URLs decided by `pages.urls`.

Input: the publication and its git history. Output: relative path → bytes under
`api/` and `feeds/`. They go into the docs tree, which mkdocs, mike and other renderers
copy as it is.
"""

from __future__ import annotations

from typing import Mapping

from .export import build_export, export_files
from .feeds import collect_feeds, feed_files
from .history import PublicationHistory, ThesisHistory
from .pages.urls import site_path
from .pipeline import Publication


def export_tree(publication: Publication, histories: Mapping[str, ThesisHistory]) -> dict[str, bytes]:
    return export_files(build_export(publication, histories, site_path))


def feed_tree(publication: Publication, history: PublicationHistory, site_url: str) -> dict[str, bytes]:
    return feed_files(collect_feeds(publication, history, site_url, site_path), site_url)
