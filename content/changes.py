"""What changed in published content, reported by ``Editorial`` after each commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    slug: str
    locale: str
    action: str  # "published", "restored", "archived", "unarchived", "reviewed", ...
