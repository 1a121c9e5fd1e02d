"""Desk sessions: a signed-in person's token name, role and CSRF secret, kept server-side.

The cookie carries only a random id; the table keeps its SHA-256, so a leaked database
cannot be replayed as cookies. A session lasts while its token does: revoking the token
ends every session opened with it, and the role is read from the token on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content.db import as_utc, desk_sessions, retried, tokens, utcnow, writer
from content.tokens import SYSTEM_ROLES, Role, authenticate

TTL = dt.timedelta(hours=8)  # a working day; then the person signs in again


@dataclass(frozen=True, slots=True)
class Session:
    token_name: str
    role: Role
    display_name: str
    csrf: str
    expires_at: dt.datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(
    engine: AsyncEngine, token: str, *, ttl: dt.timedelta = TTL
) -> tuple[str, Session] | None:
    """A new session for an active token: (the cookie's id, the session); None for a bad token."""
    found = await authenticate(engine, token)
    if found is None or found[1] in SYSTEM_ROLES:  # a system's token is no person's sign-in
        return None
    name, role, display_name = found
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    session = Session(name, role, display_name, secrets.token_urlsafe(32), now + ttl)
    async with writer(engine).begin() as conn:
        await conn.execute(desk_sessions.delete().where(desk_sessions.c.expires_at < now))
        await conn.execute(
            desk_sessions.insert().values(
                id_hash=_hash(session_id),
                token_name=name,
                role=role,
                display_name=display_name,
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
        )
    return session_id, session


@retried
async def find_session(engine: AsyncEngine, session_id: str) -> Session | None:
    """The live session with this id, with its token's current role; None if expired or revoked."""
    query = (
        sa.select(desk_sessions, tokens.c.role.label("token_role"))
        .join(tokens, tokens.c.name == desk_sessions.c.token_name)
        .where(desk_sessions.c.id_hash == _hash(session_id), tokens.c.revoked_at.is_(None))
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).first()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return Session(row.token_name, row.token_role, row.display_name, row.csrf, as_utc(row.expires_at))


async def close_session(engine: AsyncEngine, session_id: str) -> None:
    async with writer(engine).begin() as conn:
        await conn.execute(desk_sessions.delete().where(desk_sessions.c.id_hash == _hash(session_id)))
