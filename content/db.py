"""Tables of the versioned store, and the async engine for SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = sa.MetaData()

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("kind", "slug", name="uq_items_kind_slug"),
)

item_tags = sa.Table(
    "item_tags",
    metadata,
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag", sa.String(60), primary_key=True),
    sa.Index("ix_item_tags_tag", "tag"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),  # the item's stored JSON form
    sa.Column("content_hash", sa.String(80), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # "library" (sync) or "api"
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reviewed_by", sa.String(200), nullable=False),
    sa.Column("reviewed_on", sa.Date, nullable=False),
    sa.Column("next_review_on", sa.Date, nullable=False),
    sa.UniqueConstraint("item_id", "number", name="uq_versions_item_number"),
)

# Full-text search lives in dialect-specific tables made by the migration:
# SQLite: FTS5 table search_fts(title, summary, body), rowid = items.id.
# PostgreSQL: search_documents(item_id, title, summary, body, document tsvector) + GIN index.


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
