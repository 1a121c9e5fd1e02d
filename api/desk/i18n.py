"""The desk's interface language: a person's choice (a cookie), else their browser's, else English.

Separate from the translation being worked on (``?locale=``): a Spanish-speaking editor may
work on the English article, and the reverse.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

UI_LANGUAGES = ("en", "es")
LANG_COOKIE = "folio_desk_lang"


def ui_language(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """``en`` or ``es`` for this request."""
    chosen = connection.cookies.get(LANG_COOKIE, "")
    if chosen in UI_LANGUAGES:
        return chosen
    accepted = connection.headers.get("accept-language", "")
    best, best_q = "en", 0.0
    for part in accepted.split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in UI_LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best
