"""Where rendered exports are kept, keyed by their ETag, and the lock that renders each once.

A rendered export (a handout PDF, an email, a page) never changes for a given ETag, so any
replica may serve what any other rendered. Two stores:

- ``DiskRenderCache``: files under a folder, locked with ``flock``. One box, or replicas that
  share a folder with working ``flock``. The default on SQLite.
- ``DatabaseRenderCache`` (``content.rendered``, with its SQL): rows of the ``rendered`` table,
  locked with a PostgreSQL advisory lock held, while the render runs, on a connection of a
  small pool of its own. Replicas need nothing but the database.

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

from content.rendered import DatabaseRenderCache, database_render_cache

if TYPE_CHECKING:
    from api.settings import Settings
    from content.database import Database

__all__ = ["DatabaseRenderCache", "DiskRenderCache", "RenderCache", "render_cache_for"]

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,150}$")


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


def render_cache_for(settings: Settings, database: Database) -> RenderCache:
    """The database on PostgreSQL (no shared disk needed); the data folder on SQLite.

    On PostgreSQL the render locks get a pool of their own, one connection per render worker:
    the export service takes a lock only when a worker is free, so that many are ever held.
    """
    found = database_render_cache(database.engine, settings.db_url, settings.pdf_workers)
    return found if found is not None else DiskRenderCache(settings.data_path / "rendered")


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
