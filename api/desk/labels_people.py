"""The desk's words for people (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

``api.desk.labels`` merges them into the catalogs; a key here may also reword one of its own.
"""

from __future__ import annotations

EN: dict[str, str] = {}

ES: dict[str, str] = {}
