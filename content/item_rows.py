"""What every editorial write checks first, inside its transaction: the item, what it refers to."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.db import items, versions
from content.errors import Conflict, Gone, InvalidInput, NotFound
from content.library import check_references
from content.locales import DEFAULT_LOCALE
from content.stored import decode_content, in_locale


async def find_item(
    conn: AsyncConnection,
    kind: str,
    slug: str,
    locale: str,
    *,
    published: bool = True,
    archived: bool = False,
) -> Any:
    """The item's row (id, latest_version, archived_at): NotFound, or Gone when archived."""
    row = (
        await conn.execute(
            sa.select(items.c.id, items.c.latest_version, items.c.archived_at).where(
                items.c.kind == kind, items.c.slug == slug, items.c.locale == locale
            )
        )
    ).first()
    if row is None or (published and row.latest_version == 0):
        raise NotFound(f"No {kind} {slug!r}{in_locale(locale)}.")
    if row.archived_at is not None and not archived:
        raise Gone(f"The {kind} {slug!r}{in_locale(locale)} was archived.")
    return row


async def latest_hash(conn: AsyncConnection, item_id: int) -> str | None:
    return await conn.scalar(
        sa.select(versions.c.content_hash)
        .join(items, sa.and_(items.c.id == versions.c.item_id, versions.c.number == items.c.latest_version))
        .where(items.c.id == item_id)
    )


async def check_item_references(
    conn: AsyncConnection, item: model.Content, *, published_only: bool = False
) -> None:
    """Everything ``item`` links or embeds exists (InvalidInput), or is published (Conflict)."""
    query = sa.select(items.c.kind, items.c.slug).where(items.c.archived_at.is_(None))
    if published_only:
        query = query.where(items.c.latest_version > 0)
    present = {(r.kind, r.slug) for r in await conn.execute(query)} | {(item.kind, item.slug)}
    problems = check_references([item, *await _embedded_faqs(conn, item)], present)
    if problems:
        field, _, detail = problems[0].partition(": ")[2].partition(": ")
        raise (
            InvalidInput(field, detail)
            if not published_only
            else Conflict(
                "Publish what it refers to first: " + "; ".join(p.split(": ", 1)[1] for p in problems)
            )
        )


async def _embedded_faqs(conn: AsyncConnection, item: model.Content) -> list[model.Content]:
    """The latest published FAQ sets an article embeds items of: FAQ item ids are checked against them."""
    if not isinstance(item, model.Article):
        return []
    slugs = {b.slug for b in item.body if isinstance(b, model.FaqEmbed) and b.items}
    if not slugs:
        return []
    rows = await conn.execute(
        sa.select(versions.c.content)
        .join(items, sa.and_(items.c.id == versions.c.item_id, versions.c.number == items.c.latest_version))
        .where(items.c.kind == "faq", items.c.slug.in_(slugs))
        .where(items.c.locale.in_((item.locale, DEFAULT_LOCALE)))
    )
    # The item's own locale last, so its FAQ set wins over the fallback's.
    found = (decode_content(r.content) for r in rows)
    return sorted(found, key=lambda f: f.locale == item.locale)
