"""Accounts: API tokens (shown once, stored only as a SHA-256 hash, each with one role) and the
desk sessions people open with them.

A session's cookie carries only a random id; the table keeps its SHA-256, so a leaked database
cannot be replayed as cookies. A session lasts while its token does: revoking the token ends
every session opened with it, and the role is read from the token on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content import model
from content.audit import record
from content.db import as_utc, desk_sessions, retried, tokens, utcnow, writer
from content.errors import Conflict, NotFound

Role = Literal["reader", "editor", "reviewer", "publisher", "admin", "ehr"]
# Each role includes every role before it.
ROLES: tuple[Role, ...] = ("reader", "editor", "reviewer", "publisher", "admin")
# Roles for systems, outside that ladder: each allows its own routes and nothing else. ``ehr``
# is an EHR's: it reads published content (as anyone may), records Communications and reads them
# back; it reads no draft, writes no content and signs in to no desk.
SYSTEM_ROLES: tuple[Role, ...] = ("ehr",)
ALL_ROLES: tuple[Role, ...] = ROLES + SYSTEM_ROLES
TTL = dt.timedelta(hours=8)  # a desk session lasts a working day; then the person signs in again


class TokenInfo(model.Wire, kw_only=True):
    id: int
    name: str
    display_name: str  # who the token stands for, as printed on what they review ("Ana Rivera")
    credentials: str | None = None  # printed after the name on what they sign off ("MD")
    role: Role
    created_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Session:
    token_name: str
    role: Role
    display_name: str
    csrf: str
    expires_at: dt.datetime


def allows(role: str, needed: Role) -> bool:
    if role in SYSTEM_ROLES or needed in SYSTEM_ROLES:
        return role == needed
    return ROLES.index(role) >= ROLES.index(needed)


def digest(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """API tokens and the people they stand for."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(
        self, name: str, role: Role, actor: str, *, display_name: str, credentials: str | None = None
    ) -> tuple[TokenInfo, str]:
        """A new token: its facts, and the token itself, shown this once."""
        token = "folio_" + secrets.token_urlsafe(32)
        now = utcnow()
        async with writer(self.engine).begin() as conn:
            if await conn.scalar(sa.select(tokens.c.id).where(tokens.c.name == name)) is not None:
                raise Conflict(f"A token named {name!r} exists already.")
            token_id: int = await conn.scalar(
                tokens.insert()
                .returning(tokens.c.id)
                .values(
                    name=name,
                    display_name=display_name,
                    credentials=credentials,
                    role=role,
                    token_hash=digest(token),
                    created_at=now,
                )
            )
            await record(conn, actor, "create_token", None, None, None, None, None, f"{name} ({role})")
        info = TokenInfo(
            id=token_id,
            name=name,
            display_name=display_name,
            credentials=credentials,
            role=role,
            created_at=now,
            revoked_at=None,
        )
        return info, token

    @retried
    async def all(self) -> list[TokenInfo]:
        """Every token, revoked ones too, oldest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(tokens).order_by(tokens.c.id))
            return [
                TokenInfo(
                    id=r.id,
                    name=r.name,
                    display_name=r.display_name,
                    credentials=r.credentials,
                    role=r.role,
                    created_at=as_utc(r.created_at),
                    revoked_at=as_utc(r.revoked_at) if r.revoked_at else None,
                )
                for r in rows
            ]

    async def revoke(self, name: str, actor: str) -> None:
        async with writer(self.engine).begin() as conn:
            done = await conn.execute(
                tokens.update()
                .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            if done.rowcount != 1:
                raise NotFound(f"No active token named {name!r}.")
            await record(conn, actor, "revoke_token", None, None, None, None, None, name)

    @retried
    async def authenticate(self, token: str) -> tuple[str, Role, str] | None:
        """The (name, role, display name) of an active token, or None."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(tokens.c.name, tokens.c.role, tokens.c.display_name).where(
                        tokens.c.token_hash == digest(token), tokens.c.revoked_at.is_(None)
                    )
                )
            ).first()
        return (row.name, row.role, row.display_name) if row else None

    async def people(self) -> dict[str, str]:
        """Token name -> the person as shown to staff: display name, and credentials if any."""
        return await self._people(sa.true())

    async def reviewers(self) -> dict[str, str]:
        """Active accounts that may sign off (reviewer role or above): token name -> person."""
        allowed = ROLES[ROLES.index("reviewer") :]
        return await self._people(sa.and_(tokens.c.revoked_at.is_(None), tokens.c.role.in_(allowed)))

    async def _people(self, where: sa.ColumnElement[bool]) -> dict[str, str]:
        query = (
            sa.select(tokens.c.name, tokens.c.display_name, tokens.c.credentials)
            .where(where)
            .order_by(tokens.c.display_name)
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return {
                r.name: f"{r.display_name}, {r.credentials}" if r.credentials else r.display_name
                for r in rows
            }


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """Desk sessions: a signed-in person's token name, role and CSRF secret, kept server-side."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self, token: str, *, ttl: dt.timedelta = TTL) -> tuple[str, Session] | None:
        """A new session for an active token: (the cookie's id, the session); None for a bad token."""
        found = await Tokens(self.engine).authenticate(token)
        if found is None or found[1] in SYSTEM_ROLES:  # a system's token is no person's sign-in
            return None
        return await self._start(*found, ttl=ttl)

    async def open_for(self, name: str, *, ttl: dt.timedelta = TTL) -> tuple[str, Session] | None:
        """A new session for the active account ``name`` without its token (a one-time sign-in
        link vouched for it: content.invites); None if it is revoked, unknown or a system's."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(tokens.c.role, tokens.c.display_name).where(
                        tokens.c.name == name, tokens.c.revoked_at.is_(None)
                    )
                )
            ).first()
        if row is None or row.role in SYSTEM_ROLES:
            return None
        return await self._start(name, row.role, row.display_name, ttl=ttl)

    async def _start(
        self, name: str, role: Role, display_name: str, *, ttl: dt.timedelta
    ) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        now = utcnow()
        session = Session(name, role, display_name, secrets.token_urlsafe(32), now + ttl)
        async with writer(self.engine).begin() as conn:
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
    async def find(self, session_id: str) -> Session | None:
        """The live session with this id, with its token's current role; None if expired or revoked."""
        query = (
            sa.select(desk_sessions, tokens.c.role.label("token_role"))
            .join(tokens, tokens.c.name == desk_sessions.c.token_name)
            .where(desk_sessions.c.id_hash == _hash(session_id), tokens.c.revoked_at.is_(None))
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or as_utc(row.expires_at) <= utcnow():
            return None
        return Session(row.token_name, row.token_role, row.display_name, row.csrf, as_utc(row.expires_at))

    async def close(self, session_id: str) -> None:
        async with writer(self.engine).begin() as conn:
            await conn.execute(desk_sessions.delete().where(desk_sessions.c.id_hash == _hash(session_id)))
