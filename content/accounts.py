"""API tokens and desk sessions as two small services, each holding the engine it writes to.

The SQL lives in ``content.tokens`` and ``content.sessions``; handlers receive these objects
through dependency injection and never see the engine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from content import sessions, tokens
from content.sessions import Session
from content.tokens import Role, TokenInfo


class Tokens:
    """Create, list, revoke and check bearer tokens."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self, name: str, role: Role, actor: str, *, display_name: str, credentials: str | None = None
    ) -> tuple[TokenInfo, str]:
        return await tokens.create_token(
            self._engine, name, role, actor, display_name=display_name, credentials=credentials
        )

    async def list(self) -> list[TokenInfo]:
        return await tokens.list_tokens(self._engine)

    async def revoke(self, name: str, actor: str) -> None:
        await tokens.revoke_token(self._engine, name, actor)

    async def authenticate(self, token: str) -> tuple[str, Role, str] | None:
        """The (name, role, display name) of an active token, or None."""
        return await tokens.authenticate(self._engine, token)


class Sessions:
    """The desk's signed-in sessions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open(self, token: str, *, ttl: dt.timedelta = sessions.TTL) -> tuple[str, Session] | None:
        return await sessions.open_session(self._engine, token, ttl=ttl)

    async def find(self, session_id: str) -> Session | None:
        return await sessions.find_session(self._engine, session_id)

    async def close(self, session_id: str) -> None:
        await sessions.close_session(self._engine, session_id)
