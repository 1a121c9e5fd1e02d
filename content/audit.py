"""The audit log as a service holding its engine: every write, newest first, filtered."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content.db import as_utc, audit, retried
from content.editorial import AuditEntry, AuditPage
from content.errors import InvalidInput
from content.store import decode_cursor, encode_cursor


class AuditLog:
    """Reads of the audit log (writes are recorded inside each write's transaction)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
        """Newest first."""
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
        async with self._engine.connect() as conn:
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
