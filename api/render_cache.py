"""Where rendered exports are kept, keyed by their ETag, and the lock that renders each once.

A rendered export (a handout PDF, an email, a page) never changes for a given ETag, so any
replica may serve what any other rendered. Two stores:

- ``DiskRenderCache``: files under a folder, locked with ``flock``. One box, or replicas that
  share a folder with working ``flock``. The default on SQLite.
- ``DatabaseRenderCache``: rows of the ``rendered`` table, locked with a PostgreSQL advisory
  lock held on a connection of its own. Replicas need nothing but the database.

The export service asks ``get``; on a miss it takes ``lock(key)``, asks ``get`` again (another
replica may have rendered it meanwhile), renders and ``put``s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from content.db import rendered, utcnow

if TYPE_CHECKING:
    from api.settings import Settings

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,150}$")
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired while waiting


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
    """Rows of the ``rendered`` table; the lock is a PostgreSQL session advisory lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

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
        # A connection of its own, in autocommit: the lock belongs to the session, so no
        # transaction stays open while the render runs. Whenever it is unclear whether the
        # session holds the lock (cancelled mid-call, a failed unlock) or it still carries our
        # lock_timeout, the connection is discarded: closing the session releases its locks.
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                await conn.execute(sa.text(f"SET lock_timeout = {max(1, int(timeout * 1000))}"))
                await conn.execute(sa.select(sa.func.pg_advisory_lock(lock_id)))
                await conn.execute(sa.text("RESET lock_timeout"))
            except BaseException as exc:
                await asyncio.shield(conn.invalidate())
                if isinstance(exc, DBAPIError) and _sqlstate(exc) == _LOCK_NOT_AVAILABLE:
                    raise TimeoutError(f"render lock {key} still held after {timeout:g} s") from None
                raise
            try:
                yield
            finally:
                try:
                    await conn.execute(sa.select(sa.func.pg_advisory_unlock(lock_id)))
                except BaseException:
                    await asyncio.shield(conn.invalidate())
                    raise

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
    """The database on PostgreSQL (no shared disk needed); the data folder on SQLite."""
    if engine.dialect.name == "postgresql":
        return DatabaseRenderCache(engine)
    return DiskRenderCache(settings.data_path / "rendered")


def _sqlstate(exc: DBAPIError) -> str | None:
    # SQLAlchemy's asyncpg adapter keeps the driver's error (which has the code) as the cause.
    cause = getattr(exc.orig, "__cause__", None)
    code = getattr(exc.orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
    return str(code) if code else None


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
