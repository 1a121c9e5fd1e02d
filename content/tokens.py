"""API tokens: shown once at creation, stored only as a SHA-256 hash, each with one role."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content import model
from content.db import as_utc, retried, tokens, utcnow, writer
from content.errors import Conflict, NotFound
from content.store import record

Role = Literal["reader", "editor", "reviewer", "publisher", "admin", "ehr"]
# Each role includes every role before it.
ROLES: tuple[Role, ...] = ("reader", "editor", "reviewer", "publisher", "admin")
# Roles for systems, outside that ladder: each allows its own routes and nothing else. ``ehr``
# is an EHR's: it reads published content (as anyone may), records Communications and reads them
# back; it reads no draft, writes no content and signs in to no desk.
SYSTEM_ROLES: tuple[Role, ...] = ("ehr",)
ALL_ROLES: tuple[Role, ...] = ROLES + SYSTEM_ROLES


class TokenInfo(model.Wire, kw_only=True):
    id: int
    name: str
    display_name: str  # who the token stands for, as printed on what they review ("Ana Rivera")
    credentials: str | None = None  # printed after the name on what they sign off ("MD")
    role: Role
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def allows(role: str, needed: Role) -> bool:
    if role in SYSTEM_ROLES or needed in SYSTEM_ROLES:
        return role == needed
    return ROLES.index(role) >= ROLES.index(needed)


def digest(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    engine: AsyncEngine,
    name: str,
    role: Role,
    actor: str,
    *,
    display_name: str,
    credentials: str | None = None,
) -> tuple[TokenInfo, str]:
    token = "folio_" + secrets.token_urlsafe(32)
    now = utcnow()
    async with writer(engine).begin() as conn:
        if await conn.scalar(sa.select(tokens.c.id).where(tokens.c.name == name)) is not None:
            raise Conflict(f"A token named {name!r} exists already.")
        token_id = (
            await conn.execute(
                tokens.insert().values(
                    name=name,
                    display_name=display_name,
                    credentials=credentials,
                    role=role,
                    token_hash=digest(token),
                    created_at=now,
                )
            )
        ).inserted_primary_key[0]  # type: ignore[index]
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
async def list_tokens(engine: AsyncEngine) -> list[TokenInfo]:
    async with engine.connect() as conn:
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


async def revoke_token(engine: AsyncEngine, name: str, actor: str) -> None:
    async with writer(engine).begin() as conn:
        done = await conn.execute(
            tokens.update()
            .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if done.rowcount != 1:
            raise NotFound(f"No active token named {name!r}.")
        await record(conn, actor, "revoke_token", None, None, None, None, None, name)


@retried
async def authenticate(engine: AsyncEngine, token: str) -> tuple[str, Role, str] | None:
    """The (name, role, display name) of an active token, or None."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(tokens.c.name, tokens.c.role, tokens.c.display_name).where(
                    tokens.c.token_hash == digest(token), tokens.c.revoked_at.is_(None)
                )
            )
        ).first()
    return (row.name, row.role, row.display_name) if row else None
