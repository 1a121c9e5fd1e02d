"""What Editorial reports after each commit that changes what readers get."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Change:
    """One item's published state or review status changed (``action``: "published",
    "restored", "archived", "unarchived", "reviewed", ...)."""

    kind: str
    slug: str
    locale: str
    action: str
