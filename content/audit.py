"""The audit log: one entry per write, in the writer's transaction, read back newest first."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.db import as_utc, audit, retried, utcnow
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE
from content.stored import decode_cursor, encode_cursor


class AuditEntry(model.Wire, kw_only=True):
    id: int
    at: dt.datetime
    actor: str
    action: str
    type: str | None
    slug: str | None
    locale: str | None
    version: int | None
    hash_before: str | None
    hash_after: str | None
    detail: str


class AuditPage(model.Wire, kw_only=True):
    entries: list[AuditEntry]
    next_cursor: str | None


async def record(
    conn: AsyncConnection,
    actor: str,
    action: str,
    kind: str | None,
    slug: str | None,
    version: int | None,
    hash_before: str | None,
    hash_after: str | None,
    detail: str = "",
    *,
    locale: str | None = None,
) -> None:
    """Write one audit entry inside the caller's transaction."""
    await conn.execute(
        audit.insert().values(
            at=utcnow(),
            actor=actor,
            action=action,
            kind=kind,
            slug=slug,
            locale=locale if locale is not None or kind is None else DEFAULT_LOCALE,
            version=version,
            hash_before=hash_before,
            hash_after=hash_after,
            detail=detail,
        )
    )


class AuditLog:
    """Reads the audit log."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @retried
    async def page(
        self,
        *,
        limit: int,
        cursor: str | None = None,
        kind: str | None = None,
        slug: str | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> AuditPage:
        """Newest first, ``limit`` entries after ``cursor``, filtered by the fields given."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit + 1)
        if cursor is not None:
            after = decode_cursor(cursor)
            if not isinstance(after, int):
                raise InvalidInput("cursor", "The cursor is not one this API issued.")
            query = query.where(audit.c.id < after)
        for column, value in (
            (audit.c.kind, kind),
            (audit.c.slug, slug),
            (audit.c.actor, actor),
            (audit.c.action, action),
        ):
            if value is not None:
                query = query.where(column == value)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        entries = [
            AuditEntry(
                id=r.id,
                at=as_utc(r.at),
                actor=r.actor,
                action=r.action,
                type=r.kind,
                slug=r.slug,
                locale=r.locale,
                version=r.version,
                hash_before=r.hash_before,
                hash_after=r.hash_after,
                detail=r.detail,
            )
            for r in rows[:limit]
        ]
        more = len(rows) > limit
        return AuditPage(entries=entries, next_cursor=encode_cursor(entries[-1].id) if more else None)
