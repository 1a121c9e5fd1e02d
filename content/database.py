"""The content database opened for one process, handing out content's services.

The CLI's commands open it for one run; the engine stays inside content/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.communications import Communications
from content.db import create_engine
from content.store import Store


class Database:
    """One engine (a connection pool) and the services that share it."""

    def __init__(self, url: str, **pool: Any) -> None:
        self._engine = create_engine(url, **pool)
        self.tokens = Tokens(self._engine)
        self.sessions = Sessions(self._engine)
        self.audit = AuditLog(self._engine)
        self.communications = Communications(self._engine)

    def store(self, *, serve_unreviewed: bool = False) -> Store:
        return Store(self._engine, serve_unreviewed=serve_unreviewed)

    async def close(self) -> None:
        await self._engine.dispose()


@asynccontextmanager
async def open_database(url: str, **pool: Any) -> AsyncIterator[Database]:
    """The database at ``url``, its pool closed on exit."""
    database = Database(url, **pool)
    try:
        yield database
    finally:
        await database.close()
