"""Timestamps (`H:MM:SS`, `MM:SS`) as seconds: one reading for the moment anchors of source pages,
the timestamp links into a source and the check that two moments are not the same time."""

from __future__ import annotations


def timestamp_seconds(at: str) -> int:
    """`H:MM:SS` or `MM:SS` → seconds."""
    seconds = 0
    for part in at.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds
