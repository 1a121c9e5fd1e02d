"""A library sync: publish every library file whose content changed, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.changes import Announcement, Outbox, no_outbox
from content.db import items, versions, writer
from content.locales import DEFAULT_LOCALE
from content.stored import content_hash
from content.versions import Created, publish, refresh_dependents


@dataclass(slots=True)
class SyncReport:
    """What a library sync did: versions it created, items it left alone (changed in the API),
    and versions it gave items whose embeds changed (``refreshed``)."""

    created: list[Created] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refreshed: list[Created] = field(default_factory=list)


async def sync(
    engine: AsyncEngine,
    library_items: Iterable[model.Content],
    author: str,
    *,
    force: bool = False,
    outbox: Outbox = no_outbox,
) -> SyncReport:
    """Publish every item whose content changed, all in one transaction.

    Embeddable items go first, so an article published in the same run pins their new
    versions; then every live item whose latest version embeds an older one is refreshed.
    An item whose latest version was published through the API, and differs from its
    library file, is left alone and named in ``kept`` unless ``force``: an editor's work in
    the API is never overwritten by a stale file, and every other item still syncs.
    ``outbox`` announces each new version inside the same transaction.
    """
    library_items = sorted(library_items, key=lambda i: not model.KIND_SPECS[i.kind].embeddable)
    report = SyncReport()
    async with writer(engine).begin() as conn:
        kept = set() if force else set(await _api_edited(conn, library_items))
        for item in library_items:
            name = _name(item)
            if name in kept:
                report.kept.append(name)
                continue
            # A file never signs anything off: its review block only asks for a review by a day.
            asked = model.Review(next_review_on=item.review.next_review_on if item.review else None)
            number = await publish(conn, item, author=author, note="Synced from the library", review=asked)
            if number is not None:
                report.created.append(
                    Created(kind=item.kind, slug=item.slug, version=number, locale=item.locale)
                )
                digest = content_hash(item)
                await record(
                    conn, author, "sync", item.kind, item.slug, number, None, digest, locale=item.locale
                )
        for entry in report.created:
            report.refreshed += await refresh_dependents(
                conn, entry.kind, entry.slug, entry.locale, entry.version, author, "library"
            )
        for entry in report.created + report.refreshed:
            announcement = Announcement(
                "published", entry.kind, entry.slug, entry.version, None, entry.locale
            )
            await outbox(conn, announcement)
    return report


def _name(item: model.Content) -> str:
    return f"{item.kind}/{item.slug}" + ("" if item.locale == DEFAULT_LOCALE else f" ({item.locale})")


async def _api_edited(conn: AsyncConnection, library_items: list[model.Content]) -> list[str]:
    rows = await conn.execute(
        sa.select(items.c.kind, items.c.slug, items.c.locale, versions.c.content_hash)
        .join(
            versions, sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version)
        )
        .where(versions.c.source == "api")
    )
    edited = {(row.kind, row.slug, row.locale): row.content_hash for row in rows}
    return [
        _name(item)
        for item in library_items
        if edited.get((item.kind, item.slug, item.locale), content_hash(item)) != content_hash(item)
    ]
