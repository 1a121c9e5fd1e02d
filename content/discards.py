"""Discarded drafts, kept for 30 days so that a discard can be undone.

``Drafts.discard`` stores the draft here (``keep``) in the same transaction that deletes it, so
the desk and the API's ``DELETE .../draft`` both keep a copy. ``Discards.undo`` makes a kept copy
the draft again: the same content and editors, but no sign-off (a reviewer signs off again).
Copies older than ``KEPT`` are purged whenever a new one is stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.db import as_utc, discarded_drafts, drafts, items, utcnow, writer
from content.errors import Conflict, NotFound
from content.stored import decode_content, in_locale
from content.versions import insert_item

KEPT = dt.timedelta(days=30)
GONE = "That discarded draft is no longer kept (discarded drafts are kept for 30 days)."


@dataclass(frozen=True, slots=True)
class Discarded:
    """A discarded draft that may still be brought back."""

    id: int
    kind: model.Kind
    slug: str
    locale: str
    title: str
    content_hash: str
    based_on_version: int  # 0: the item was never published (it went with its draft)
    editors: tuple[str, ...]
    created_by: str
    discarded_by: str
    discarded_at: dt.datetime
    restored_at: dt.datetime | None

    @property
    def undo_until(self) -> dt.datetime:
        return self.discarded_at + KEPT


async def keep(
    conn: AsyncConnection, draft: Any, key: tuple[str, str, str], based_on: int, actor: str, now: dt.datetime
) -> int:
    """Store the ``drafts`` row ``draft`` of the translation ``key`` (kind, slug, locale), whose
    latest version is ``based_on``, before it is deleted; the copy's id.

    Copies older than ``KEPT`` go at the same time."""
    await conn.execute(discarded_drafts.delete().where(discarded_drafts.c.discarded_at < now - KEPT))
    kind, slug, locale = key
    kept: int = await conn.scalar(
        discarded_drafts.insert()
        .returning(discarded_drafts.c.id)
        .values(
            kind=kind,
            slug=slug,
            locale=locale,
            title=decode_content(draft.content).title[:200],
            content=draft.content,
            content_hash=draft.content_hash,
            based_on_version=based_on,
            editors=draft.editors or "[]",
            created_by=draft.created_by,
            discarded_by=actor,
            discarded_at=now,
        )
    )
    return kept


def _discarded(row: Any) -> Discarded:
    return Discarded(
        id=row.id,
        kind=row.kind,
        slug=row.slug,
        locale=row.locale,
        title=row.title,
        content_hash=row.content_hash,
        based_on_version=row.based_on_version,
        editors=tuple(msgspec.json.decode(row.editors or "[]")),
        created_by=row.created_by,
        discarded_by=row.discarded_by,
        discarded_at=as_utc(row.discarded_at),
        restored_at=as_utc(row.restored_at) if row.restored_at is not None else None,
    )


_COLUMNS = [c for c in discarded_drafts.c if c.name != "content"]


class Discards:
    """Recently discarded drafts: listed, and brought back with ``undo``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.writer = writer(engine)

    async def recent(self, actor: str | None = None, *, now: dt.datetime | None = None) -> list[Discarded]:
        """Discards of the last ``KEPT`` not brought back yet, newest first; ``actor``: only theirs."""
        since = (now or utcnow()) - KEPT
        query = (
            sa.select(*_COLUMNS)
            .where(discarded_drafts.c.restored_at.is_(None), discarded_drafts.c.discarded_at >= since)
            .order_by(discarded_drafts.c.discarded_at.desc(), discarded_drafts.c.id.desc())
        )
        if actor is not None:
            query = query.where(discarded_drafts.c.discarded_by == actor)
        async with self.engine.connect() as conn:
            return [_discarded(row) for row in await conn.execute(query)]

    async def get(self, discard_id: int) -> Discarded:
        """One kept discard, brought back or not; NotFound once purged."""
        query = sa.select(*_COLUMNS).where(discarded_drafts.c.id == discard_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(GONE)
        return _discarded(row)

    async def undo(self, discard_id: int, actor: str, *, now: dt.datetime | None = None) -> Discarded:
        """The discarded draft becomes the draft again, with its editors and without a sign-off.

        An item never published is created again. Refused (Conflict) when the translation has a
        draft now, when the item is archived, when it was brought back already or is older than
        ``KEPT``; NotFound once purged.
        """
        now = now or utcnow()
        async with self.writer.begin() as conn:
            row = (
                await conn.execute(sa.select(discarded_drafts).where(discarded_drafts.c.id == discard_id))
            ).first()
            if row is None:
                raise NotFound(GONE)
            kept = _discarded(row)
            what = f"the draft of “{kept.title}”{in_locale(kept.locale)}"
            if kept.restored_at is not None:
                raise Conflict(f"{what[:1].upper()}{what[1:]} was brought back already.")
            if now - kept.discarded_at > KEPT:
                raise Conflict(
                    f"{what[:1].upper()}{what[1:]} was discarded more than 30 days ago; it can no "
                    "longer be brought back."
                )
            item_id = await _item_for(conn, row, what, now)
            await conn.execute(
                drafts.insert().values(
                    item_id=item_id,
                    revision=secrets.token_hex(12),
                    content=row.content,
                    content_hash=row.content_hash,
                    created_by=row.created_by,
                    updated_by=actor,
                    updated_at=now,
                    editors=row.editors or "[]",
                )
            )
            await conn.execute(
                discarded_drafts.update().where(discarded_drafts.c.id == discard_id).values(restored_at=now)
            )
            await record(
                conn,
                actor,
                "undo_discard",
                kept.kind,
                kept.slug,
                None,
                None,
                kept.content_hash,
                f"discarded by {kept.discarded_by}",
                locale=kept.locale,
            )
        return replace(kept, restored_at=now)


async def _item_for(conn: AsyncConnection, row: Any, what: str, now: dt.datetime) -> int:
    """The id of the translation the discarded ``row`` belongs to, created again if it went."""
    found = (
        await conn.execute(
            sa.select(items.c.id, items.c.archived_at).where(
                items.c.kind == row.kind, items.c.slug == row.slug, items.c.locale == row.locale
            )
        )
    ).first()
    if found is None:
        return await insert_item(conn, decode_content(row.content), latest_version=0, now=now)
    if found.archived_at is not None:
        raise Conflict(f"The item is archived; bring it back first, then undo the discard of {what}.")
    if await conn.scalar(sa.select(drafts.c.item_id).where(drafts.c.item_id == found.id)) is not None:
        raise Conflict(
            f"There is a new draft now, so {what} cannot come back over it. Open the new draft, "
            "or discard it first and then undo this one."
        )
    item_id: int = found.id
    return item_id
