"""Compatibility names for desk sessions: they live in ``content.accounts`` (class ``Sessions``).

The integrator removes these once every caller uses ``Sessions``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from content.accounts import TTL, Session, Sessions

__all__ = ["TTL", "Session", "close_session", "find_session", "open_session"]


async def open_session(
    engine: AsyncEngine, token: str, *, ttl: dt.timedelta = TTL
) -> tuple[str, Session] | None:
    """A new session for an active token: (the cookie's id, the session); None for a bad token."""
    return await Sessions(engine).open(token, ttl=ttl)


async def find_session(engine: AsyncEngine, session_id: str) -> Session | None:
    """The live session with this id, with its token's current role; None if expired or revoked."""
    return await Sessions(engine).find(session_id)


async def close_session(engine: AsyncEngine, session_id: str) -> None:
    await Sessions(engine).close(session_id)
