"""One-time sign-in links for people an admin invites in the desk.

A link's code is 256 random bits, shown once; the table keeps only its SHA-256. A link lasts
seven days and signs in once: using it is one UPDATE ... WHERE used_at IS NULL AND expires_at >
now, so two tabs (or a link scanner and a person) racing get one session between them. A link of
a revoked account signs in nobody. Following the link only shows who it is for; signing in is a
POST (``use``), so a mail scanner that fetches links consumes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content.accounts import Role, Session, Sessions, TokenInfo, Tokens
from content.audit import record
from content.db import as_utc, invites, retried, tokens, utcnow, writer

LIFETIME = dt.timedelta(days=7)
State = Literal["valid", "used", "expired", "revoked"]


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Invite:
    """Who a link signs in, and whether it still may."""

    token_name: str
    display_name: str
    credentials: str | None
    role: Role
    expires_at: dt.datetime
    state: State


class Invites:
    """Creating sign-in links, reading one by its code, and using one once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(self, token_name: str, actor: str, *, lifetime: dt.timedelta = LIFETIME) -> str:
        """A new link code for the account ``token_name``: shown this once, stored as its hash."""
        code = secrets.token_urlsafe(32)
        now = utcnow()
        async with writer(self.engine).begin() as conn:
            await conn.execute(
                invites.insert().values(
                    code_hash=_hash(code),
                    token_name=token_name,
                    created_by=actor,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return code

    async def invite(
        self, name: str, role: Role, actor: str, *, display_name: str, credentials: str | None = None
    ) -> tuple[TokenInfo, str, str]:
        """A new account with its token and a sign-in link code: (its facts, token, code)."""
        info, token = await Tokens(self.engine).create(
            name, role, actor, display_name=display_name, credentials=credentials
        )
        return info, token, await self.create(name, actor)

    @retried
    async def find(self, code: str) -> Invite | None:
        """The link's invite (whatever its state), or None for a code never issued."""
        query = (
            sa.select(
                invites.c.token_name,
                invites.c.expires_at,
                invites.c.used_at,
                tokens.c.display_name,
                tokens.c.credentials,
                tokens.c.role,
                tokens.c.revoked_at,
            )
            .join(tokens, tokens.c.name == invites.c.token_name)
            .where(invites.c.code_hash == _hash(code))
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        expires = as_utc(row.expires_at)
        state: State = (
            "revoked"
            if row.revoked_at is not None
            else "used"
            if row.used_at is not None
            else "expired"
            if expires <= utcnow()
            else "valid"
        )
        return Invite(row.token_name, row.display_name, row.credentials, row.role, expires, state)

    async def use(self, code: str) -> tuple[str, Session] | None:
        """Spend the link: a new desk session (cookie id, session); None if it is not valid now."""
        now = utcnow()
        live = sa.select(tokens.c.name).where(tokens.c.revoked_at.is_(None))
        async with writer(self.engine).begin() as conn:
            name = await conn.scalar(
                invites.update()
                .where(
                    invites.c.code_hash == _hash(code),
                    invites.c.used_at.is_(None),
                    invites.c.expires_at > now,
                    invites.c.token_name.in_(live),
                )
                .values(used_at=now)
                .returning(invites.c.token_name)
            )
            if name is None:
                return None
            await record(conn, name, "invite_used", None, None, None, None, None, name)
        return await Sessions(self.engine).open_for(name)
