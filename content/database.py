"""The content database opened for one process, handing out content's services.

The app and the CLI's commands open it (the app for its lifetime, a command for one run); the
engine stays inside content/, but for the two api modules that hold SQL of their own (the
webhook outbox and the render cache), which read it from ``Database.engine``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.communications import Communications
from content.db import create_engine
from content.store import Store


class Database:
    """One engine (a connection pool) and the services that share it."""

    def __init__(
        self, url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 30.0
    ) -> None:
        """Connections kept open (``pool_size``), opened beyond them under load (``max_overflow``),
        and how long a request waits for one (``pool_timeout``, seconds)."""
        self._engine = create_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout
        )
        self.tokens = Tokens(self._engine)
        self.sessions = Sessions(self._engine)
        self.audit = AuditLog(self._engine)
        self.communications = Communications(self._engine)

    @property
    def engine(self) -> AsyncEngine:
        """For ``api.webhooks`` and ``api.render_cache`` alone (``tests/test_layout.py``)."""
        return self._engine

    def store(self, *, serve_unreviewed: bool = False) -> Store:
        return Store(self._engine, serve_unreviewed=serve_unreviewed)

    async def close(self) -> None:
        await self._engine.dispose()


@asynccontextmanager
async def open_database(
    url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 30.0
) -> AsyncIterator[Database]:
    """The database at ``url``, its pool closed on exit."""
    database = Database(url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
    try:
        yield database
    finally:
        await database.close()
