"""Full-text search over published items: the index written with each version, and the query.

SQLite uses FTS5 and PostgreSQL its text search; everything else about them is the same.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.errors import InvalidInput
from content.locales import search_config
from content.render import plain_text

_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_SEARCH_COLUMNS = "i.kind, i.slug, i.locale, i.title, i.summary, i.latest_version"


class SearchHit(model.Wire, kw_only=True):
    """One search result: the item, its rank (higher is better) and a snippet around the match."""

    type: model.Kind
    slug: str
    locale: str
    title: str
    summary: str
    version: int
    rank: float
    snippet: str
    snippet_html: str


async def search(
    engine: AsyncEngine,
    q: str,
    *,
    kind: model.Kind | None,
    limit: int,
    locale: str,
    serve_unreviewed: bool,
    withdrawn_on: dt.date | None = None,
) -> list[SearchHit]:
    """Full-text search over published items in one locale, best match first; with
    ``withdrawn_on``, not those whose latest version was reviewed until before that day."""
    words = _WORD.findall(q)
    if not words:
        raise InvalidInput("q", "The search query needs at least one word.")
    if engine.dialect.name == "postgresql":
        statement, params = _pg_search(" ".join(words), search_config(locale))
    else:
        # Each word quoted (no FTS5 syntax from users), the last one as a prefix.
        terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
        statement, params = _sqlite_search(" ".join(terms))
    where = "AND i.locale = :locale" + (" AND i.kind = :kind" if kind else "")
    if not serve_unreviewed:
        where += (
            " AND EXISTS (SELECT 1 FROM versions v WHERE v.item_id = i.id "
            "AND v.number = i.latest_version AND v.reviewed_by IS NOT NULL)"
        )
    if withdrawn_on is not None:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM versions w WHERE w.item_id = i.id AND w.number = "
            "i.latest_version AND w.reviewed_by IS NOT NULL AND w.next_review_on < :withdrawn_on)"
        )
        params["withdrawn_on"] = withdrawn_on
    params |= {"kind": kind, "locale": locale, "limit": limit, "open": _MARK_OPEN, "close": _MARK_CLOSE}
    async with engine.connect() as conn:
        text = sa.text(statement.format(where=where))
        if withdrawn_on is not None:
            text = text.bindparams(sa.bindparam("withdrawn_on", type_=sa.Date))
        rows = (await conn.execute(text, params)).all()
    return [_hit(row) for row in rows]


def _hit(row: Any) -> SearchHit:
    return SearchHit(
        type=row.kind,
        slug=row.slug,
        locale=row.locale,
        title=row.title,
        summary=row.summary,
        version=row.latest_version,
        rank=float(row.rank),
        snippet=row.snippet.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, ""),
        snippet_html=html.escape(row.snippet).replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>"),
    )


async def index(conn: AsyncConnection, item_id: int, item: model.Content) -> None:
    """(Re)index an item's latest version inside the caller's transaction."""
    body = plain_text(item)
    params = {"id": item_id, "title": item.title, "summary": item.summary, "body": body}
    if conn.dialect.name == "postgresql":
        params["config"] = search_config(item.locale)
        await conn.execute(
            sa.text(
                "INSERT INTO search_documents (item_id, config, title, summary, body) "
                "VALUES (:id, CAST(:config AS regconfig), :title, :summary, :body) "
                "ON CONFLICT (item_id) DO UPDATE SET config = excluded.config, "
                "title = excluded.title, summary = excluded.summary, body = excluded.body"
            ),
            params,
        )
    else:
        await conn.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), params)
        await conn.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"
            ),
            params,
        )


def _sqlite_search(match: str) -> tuple[str, dict[str, Any]]:
    # bm25 is lower-is-better; negate it so every store ranks higher-is-better.
    return (
        f"SELECT {_SEARCH_COLUMNS}, -bm25(search_fts, 10.0, 4.0, 1.0) AS rank, "
        "snippet(search_fts, -1, :open, :close, '…', 16) AS snippet "
        "FROM search_fts JOIN items i ON i.id = search_fts.rowid "
        "WHERE search_fts MATCH :match AND i.archived_at IS NULL {where} "
        "ORDER BY bm25(search_fts, 10.0, 4.0, 1.0) LIMIT :limit",
        {"match": match},
    )


def _pg_search(words: str, config: str) -> tuple[str, dict[str, Any]]:
    return (
        f"SELECT {_SEARCH_COLUMNS}, ts_rank(d.document, query) AS rank, "
        "ts_headline(d.config, d.title || ' … ' || d.summary || ' … ' || d.body, query, "
        "'StartSel=' || :open || ', StopSel=' || :close || ', MaxWords=24, MinWords=8') AS snippet "
        "FROM search_documents d JOIN items i ON i.id = d.item_id, "
        "websearch_to_tsquery(CAST(:config AS regconfig), :words) query "
        "WHERE d.document @@ query AND i.archived_at IS NULL {where} "
        "ORDER BY rank DESC, i.slug LIMIT :limit",
        {"words": words, "config": config},
    )
