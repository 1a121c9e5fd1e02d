"""The versioned store's read side: immutable, numbered versions per item; lists, history, search.

One code path for SQLite and PostgreSQL (SQLAlchemy Core, async); only full-text search differs
(``content.search``). Writing versions is ``content.versions``; a library sync ``content.sync``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content import model
from content.audit import record
from content.changes import Outbox, no_outbox
from content.chart import ChartVersion, chart_versions
from content.db import as_utc, item_tags, items, pins, retried, utcnow, version_codes, versions
from content.errors import Gone, NotFound
from content.locales import DEFAULT_LOCALE
from content.search import SearchHit, search
from content.stored import (
    StoredVersion,
    VersionKey,
    content_hash,
    decode_content,
    decode_cursor,
    embedded_refs,
    encode_cursor,
    in_locales,
    review_of,
    stored_form,
    version_info,
)
from content.sync import SyncReport, sync
from content.versions import Created, dependents, publish, refresh_dependents

# Names callers import from here; they live in the modules above.
__all__ = [
    "Created",
    "Page",
    "SearchHit",
    "Store",
    "StoredVersion",
    "SyncReport",
    "VersionKey",
    "coded",
    "content_hash",
    "decode_content",
    "decode_cursor",
    "dependents",
    "embedded_refs",
    "encode_cursor",
    "publish",
    "record",
    "refresh_dependents",
    "review_of",
    "stored_form",
]


class Page(msgspec.Struct, frozen=True):
    items: list[model.ItemSummary]
    next_cursor: str | None


class Store:
    """Reads and writes versions. Every method opens its own connection or transaction.

    With ``serve_unreviewed`` off, reads answer NotFound for a version no reviewer signed off,
    and lists and search leave such items out (FOLIO_SERVE_UNREVIEWED). With ``withdraw_overdue``
    (FOLIO_OVERDUE=withdraw) lists and search leave out items whose latest version is past its
    review date (``content.review_dates``).
    """

    withdraw_overdue = False

    def __init__(self, engine: AsyncEngine, *, serve_unreviewed: bool = True) -> None:
        self.engine = engine
        self.serve_unreviewed = serve_unreviewed

    def _withdrawn_on(self) -> dt.date | None:
        """Today (UTC) when overdue items are withdrawn: versions reviewed until before it are."""
        return utcnow().date() if self.withdraw_overdue else None

    # --- reads --------------------------------------------------------------------------------

    @retried
    async def locate(
        self,
        kind: model.Kind,
        slug: str,
        number: int | None = None,
        *,
        locales: Sequence[str] = (DEFAULT_LOCALE,),
        archived_ok: bool = False,
    ) -> VersionKey:
        """The latest published version of an item, or version ``number``; NotFound otherwise.

        The translation is the first of ``locales`` that is published (and not archived, unless
        ``archived_ok``: an old version's pinned embed); version numbers count per translation.
        An item whose every translation asked for is archived is Gone.
        """
        candidates = (
            sa.select(items.c.id, items.c.locale, items.c.latest_version, items.c.archived_at)
            .where(items.c.kind == kind, items.c.slug == slug, items.c.locale.in_(locales))
            .where(items.c.latest_version > 0)
        )
        async with self.engine.connect() as conn:
            found = {row.locale: row for row in await conn.execute(candidates)}
            live = [found[t] for t in locales if t in found and (archived_ok or found[t].archived_at is None)]
            if not live:
                if found:
                    raise Gone(f"The {kind} {slug!r} was archived.")
                raise NotFound(f"No published {kind} {slug!r}" + in_locales(locales) + ".")
            item = live[0]
            row = (
                await conn.execute(
                    sa.select(versions.c.id, versions.c.number, versions.c.reviewed_by).where(
                        versions.c.item_id == item.id,
                        versions.c.number == (item.latest_version if number is None else number),
                    )
                )
            ).first()
        if row is None:
            raise NotFound(f"No published {kind} {slug!r} version {number}" + in_locales([item.locale]) + ".")
        if row.reviewed_by is None and not self.serve_unreviewed:
            raise NotFound(
                f"The {kind} {slug!r} version {row.number}{in_locales([item.locale])} has not been "
                "reviewed by a clinician, and this server does not serve unreviewed content."
            )
        return VersionKey(id=row.id, kind=kind, slug=slug, number=row.number, locale=item.locale)

    @retried
    async def translations(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(kind, slug) -> the locales each live item is published in, in locale order."""
        query = (
            sa.select(items.c.kind, items.c.slug, items.c.locale)
            .where(items.c.latest_version > 0, items.c.archived_at.is_(None))
            .order_by(items.c.kind, items.c.slug, items.c.locale)
        )
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                out[(row.kind, row.slug)] = (*out.get((row.kind, row.slug), ()), row.locale)
        return out

    @retried
    async def load(self, key: VersionKey) -> StoredVersion:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(versions).where(versions.c.id == key.id))).one()
            pinned = await conn.execute(
                sa.select(pins.c.kind, pins.c.slug, pins.c.number, pins.c.locale)
                .where(pins.c.version_id == key.id)
                .order_by(pins.c.position)
            )
            refs = tuple(
                model.ItemRef(type=p.kind, slug=p.slug, version=p.number, locale=p.locale) for p in pinned
            )
        return StoredVersion(key=key, content=decode_content(row.content), info=version_info(row), pins=refs)

    @retried
    async def titles(
        self, refs: Sequence[model.Ref], locales: Sequence[str] = (DEFAULT_LOCALE,)
    ) -> dict[tuple[str, str], str]:
        """The current title of each referenced item that exists, in the first of ``locales`` it has."""
        if not refs:
            return {}
        query = sa.select(items.c.kind, items.c.slug, items.c.locale, items.c.title).where(
            sa.tuple_(items.c.kind, items.c.slug).in_([(r.type, r.slug) for r in refs])
        )
        rank = {tag: n for n, tag in enumerate(locales)}
        best: dict[tuple[str, str], tuple[int, str]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                key, score = (row.kind, row.slug), rank.get(row.locale, len(rank))
                if key not in best or score < best[key][0]:
                    best[key] = (score, row.title)
        return {key: title for key, (_, title) in best.items()}

    @retried
    async def archived(self) -> frozenset[tuple[str, str, str]]:
        """(kind, slug, locale) of every archived translation: outputs leave links to them out."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(items.c.kind, items.c.slug, items.c.locale).where(items.c.archived_at.isnot(None))
            )
            return frozenset((row.kind, row.slug, row.locale) for row in rows)

    async def get(
        self, kind: model.Kind, slug: str, number: int | None = None, locale: str = DEFAULT_LOCALE
    ) -> StoredVersion:
        return await self.load(await self.locate(kind, slug, number, locales=(locale,)))

    @retried
    async def history(
        self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE
    ) -> list[model.VersionInfo]:
        """Every published version of one translation of an item, newest first."""
        query = (
            sa.select(versions, items.c.archived_at)
            .join(items, items.c.id == versions.c.item_id)
            .where(items.c.kind == kind, items.c.slug == slug, items.c.locale == locale)
            .order_by(versions.c.number.desc())
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        if not rows:
            raise NotFound(f"No published {kind} {slug!r}" + in_locales([locale]) + ".")
        if rows[0].archived_at is not None:
            raise Gone(f"The {kind} {slug!r} was archived.")
        return [version_info(row) for row in rows]

    @retried
    async def list_items(
        self,
        kind: model.Kind,
        *,
        limit: int,
        cursor: str | None = None,
        tag: str | None = None,
        code: tuple[str | None, str] | None = None,
        locales: Sequence[str] = (DEFAULT_LOCALE,),
        withdrawn_ok: bool = False,
    ) -> Page:
        """Published items of one kind ordered by slug, a page at a time.

        Each item appears once, in the first of ``locales`` it is published in; one whose
        first choice is missing says so in ``fallbackFrom``. Items withdrawn past their review
        date (``withdraw_overdue``) are left out unless ``withdrawn_ok`` (staff).
        """
        query = (
            sa.select(items, versions)
            .join(
                versions,
                sa.and_(
                    versions.c.item_id == items.c.id,
                    versions.c.number == items.c.latest_version,
                ),
            )
            .where(items.c.kind == kind, items.c.archived_at.is_(None), items.c.locale.in_(locales))
            .order_by(items.c.slug)
            # At most one row per locale per slug: enough rows for limit + 1 distinct slugs.
            .limit((limit + 1) * len(locales))
        )
        if cursor is not None:
            query = query.where(items.c.slug > str(decode_cursor(cursor)))
        if tag is not None:
            tagged = sa.select(item_tags.c.item_id).where(item_tags.c.tag == tag)
            query = query.where(items.c.id.in_(tagged))
        if code is not None:
            query = query.where(versions.c.id.in_(coded(*code)))
        if not self.serve_unreviewed:
            query = query.where(versions.c.reviewed_by.isnot(None))
        if (day := self._withdrawn_on()) is not None and not withdrawn_ok:
            review = versions.c.next_review_on
            query = query.where(sa.or_(versions.c.reviewed_by.is_(None), review.is_(None), review >= day))
        async with self.engine.connect() as conn:
            fetched = (await conn.execute(query)).all()
        rows, more = _best_translations(fetched, locales, limit)
        page = rows[:limit]
        tags = await self._tags([row.item_id for row in page])
        summaries = [_summary(kind, row, tags.get(row.item_id, []), locales) for row in page]
        return Page(items=summaries, next_cursor=encode_cursor(page[-1].slug) if more else None)

    async def _tags(self, item_ids: Sequence[int]) -> dict[int, list[str]]:
        if not item_ids:
            return {}
        query = (
            sa.select(item_tags.c.item_id, item_tags.c.tag)
            .where(item_tags.c.item_id.in_(item_ids))
            .order_by(item_tags.c.tag)
        )
        out: dict[int, list[str]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                out.setdefault(row.item_id, []).append(row.tag)
        return out

    @retried
    async def search(
        self, q: str, *, kind: model.Kind | None = None, limit: int = 20, locale: str = DEFAULT_LOCALE
    ) -> list[SearchHit]:
        """Full-text search over published items in one locale, best match first."""
        return await search(
            self.engine,
            q,
            kind=kind,
            limit=limit,
            locale=locale,
            serve_unreviewed=self.serve_unreviewed,
            withdrawn_on=self._withdrawn_on(),
        )

    @retried
    async def latest_items(self) -> list[model.Content]:
        """The latest published version of every item that is not archived."""
        query = (
            sa.select(versions.c.content)
            .join(
                items, sa.and_(items.c.id == versions.c.item_id, versions.c.number == items.c.latest_version)
            )
            .where(items.c.archived_at.is_(None))
            .order_by(items.c.kind, items.c.slug)
        )
        async with self.engine.connect() as conn:
            return [decode_content(row.content) for row in await conn.execute(query)]

    async def chart_versions(
        self,
        *,
        locales: Sequence[str] | None = None,
        codes: Sequence[tuple[str | None, str]] = (),
        current_only: bool = False,
        ids: Sequence[int] | None = None,
    ) -> list[ChartVersion]:
        """Published versions a chart may be offered (``content.chart.chart_versions``)."""
        return await chart_versions(
            self.engine, locales=locales, codes=codes, current_only=current_only, ids=ids
        )

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def schema_revision(self) -> str | None:
        """The database's Alembic revision (None before the first migration)."""
        from content.migrations import current_revision

        async with self.engine.connect() as conn:
            return await conn.run_sync(current_revision)

    # --- writes -------------------------------------------------------------------------------

    async def sync(
        self,
        library_items: Iterable[model.Content],
        author: str,
        *,
        force: bool = False,
        outbox: Outbox = no_outbox,
    ) -> SyncReport:
        """Publish every library item whose content changed (``content.sync.sync``)."""
        return await sync(self.engine, library_items, author, force=force, outbox=outbox)


def coded(system: str | None, code: str) -> sa.Select[Any]:
    """The ids of versions carrying ``code`` (of ``system``, or of any system when None)."""
    query = sa.select(version_codes.c.version_id).where(version_codes.c.code == code)
    return query if system is None else query.where(version_codes.c.system == system)


def _best_translations(fetched: Sequence[Any], locales: Sequence[str], limit: int) -> tuple[list[Any], bool]:
    """One row per slug, in the first of ``locales`` it has, by slug; and whether more follow."""
    rank = {tag: n for n, tag in enumerate(locales)}
    best: dict[str, Any] = {}
    for row in fetched:
        if row.slug not in best or rank[row.locale] < rank[best[row.slug].locale]:
            best[row.slug] = row
    rows = sorted(best.values(), key=lambda row: row.slug)
    truncated = len(fetched) == (limit + 1) * len(locales)
    if truncated:
        rows = rows[:-1]  # the last slug may have lost a better translation to the limit
    return rows, truncated or len(rows) > limit


def _summary(kind: model.Kind, row: Any, tags: list[str], locales: Sequence[str]) -> model.ItemSummary:
    return model.ItemSummary(
        type=kind,
        slug=row.slug,
        locale=row.locale,
        title=row.title,
        summary=row.summary,
        tags=tags,
        version=row.number,
        published_at=as_utc(row.published_at),
        review=review_of(row),
        fallback_from=locales[0] if row.locale != locales[0] else None,
    )
