"""Rendered exports kept in the database, and the PostgreSQL advisory lock that renders each once.

The export service's cross-replica render cache on PostgreSQL (``api.render_cache`` picks it):
rows of the ``rendered`` table, keyed by the export's ETag; a row never changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content.db import create_engine, rendered, retried, utcnow

log = logging.getLogger("folio.render_cache")


class DatabaseRenderCache:
    """Rows of the ``rendered`` table; the lock is a PostgreSQL session advisory lock.

    The lock lives on a connection of ``lock_engine``, a small pool of its own (FOLIO_PDF_WORKERS
    connections per process: the export service takes the lock only once a render worker is
    free), so a render never holds a connection readers need. Waiting holds no connection at
    all: ``pg_try_advisory_lock`` is polled on a connection checked out for that one statement.
    """

    def __init__(
        self, engine: AsyncEngine, lock_engine: AsyncEngine | None = None, poll_seconds: float = 0.05
    ) -> None:
        self.engine = engine
        self.lock_engine = lock_engine or engine
        self.poll_seconds = poll_seconds

    @retried
    async def get(self, key: str) -> bytes | None:
        async with self.engine.connect() as conn:
            body = await conn.scalar(sa.select(rendered.c.body).where(rendered.c.key == key))
        return bytes(body) if body is not None else None

    async def put(self, key: str, body: bytes, media_type: str) -> None:
        row = {"key": key, "media_type": media_type, "body": body, "created_at": utcnow()}
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(rendered).values(row).on_conflict_do_nothing(index_elements=["key"])
        async with self.engine.begin() as conn:
            await conn.execute(statement)

    @contextlib.asynccontextmanager
    async def lock(self, key: str, timeout: float) -> AsyncIterator[None]:  # noqa: ASYNC109 (the protocol's)
        if self.engine.dialect.name != "postgresql":
            raise NotImplementedError("DatabaseRenderCache locks need PostgreSQL; use DiskRenderCache")
        lock_id = advisory_lock_id(key)
        conn = await self._take(lock_id, key, timeout)
        try:
            yield
        finally:
            await self._release(conn, lock_id, key)

    async def _take(self, lock_id: int, key: str, timeout: float) -> AsyncConnection:  # noqa: ASYNC109
        """A connection whose session holds the lock; polls, holding no connection in between.

        The timeout is checked between attempts rather than by cancelling one: a statement
        cancelled mid-flight would leave its connection in the middle of an operation.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            conn = await self.lock_engine.connect()
            try:
                # Autocommit: the lock belongs to the session, no transaction stays open.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                if await conn.scalar(sa.select(sa.func.pg_try_advisory_lock(lock_id))):
                    return conn
            except BaseException:
                # Cancelled or failed mid-call: whether the session took the lock is unknown, so
                # the session is discarded (closing it releases whatever it held).
                await asyncio.shield(_discard(conn))
                raise
            await conn.close()
            if (left := deadline - loop.time()) <= 0:
                raise TimeoutError(f"render lock {key} still held after {timeout:g} s")
            await asyncio.sleep(min(self.poll_seconds, left))

    async def _release(self, conn: AsyncConnection, lock_id: int, key: str) -> None:
        """Unlock; a session that cannot be reached (dropped, cancelled) is discarded instead.

        A discarded session's locks die with it, so a render that finished stays finished: the
        failure to unlock is logged, never raised into the request that rendered.
        """
        try:
            await conn.execute(sa.select(sa.func.pg_advisory_unlock(lock_id)))
        except Exception as exc:
            log.warning("render lock %s: unlock failed (%s); its connection is discarded", key, exc)
            await asyncio.shield(_discard(conn))
            return
        except BaseException:
            await asyncio.shield(_discard(conn))
            raise
        await asyncio.shield(conn.close())

    async def close(self) -> None:
        """Close the lock pool, if it is the cache's own."""
        if self.lock_engine is not self.engine:
            await self.lock_engine.dispose()

    async def prune(self, before: dt.datetime) -> int:
        """Delete rows stored before ``before``; returns how many."""
        async with self.engine.begin() as conn:
            result = await conn.execute(sa.delete(rendered).where(rendered.c.created_at < before))
        return int(result.rowcount)


def advisory_lock_id(key: str) -> int:
    """A signed 64-bit id for ``pg_advisory_lock``, stable across processes and replicas."""
    digest = hashlib.blake2b(b"folio-render:" + key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def database_render_cache(
    engine: AsyncEngine, db_url: str, lock_connections: int
) -> DatabaseRenderCache | None:
    """On PostgreSQL, the cache in the database, its locks on a pool of their own with
    ``lock_connections`` connections (one per render worker: the export service takes a lock
    only when a worker is free, so that many are ever held); None on another database."""
    if engine.dialect.name != "postgresql":
        return None
    return DatabaseRenderCache(engine, create_engine(db_url, pool_size=lock_connections, max_overflow=0))


async def _discard(conn: AsyncConnection) -> None:
    """Invalidate and close: the pool opens a fresh connection instead of reusing this session."""
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()
