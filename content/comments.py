"""Comments on a translation's draft: plain text from anyone who works on drafts, shown in the
draft's review view and kept in the audit log (action ``comment``).

The review view shows the comments of the current draft cycle: those written after the latest
publish of that translation and after the latest discard of its draft that was not undone (all of
them, if neither happened). A discarded draft's comments go with it, and come back with it on
*Undo*; the audit log keeps every comment whatever happens to the draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.db import as_utc, comments, discarded_drafts, drafts, items, retried, utcnow, versions, writer
from content.drafts import editors_of
from content.errors import InvalidInput, NotFound
from content.item_rows import find_item
from content.locales import DEFAULT_LOCALE
from content.queues import SILENT, QueueNotices
from content.stored import decode_content, in_locale

LONGEST = 4000  # characters in one comment
AUDITED = 500  # characters of a comment the audit entry keeps


class Comment(model.Wire, kw_only=True):
    id: int
    author: str  # token name
    body: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Commented:
    """A draft with comments its editor has not answered by saving since."""

    kind: model.Kind
    slug: str
    locale: str
    title: str
    count: int
    latest: dt.datetime


def checked(body: str) -> str:
    """The comment as stored: trimmed, 1 to 4000 characters; InvalidInput names the field."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("comment", "Write a comment first.")
    if len(text) > LONGEST:
        raise InvalidInput("comment", f"A comment holds at most {LONGEST} characters; this has {len(text)}.")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InvalidInput("comment", "The comment holds control characters; type it as plain text.")
    return text


def _in_this_cycle(kind: str, slug: str, locale: str) -> sa.ColumnElement[bool]:
    """Written since the translation's latest publish and its latest discard not undone."""
    published = (
        sa.select(sa.func.max(versions.c.published_at))
        .join(items, items.c.id == versions.c.item_id)
        .where(items.c.kind == kind, items.c.slug == slug, items.c.locale == locale)
        .scalar_subquery()
    )
    discarded = (
        sa.select(sa.func.max(discarded_drafts.c.discarded_at))
        .where(
            discarded_drafts.c.kind == kind,
            discarded_drafts.c.slug == slug,
            discarded_drafts.c.locale == locale,
            discarded_drafts.c.restored_at.is_(None),
        )
        .scalar_subquery()
    )
    return sa.and_(
        sa.or_(published.is_(None), comments.c.created_at > published),
        sa.or_(discarded.is_(None), comments.c.created_at > discarded),
    )


class Comments:
    """Adding and reading comments on drafts; ``queues`` announces each one (``comments`` queue)."""

    def __init__(self, engine: AsyncEngine, queues: QueueNotices = SILENT) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.queues = queues

    async def add(
        self, kind: model.Kind, slug: str, author: str, body: str, locale: str = DEFAULT_LOCALE
    ) -> Comment:
        """A comment on the translation's draft (NotFound when it has none), in the audit log too."""
        text = checked(body)
        now = utcnow()
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale, published=False)
            if await conn.scalar(sa.select(drafts.c.item_id).where(drafts.c.item_id == row.id)) is None:
                raise NotFound(f"The {kind} {slug!r}{in_locale(locale)} has no draft to comment on.")
            comment_id: int = await conn.scalar(
                comments.insert()
                .returning(comments.c.id)
                .values(kind=kind, slug=slug, locale=locale, author=author, body=text, created_at=now)
            )
            await record(conn, author, "comment", kind, slug, None, None, None, text[:AUDITED], locale=locale)
            await self.queues.entered(conn, "comments", kind, slug, locale, row.id, author)
        return Comment(id=comment_id, author=author, body=text, created_at=now)

    @retried
    async def of(self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE) -> list[Comment]:
        """The current draft cycle's comments on the translation, oldest first."""
        query = (
            sa.select(comments)
            .where(
                comments.c.kind == kind,
                comments.c.slug == slug,
                comments.c.locale == locale,
                _in_this_cycle(kind, slug, locale),
            )
            .order_by(comments.c.created_at, comments.c.id)
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return [
                Comment(id=r.id, author=r.author, body=r.body, created_at=as_utc(r.created_at)) for r in rows
            ]

    @retried
    async def waiting_for(self, editor: str) -> list[Commented]:
        """Drafts ``editor`` wrote with comments by others newer than the draft's last save."""
        async with self.engine.connect() as conn:
            return await _waiting_for(conn, editor)


async def _waiting_for(conn: AsyncConnection, editor: str) -> list[Commented]:
    query = (
        sa.select(
            items.c.kind,
            items.c.slug,
            items.c.locale,
            drafts.c.content,
            drafts.c.editors,
            sa.func.count(comments.c.id).label("count"),
            sa.func.max(comments.c.created_at).label("latest"),
        )
        .join(drafts, drafts.c.item_id == items.c.id)
        .join(
            comments,
            sa.and_(
                comments.c.kind == items.c.kind,
                comments.c.slug == items.c.slug,
                comments.c.locale == items.c.locale,
            ),
        )
        .where(
            items.c.archived_at.is_(None),
            comments.c.author != editor,
            comments.c.created_at > drafts.c.updated_at,
        )
        # Both tables' keys: every other column selected depends on one of them (PostgreSQL).
        .group_by(items.c.id, drafts.c.item_id)
    )
    found = [
        Commented(
            kind=r.kind,
            slug=r.slug,
            locale=r.locale,
            title=decode_content(r.content).title,
            count=r._mapping["count"],
            latest=as_utc(r.latest),
        )
        for r in await conn.execute(query)
        if editor in editors_of(r.editors)
    ]
    return sorted(found, key=lambda c: c.latest)
