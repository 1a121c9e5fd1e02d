"""Where rendered exports are kept, keyed by their ETag, and the lock that renders each once.

A rendered export (a handout PDF, an email, a page) never changes for a given ETag, so any
replica may serve what any other rendered. Two stores:

- ``DiskRenderCache``: files under a folder, locked with ``flock``. One box, or replicas that
  share a folder with working ``flock``. The default on SQLite.
- ``DatabaseRenderCache``: rows of the ``rendered`` table, locked with a PostgreSQL advisory
  lock held, while the render runs, on a connection of a small pool of its own. Replicas need
  nothing but the database.

The export service asks ``get``; on a miss it takes ``lock(key)``, asks ``get`` again (another
replica may have rendered it meanwhile), renders and ``put``s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content.db import create_engine, rendered, retried, utcnow

if TYPE_CHECKING:
    from api.settings import Settings

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,150}$")
log = logging.getLogger("folio.render_cache")


class RenderCache(Protocol):
    async def get(self, key: str) -> bytes | None:
        """The stored bytes for this ETag, or None."""
        ...

    async def put(self, key: str, body: bytes, media_type: str) -> None:
        """Store the bytes for this ETag; storing the same key twice keeps the first."""
        ...

    def lock(self, key: str, timeout: float) -> AbstractAsyncContextManager[None]:
        """Exclusive across processes and replicas; raises TimeoutError after ``timeout`` s."""
        ...

    async def close(self) -> None:
        """Let go of what the cache holds open (a lock pool)."""
        ...


class DiskRenderCache:
    """Files under ``root``, one per ETag, written atomically; ``flock`` on a file beside each."""

    def __init__(self, root: Path, poll_seconds: float = 0.05) -> None:
        self.root = root
        self.poll_seconds = poll_seconds

    def path(self, key: str) -> Path:
        name = key.strip('"')
        if not _SAFE_NAME.match(name) or name.startswith("."):
            name = "h-" + hashlib.blake2b(key.encode(), digest_size=20).hexdigest()
        return self.root / name

    async def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def put(self, key: str, body: bytes, media_type: str) -> None:
        await asyncio.to_thread(_write_atomically, self.path(key), body)

    @contextlib.asynccontextmanager
    async def lock(self, key: str, timeout: float) -> AsyncIterator[None]:  # noqa: ASYNC109 (the protocol's)
        # Polled rather than a blocking flock in a thread, so that waiting ties up no thread.
        path = self.path(key)
        path = path.with_name(path.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        await asyncio.sleep(self.poll_seconds)
            yield
        finally:
            os.close(fd)  # closing the file releases the lock

    async def close(self) -> None:
        pass

    async def prune(self, before: dt.datetime) -> int:
        """Delete entries written before ``before``; returns how many."""

        def run() -> int:
            removed = 0
            for path in self.root.glob("*"):
                if path.suffix in (".lock", ".tmp") or not path.is_file():
                    continue
                if path.stat().st_mtime < before.timestamp():
                    path.unlink(missing_ok=True)
                    removed += 1
            return removed

        return await asyncio.to_thread(run) if self.root.exists() else 0


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


def render_cache_for(settings: Settings, engine: AsyncEngine) -> RenderCache:
    """The database on PostgreSQL (no shared disk needed); the data folder on SQLite.

    On PostgreSQL the render locks get a pool of their own, one connection per render worker:
    the export service takes a lock only when a worker is free, so that many are ever held.
    """
    if engine.dialect.name == "postgresql":
        locks = create_engine(settings.db_url, pool_size=settings.pdf_workers, max_overflow=0)
        return DatabaseRenderCache(engine, locks)
    return DiskRenderCache(settings.data_path / "rendered")


async def _discard(conn: AsyncConnection) -> None:
    """Invalidate and close: the pool opens a fresh connection instead of reusing this session."""
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the whole file or none; when the file exists already, the first one stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
