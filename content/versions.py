"""Writing versions inside the caller's transaction: the item row, the version, its pins and
index entries, and the refresh of items that embed what changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.audit import record
from content.db import item_tags, items, pins, utcnow, version_codes, versions
from content.errors import Conflict
from content.locales import DEFAULT_LOCALE
from content.search import index
from content.stored import content_hash, decode_content, embedded_refs, review_of, stored_form


@dataclass(frozen=True, slots=True)
class Created:
    kind: model.Kind
    slug: str
    version: int
    locale: str = DEFAULT_LOCALE


async def insert_item(
    conn: AsyncConnection, item: model.Content, *, latest_version: int, now: dt.datetime
) -> int:
    """The items row of a new translation (``latest_version`` 0: only a draft so far); its id."""
    item_id: int = await conn.scalar(
        items.insert()
        .returning(items.c.id)
        .values(
            kind=item.kind,
            slug=item.slug,
            locale=item.locale,
            title=item.title,
            summary=item.summary,
            latest_version=latest_version,
            created_at=now,
            updated_at=now,
        )
    )
    return item_id


async def publish(
    conn: AsyncConnection,
    item: model.Content,
    *,
    author: str,
    note: str,
    source: str = "library",
    force: bool = False,
    review: model.Review = model.UNREVIEWED,
    reviewer_account: str | None = None,
) -> int | None:
    """Store ``item`` as its next version inside the caller's transaction.

    Returns the new version number, or None when the content equals the latest version
    (unless ``force``: a roll back publishes an old version's content again on purpose).
    ``review`` is the sign-off the version carries; it is kept only when it covered exactly
    this content (its ``reviewedHash``), otherwise the version is unreviewed. Only its
    next-review date (the review asked for) then remains.
    """
    item = stored_form(item)
    digest = content_hash(item)
    if review.signed and review.reviewed_hash != digest:
        review, reviewer_account = model.Review(next_review_on=review.next_review_on), None
    now = utcnow()
    row = await _latest(conn, item)
    if row is None:
        number = 1
        item_id = await insert_item(conn, item, latest_version=1, now=now)
    else:
        if row.content_hash == digest and not force:
            return None
        item_id, number = row.id, row.latest_version + 1
        await conn.execute(
            items.update()
            .where(items.c.id == item_id)
            .values(latest_version=number, title=item.title, summary=item.summary, updated_at=now)
        )
        await conn.execute(item_tags.delete().where(item_tags.c.item_id == item_id))
    values = {"author": author, "note": note, "source": source, "published_at": now}
    version_id = await _insert_version(conn, item_id, number, item, review, reviewer_account, values)
    await _pin(conn, version_id, item)
    if item.codes:
        await conn.execute(
            version_codes.insert(),
            [{"version_id": version_id, "system": c.system, "code": c.code} for c in item.codes],
        )
    if item.tags:
        await conn.execute(item_tags.insert(), [{"item_id": item_id, "tag": t} for t in set(item.tags)])
    await index(conn, item_id, item)
    return number


async def _latest(conn: AsyncConnection, item: model.Content) -> Any:
    """The item's row with its latest version's hash, or None for a new translation."""
    latest = sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version)
    return (
        await conn.execute(
            sa.select(items.c.id, items.c.latest_version, versions.c.content_hash)
            .select_from(items.outerjoin(versions, latest))
            .where(items.c.kind == item.kind, items.c.slug == item.slug, items.c.locale == item.locale)
        )
    ).first()


async def _insert_version(
    conn: AsyncConnection,
    item_id: int,
    number: int,
    item: model.Content,
    review: model.Review,
    reviewer_account: str | None,
    values: dict[str, Any],
) -> int:
    version_id: int = await conn.scalar(
        versions.insert()
        .returning(versions.c.id)
        .values(
            item_id=item_id,
            number=number,
            content=msgspec.json.encode(item),
            content_hash=content_hash(item),
            reviewer_account=reviewer_account if review.signed else None,
            reviewed_by=review.reviewed_by,
            reviewer_credentials=review.credentials,
            reviewed_on=review.reviewed_on,
            reviewed_at=review.reviewed_at,
            reviewed_hash=review.reviewed_hash if review.signed else None,
            next_review_on=review.next_review_on,
            **values,
        )
    )
    return version_id


async def _pin(conn: AsyncConnection, version_id: int, item: model.Content) -> None:
    """Record the latest published version of everything the item embeds, as of now.

    Each embed pins its translation in the item's own locale where that is published, else
    the default locale's: the same rule readers' fallback follows.
    """
    refs = embedded_refs(item)
    if not refs:
        return
    preferred = (item.locale, DEFAULT_LOCALE)
    rows = await conn.execute(
        sa.select(items.c.kind, items.c.slug, items.c.locale, items.c.latest_version).where(
            sa.tuple_(items.c.kind, items.c.slug).in_(refs),
            items.c.latest_version > 0,
            items.c.locale.in_(preferred),
        )
    )
    latest: dict[tuple[str, str], tuple[str, int]] = {}
    for row in sorted(rows, key=lambda r: preferred.index(r.locale), reverse=True):
        latest[(row.kind, row.slug)] = (row.locale, row.latest_version)
    missing = [f"{kind} {slug!r}" for kind, slug in refs if (kind, slug) not in latest]
    if missing:
        raise Conflict("Publish what it embeds first: " + ", ".join(missing))
    await conn.execute(
        pins.insert(),
        [
            {
                "version_id": version_id,
                "position": n,
                "kind": kind,
                "slug": slug,
                "locale": latest[(kind, slug)][0],
                "number": latest[(kind, slug)][1],
            }
            for n, (kind, slug) in enumerate(refs)
        ],
    )


async def dependents(
    conn: AsyncConnection, kind: str, slug: str, locale: str, below: int | None = None
) -> list[Any]:
    """Live items whose latest version embeds this translation of an item.

    With ``below``: those pinning a version below it, and those in this locale that pin
    another translation (fallback text) which this one now replaces.
    """
    query = (
        sa.select(
            items.c.id, items.c.kind, items.c.slug, items.c.locale, items.c.latest_version, pins.c.number
        )
        .join(
            versions, sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version)
        )
        .join(pins, pins.c.version_id == versions.c.id)
        .where(pins.c.kind == kind, pins.c.slug == slug, items.c.archived_at.is_(None))
        .order_by(items.c.kind, items.c.slug, items.c.locale)
    )
    if below is None:
        query = query.where(pins.c.locale == locale)
    else:
        query = query.where(
            sa.or_(
                sa.and_(pins.c.locale == locale, pins.c.number < below),
                sa.and_(pins.c.locale != locale, items.c.locale == locale),
            )
        )
    return list(await conn.execute(query))


async def refresh_dependents(
    conn: AsyncConnection, kind: model.Kind, slug: str, locale: str, number: int, author: str, source: str
) -> list[Created]:
    """Give each live item whose latest version embeds an older version of this one a new version.

    The new version is a copy of the latest with its embeds pinned afresh, so the latest
    version of everything shows the latest embedded text, and its history says when that changed.
    """
    created: list[Created] = []
    for row in await dependents(conn, kind, slug, locale, below=number):
        latest = (
            await conn.execute(
                sa.select(versions).where(
                    versions.c.item_id == row.id, versions.c.number == row.latest_version
                )
            )
        ).one()
        item = decode_content(latest.content)
        where = "" if locale == DEFAULT_LOCALE else f" ({locale})"
        note = f"Embedded {kind} {slug!r}{where} updated to version {number}"
        # The copy keeps the sign-off of the content it copies (publish checks the hash).
        new = await publish(
            conn,
            item,
            author=author,
            note=note,
            source=source,
            force=True,
            review=review_of(latest),
            reviewer_account=latest.reviewer_account,
        )
        assert new is not None  # forced
        digest = content_hash(item)
        await record(
            conn, author, "refresh", item.kind, item.slug, new, digest, digest, note, locale=item.locale
        )
        created.append(Created(kind=item.kind, slug=item.slug, version=new, locale=item.locale))
        created += await refresh_dependents(conn, item.kind, item.slug, item.locale, new, author, source)
    return created
