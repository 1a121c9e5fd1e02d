"""Drafts: an item's next version while editors write it.

Drafts are guarded by a random token per save (the ETag): a write names the token it read and
wins only if it is still current (``swap_draft``, the one compare-and-swap), so concurrent
editors cannot overwrite each other. Every write also records an audit entry.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.db import as_utc, drafts, items, media_assets, retried, utcnow, versions, writer
from content.discards import keep
from content.errors import Conflict, InvalidInput, NotFound, Stale
from content.item_rows import check_item_references, find_item
from content.library import check_item
from content.locales import DEFAULT_LOCALE
from content.queues import SILENT, QueueNotices, waiting_for_review
from content.readability import measure
from content.stored import content_hash, decode_content, in_locale, review_of
from content.tidy import tidy
from content.versions import insert_item


class DraftInfo(model.Wire, kw_only=True):
    """Server-managed facts about a draft."""

    created_by: str
    updated_by: str
    # Every account that wrote this draft's content (token names): none of them may sign it off.
    edited_by: list[str]
    updated_at: dt.datetime
    content_hash: str
    based_on_version: int  # the latest published version when it was read; 0 if never published
    review_current: bool  # a review covers exactly this content: it may be published
    readability: model.Readability  # how hard the draft is to read, in its locale's formulas


@dataclass(frozen=True, slots=True)
class Draft:
    kind: model.Kind
    slug: str
    locale: str
    etag: str
    content: model.Content  # with the draft's recorded review, if any
    info: DraftInfo


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """A draft as a review queue lists it."""

    kind: model.Kind
    slug: str
    title: str
    updated_by: str
    updated_at: dt.datetime
    based_on_version: int
    reviewed: bool  # a review covers exactly the current content
    locale: str = DEFAULT_LOCALE
    edited_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unreviewed:
    """A published translation whose latest version no reviewer has signed off."""

    kind: model.Kind
    slug: str
    locale: str
    title: str
    version: int
    published_at: dt.datetime
    has_draft: bool


def normalize(item: model.Content) -> model.Content:
    """The stored form of an editor's item: derived fields blank (as its kind and blocks declare),
    no review (reviewers set it)."""
    return replace(item.stored(), review=None)


def _editable(item: model.Content) -> model.Content:
    if item.review is not None:
        raise InvalidInput("$.review", "The review is recorded by a reviewer, not sent with the draft.")
    return normalize(check_item(tidy(item)))


class Drafts:
    """Creating, reading, editing and discarding drafts."""

    def __init__(self, engine: AsyncEngine, queues: QueueNotices = SILENT) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.queues = queues  # queue.entered when a write puts a draft in the review queue

    async def create(self, item: model.Content, actor: str) -> Draft:
        """A new item, unpublished, holding its first draft."""
        item = _editable(item)
        async with self.writer.begin() as conn:
            await check_item_references(conn, item)
            item = await with_assets(conn, item)
            exists = await conn.scalar(
                sa.select(items.c.id).where(
                    items.c.kind == item.kind, items.c.slug == item.slug, items.c.locale == item.locale
                )
            )
            if exists is not None:
                raise Conflict(
                    f"A {item.kind} with slug {item.slug!r}{in_locale(item.locale)} exists already."
                )
            item_id = await insert_item(conn, item, latest_version=0, now=utcnow())
            await insert_draft(conn, item_id, item, actor, edited=True)
            await _record(conn, actor, "create", item, None)
            await self.queues.entered(conn, "review", item.kind, item.slug, item.locale, item.title, actor)
        return await self.get(item.kind, item.slug, item.locale)

    async def start(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> Draft:
        """A draft that starts as a copy of the latest published version of this translation.

        A translation that does not exist yet is created with ``create``: a draft never starts
        from another locale's text.
        """
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale)
            if await conn.scalar(sa.select(drafts.c.item_id).where(drafts.c.item_id == row.id)):
                raise Conflict(f"The {kind} {slug!r}{in_locale(locale)} has a draft already; edit that one.")
            content = await conn.scalar(
                sa.select(versions.c.content).where(
                    versions.c.item_id == row.id, versions.c.number == row.latest_version
                )
            )
            assert content is not None  # latest_version always names a stored version
            item = normalize(decode_content(content))
            await insert_draft(conn, row.id, item, actor, edited=False)
            await _record(conn, actor, "start_draft", item, None)
        return await self.get(kind, slug, locale)

    @retried
    async def get(self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE) -> Draft:
        query = (
            sa.select(drafts, items.c.latest_version)
            .join(items, items.c.id == drafts.c.item_id)
            .where(items.c.kind == kind, items.c.slug == slug, items.c.locale == locale)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"The {kind} {slug!r}{in_locale(locale)} has no draft.")
        return _draft(kind, slug, locale, row)

    @retried
    async def waiting(self) -> list[DraftSummary]:
        """Every draft, least recently changed first (the oldest waits longest)."""
        query = (
            sa.select(
                drafts, items.c.kind, items.c.slug, items.c.locale, items.c.title, items.c.latest_version
            )
            .join(items, items.c.id == drafts.c.item_id)
            .where(items.c.archived_at.is_(None))
            .order_by(drafts.c.updated_at, items.c.slug)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            DraftSummary(
                kind=r.kind,
                slug=r.slug,
                title=decode_content(r.content).title,
                updated_by=r.updated_by,
                updated_at=as_utc(r.updated_at),
                based_on_version=r.latest_version,
                reviewed=r.reviewed_hash == r.content_hash,
                locale=r.locale,
                edited_by=tuple(editors_of(r.editors)),
            )
            for r in rows
        ]

    async def unreviewed(self) -> list[Unreviewed]:
        """Every live published translation whose latest version carries no sign-off."""
        latest = sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version)
        query = (
            sa.select(
                items.c.kind,
                items.c.slug,
                items.c.locale,
                items.c.title,
                versions.c.number,
                versions.c.published_at,
                drafts.c.item_id.label("draft"),
            )
            .join(versions, latest)
            .outerjoin(drafts, drafts.c.item_id == items.c.id)
            .where(items.c.archived_at.is_(None), versions.c.reviewed_by.is_(None))
            .order_by(items.c.kind, items.c.slug, items.c.locale)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Unreviewed(
                kind=r.kind,
                slug=r.slug,
                locale=r.locale,
                title=r.title,
                version=r.number,
                published_at=as_utc(r.published_at),
                has_draft=r.draft is not None,
            )
            for r in rows
        ]

    async def replace(self, item: model.Content, expected: str, actor: str) -> Draft:
        """Overwrite the draft, if ``expected`` is still its ETag."""
        item = _editable(item)
        async with self.writer.begin() as conn:
            row = await find_item(conn, item.kind, item.slug, item.locale, published=False)
            await check_item_references(conn, item)
            item = await with_assets(conn, item)
            current = await current_draft(conn, row.id, item.kind, item.slug, item.locale)
            digest, editors = content_hash(item), editors_of(current.editors)
            was_waiting = waiting_for_review(editors, current.content_hash, current.reviewed_hash)
            if digest != current.content_hash and actor not in editors:
                editors.append(actor)
            await swap_draft(
                conn,
                row.id,
                expected,
                "The draft changed since you read it; fetch it again and reapply your edit.",
                content=msgspec.json.encode(item),
                content_hash=digest,
                updated_by=actor,
                updated_at=utcnow(),
                editors=msgspec.json.encode(editors).decode(),
            )
            if row.latest_version == 0:  # keep unpublished items' list fields in step
                await conn.execute(
                    items.update().where(items.c.id == row.id).values(title=item.title, summary=item.summary)
                )
            await _record(conn, actor, "update_draft", item, current.content_hash)
            if not was_waiting and waiting_for_review(editors, digest, current.reviewed_hash):
                await self.queues.entered(
                    conn, "review", item.kind, item.slug, item.locale, item.title, actor
                )
        return await self.get(item.kind, item.slug, item.locale)

    async def discard(
        self, kind: model.Kind, slug: str, expected: str | None, actor: str, locale: str = DEFAULT_LOCALE
    ) -> int:
        """Delete the draft; an item never published goes with it. A copy is kept for 30 days
        (``content.discards``): the id of that copy, for ``Discards.undo``."""
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale, published=False)
            await current_draft(conn, row.id, kind, slug, locale)  # NotFound without a draft
            kept = (await conn.execute(sa.select(drafts).where(drafts.c.item_id == row.id))).one()
            await delete_draft(conn, row.id, expected, "The draft changed since you read it.")
            discard_id = await keep(conn, kept, (kind, slug, locale), row.latest_version, actor, utcnow())
            if row.latest_version == 0:
                await conn.execute(items.delete().where(items.c.id == row.id))
            await record(
                conn, actor, "discard_draft", kind, slug, None, kept.content_hash, None, locale=locale
            )
        return discard_id


async def with_assets(conn: AsyncConnection, item: model.Content) -> model.Content:
    """The item with each picture's asset facts (width, height, format) from the media library;
    a picture naming no stored asset is refused, naming its field."""
    if not isinstance(item, model.Article):
        return item
    wanted = {b.media for b in item.body if isinstance(b, model.Image)}
    if not wanted:
        return item
    rows = await conn.execute(
        sa.select(
            media_assets.c.hash, media_assets.c.width, media_assets.c.height, media_assets.c.format
        ).where(media_assets.c.hash.in_(sorted(wanted)))
    )
    assets = {row.hash: row for row in rows}
    body = []
    for i, block in enumerate(item.body):
        if isinstance(block, model.Image):
            if (asset := assets.get(block.media)) is None:
                raise InvalidInput(
                    f"$.body[{i}].media", f"no image {block.media} in the media library; upload it first"
                )
            block = replace(block, width=asset.width, height=asset.height, format=asset.format)
        body.append(block)
    return replace(item, body=body)


async def _record(
    conn: AsyncConnection, actor: str, action: str, item: model.Content, before: str | None
) -> None:
    """The audit entry of a draft's content written (created, started or replaced)."""
    await record(
        conn, actor, action, item.kind, item.slug, None, before, content_hash(item), locale=item.locale
    )


async def insert_draft(
    conn: AsyncConnection, item_id: int, item: model.Content, actor: str, *, edited: bool
) -> None:
    """A new draft; starting one from a published version copies it, which is no edit."""
    await conn.execute(
        drafts.insert().values(
            item_id=item_id,
            revision=_token(),
            content=msgspec.json.encode(item),
            content_hash=content_hash(item),
            created_by=actor,
            updated_by=actor,
            updated_at=utcnow(),
            editors=msgspec.json.encode([actor] if edited else []).decode(),
        )
    )


async def current_draft(conn: AsyncConnection, item_id: int, kind: str, slug: str, locale: str) -> Any:
    """The draft's content hash and editors; NotFound when the item has no draft."""
    found = (
        await conn.execute(
            sa.select(drafts.c.content_hash, drafts.c.editors, drafts.c.reviewed_hash).where(
                drafts.c.item_id == item_id
            )
        )
    ).first()
    if found is None:
        raise NotFound(f"The {kind} {slug!r}{in_locale(locale)} has no draft.")
    return found


async def swap_draft(conn: AsyncConnection, item_id: int, expected: str, stale: str, **values: Any) -> None:
    """The draft compare-and-swap: write ``values`` and a new ETag if ``expected`` is still its ETag.

    Raises Stale (with the message ``stale``) when another write got there first.
    """
    changed = await conn.execute(
        drafts.update()
        .where(drafts.c.item_id == item_id, drafts.c.revision == expected)
        .values(revision=_token(), **values)
    )
    if changed.rowcount != 1:
        raise Stale(stale)


async def delete_draft(conn: AsyncConnection, item_id: int, expected: str | None, stale: str) -> None:
    """Delete the draft if ``expected`` is still its ETag (None: whatever it is); Stale otherwise."""
    condition = drafts.c.item_id == item_id
    if expected is not None:
        condition &= drafts.c.revision == expected
    if (await conn.execute(drafts.delete().where(condition))).rowcount != 1:
        raise Stale(stale)


def _token() -> str:
    return secrets.token_hex(12)


def editors_of(raw: str | None) -> list[str]:
    """The token names that edited a draft, from its stored JSON list."""
    found: list[str] = msgspec.json.decode(raw or "[]")
    return found


def _draft(kind: model.Kind, slug: str, locale: str, row: Any) -> Draft:
    # A sign-off of other content than the draft's is no sign-off of the draft.
    current = row.reviewed_hash == row.content_hash
    review = review_of(row) if current and row.reviewed_by is not None else None
    content = replace(decode_content(row.content), review=review)
    info = DraftInfo(
        created_by=row.created_by,
        updated_by=row.updated_by,
        edited_by=editors_of(row.editors),
        updated_at=as_utc(row.updated_at),
        content_hash=row.content_hash,
        based_on_version=row.latest_version,
        review_current=current,
        readability=measure(content),
    )
    return Draft(kind=kind, slug=slug, locale=locale, etag=f'"{row.revision}"', content=content, info=info)
