"""The desk's own words in Spanish: the same keys as ``api.desk.labels.LABELS``."""

from __future__ import annotations

ES: dict[str, str] = {}
