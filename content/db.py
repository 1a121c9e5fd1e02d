"""The async engine for SQLite or PostgreSQL, and the tables (``content.tables``) re-exported."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from content.tables import (
    audit,
    comments,
    communications,
    deliveries,
    desk_keys,
    desk_sessions,
    discarded_drafts,
    drafts,
    invites,
    item_tags,
    items,
    media_assets,
    media_variants,
    metadata,
    pins,
    release_entries,
    releases,
    rendered,
    review_events,
    schedules,
    tokens,
    version_codes,
    versions,
    webhook_secrets,
    webhooks,
)

# The tables are defined in content.tables and imported from here, as they always were.
__all__ = [
    "StoreUnavailable",
    "as_utc",
    "audit",
    "comments",
    "communications",
    "create_engine",
    "deliveries",
    "desk_keys",
    "desk_sessions",
    "discarded_drafts",
    "drafts",
    "dropped",
    "invites",
    "item_tags",
    "items",
    "media_assets",
    "media_variants",
    "metadata",
    "pins",
    "release_entries",
    "releases",
    "rendered",
    "retried",
    "review_events",
    "schedules",
    "tokens",
    "utcnow",
    "version_codes",
    "versions",
    "webhook_secrets",
    "webhooks",
    "writer",
]

log = logging.getLogger("folio.db")
P = ParamSpec("P")
T = TypeVar("T")


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
