"""Tables of the versioned store, and the async engine for SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger("folio.db")
P = ParamSpec("P")
T = TypeVar("T")
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
    # An item is one translation: those of one item share kind and slug.
    sa.UniqueConstraint("kind", "slug", "locale", name="uq_items_kind_slug_locale"),
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
    # The sign-off this version carries (all null when unreviewed): the reviewer account's token
    # name, the display name and credentials printed, when, and the content hash it covered.
    sa.Column("reviewer_account", sa.String(100), nullable=True),
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewer_credentials", sa.String(200), nullable=True),
    sa.Column("reviewed_on", sa.Date, nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reviewed_hash", sa.String(80), nullable=True),
    # When the next review is due; on an unreviewed version, the review asked for (a file's).
    sa.Column("next_review_on", sa.Date, nullable=True),
    # Migration 0007: the review a library file claimed, withdrawn ("Clinical review team, 2026-11-02").
    sa.Column("review_withdrawn", sa.Text, nullable=True),
    sa.UniqueConstraint("item_id", "number", name="uq_versions_item_number"),
)

# What each version embeds, pinned to the exact version it showed when it was published.
pins = sa.Table(
    "pins",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # order of first appearance in the body
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    # The translation pinned: the embedder's own locale where it exists, else the default one.
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Index("ix_pins_target", "kind", "slug", "locale"),
)

# The clinical codes of each version (a copy of its content's ``codes``), so the chart's
# look-ups (Infobutton, FHIR, CDS Hooks, ?code=) find versions by code without decoding them.
version_codes = sa.Table(
    "version_codes",
    metadata,
    sa.Column("version_id", sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("system", sa.String(100), primary_key=True),
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Index("ix_version_codes_code", "code", "system"),
)

# What each patient was given (issue 22): the EHR's opaque references and the exact version,
# never a name, birth date or free text. ``document`` is the DocumentReference id given.
communications = sa.Table(
    "communications",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version_id", sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("document", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("encounter", sa.String(200), nullable=True),
    sa.Column("sent", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Index("ix_communications_document", "document"),
    sa.Index("ix_communications_recorded_at", "recorded_at"),
)

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("item_id", sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("revision", sa.String(32), nullable=False),  # random per save: the ETag
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("content_hash", sa.String(80), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Token names of everyone who wrote this draft's content: none of them may sign it off.
    sa.Column("editors", sa.Text, nullable=False, server_default="[]"),
    sa.Column("reviewer_account", sa.String(100), nullable=True),
    sa.Column("reviewed_by", sa.String(200), nullable=True),
    sa.Column("reviewer_credentials", sa.String(200), nullable=True),
    sa.Column("reviewed_on", sa.Date, nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("next_review_on", sa.Date, nullable=True),
    sa.Column("reviewed_hash", sa.String(80), nullable=True),  # the content the review covers
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    # Who the token stands for, as printed on what they review ("Dr A. Rivera, MD").
    sa.Column("display_name", sa.String(200), nullable=False),
    # Printed after the name when this person signs a review off ("MD"); schema.org honorificSuffix.
    sa.Column("credentials", sa.String(200), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(16), nullable=True),
    sa.Column("slug", sa.String(120), nullable=True),
    sa.Column("locale", sa.String(10), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("hash_before", sa.String(80), nullable=True),
    sa.Column("hash_after", sa.String(80), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("ix_audit_item", "kind", "slug"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("events", sa.String(200), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
)

# Rendered exports (handouts, email, pages) keyed by their ETag, for replicas without a shared
# disk: api/render_cache.py. A row never changes; a new ETag is a new row.
rendered = sa.Table(
    "rendered",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_rendered_created_at", "created_at"),
)

# Desk sign-ins: a random id in an HttpOnly cookie, stored hashed, standing for a token.
desk_sessions = sa.Table(
    "desk_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's random id
    sa.Column("token_name", sa.String(100), nullable=False),  # the token signed in with
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),  # the forms' CSRF token
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_desk_sessions_expires", "expires_at"),
)

# Full-text search lives in dialect-specific tables made by the migration:
# SQLite: FTS5 table search_fts(title, summary, body), rowid = items.id.
# PostgreSQL: search_documents(item_id, config, title, summary, body, document tsvector) + GIN
# index, where config is the text search configuration of the row's locale ('spanish', ...).


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class StoreUnavailable(Exception):
    """The database could not be reached for this request: its connection was dropped
    (a restart, a failover, an idle timeout), or every pooled connection stayed busy."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @classmethod
    def of(cls, exc: BaseException) -> StoreUnavailable | None:
        """This error as unavailability, or None when it is some other failure."""
        if isinstance(exc, StoreUnavailable):
            return exc
        if isinstance(exc, sa.exc.TimeoutError):
            return cls("Every database connection is busy; try again in a moment.")
        if dropped(exc):
            return cls("The database connection was lost; nothing half-done was kept. Try again.")
        return None


# What asyncpg and SQLAlchemy say when a connection is closed under them (terminated backend,
# restart, failover, proxy timeout); SQLAlchemy's own test misses some before asyncpg notices.
_DROPPED = (
    "connection is closed",
    "connection was closed",
    "underlying connection is closed",
    "terminating connection due to administrator command",
    "connection_lost",
)
# SQLSTATEs of a session ended by the server (admin shutdown, crash, cannot connect now) or lost.
_DROPPED_STATES = ("57P01", "57P02", "57P03", "08000", "08003", "08006")


def dropped(exc: BaseException) -> bool:
    """Whether a database error means its connection went away mid-operation."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if not any(isinstance(e, sa.exc.SQLAlchemyError) or _from_asyncpg(e) for e in chain):
        return False  # not the database's error: a ConnectionError elsewhere is not ours to retry
    return any(
        isinstance(e, ConnectionError)
        or getattr(e, "sqlstate", None) in _DROPPED_STATES
        or any(words in str(e).lower() for words in _DROPPED)
        for e in chain
    )


def _from_asyncpg(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("asyncpg")


def retried(read: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """For reads that change nothing: one that loses its connection mid-flight runs once more,
    on a fresh connection (the lost one is invalidated, and the pool pings what it hands out)."""

    @functools.wraps(read)
    async def once_more(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await read(*args, **kwargs)
        except Exception as exc:
            if not dropped(exc):
                raise
            log.info("%s lost its database connection (%s); reading again", read.__qualname__, exc)
        return await read(*args, **kwargs)

    return once_more


def create_engine(
    url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 30.0
) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    PostgreSQL connections are pinged when taken from the pool: one closed by a restart,
    failover or idle timeout is replaced before a request uses it.
    """
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **pool) if path and path != ":memory:" else create_async_engine(url)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(url, pool_pre_ping=True, **pool)
    sa.event.listen(engine.sync_engine, "begin", _postgres_begin)
    return engine


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The engine for write transactions: they take the store's one write lock when they begin.

    A deferred SQLite transaction that reads and then writes fails at once (SQLITE_BUSY, no
    retry) when another writer committed in between; BEGIN IMMEDIATE waits its turn instead.
    PostgreSQL gets the same single-writer semantics from a transaction-scoped advisory lock,
    shared by every process on the database: a write checks its preconditions (the draft's
    ETag, the next version number, whether the slug is free) with no other write in between, so
    racing requests get the 412 or 409 a sequential one would, never a unique-key violation.
    Writes are editorial and short; reads never take the lock.
    """
    return engine.execution_options(folio_write=True)


# pg_advisory_xact_lock(classid, objid): "foli" in ASCII, then the lock's purpose (1: writes).
_WRITE_LOCK = (0x666F6C69, 1)


def _postgres_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get("folio_write", False):
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock({}, {})".format(*_WRITE_LOCK))


def _sqlite_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get("folio_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun explicitly in _sqlite_begin, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


# Uploaded images (issue 24, content/media.py): each named by the SHA-256 of its stored bytes,
# re-encoded without metadata; a row never changes. Variants are made once and kept beside them.
media_assets = sa.Table(
    "media_assets",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("format", sa.String(8), nullable=False),  # png, jpeg, webp
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("bytes", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Index("ix_media_assets_created_at", "created_at"),
)

media_variants = sa.Table(
    "media_variants",
    metadata,
    sa.Column("hash", sa.ForeignKey("media_assets.hash", ondelete="CASCADE"), primary_key=True),
    sa.Column("width", sa.Integer, primary_key=True),
    sa.Column("format", sa.String(8), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
