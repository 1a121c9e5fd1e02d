"""The versioned store: immutable, numbered versions per item; lists, history and search.

One code path for SQLite and PostgreSQL (SQLAlchemy Core, async); only full-text search differs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.db import as_utc, audit, item_tags, items, pins, retried, utcnow, version_codes, versions, writer
from content.errors import Conflict, Gone, InvalidInput, NotFound
from content.locales import DEFAULT_LOCALE, search_config
from content.render import plain_text

_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_content_decoder = msgspec.json.Decoder(model.Content)


def content_hash(item: model.Content) -> str:
    """Hash of the item's stored form: what an editor wrote, without derived fields or review."""
    return "sha256:" + hashlib.sha256(msgspec.json.encode(stored_form(item))).hexdigest()


def stored_form(item: model.Content) -> model.Content:
    """The item as it is stored and hashed: a review is never part of the content it covers."""
    return item if item.review is None else msgspec.structs.replace(item, review=None)


def decode_content(raw: bytes) -> model.Content:
    """A stored item; versions stored before migration 0007 carried a review inline, dropped here."""
    content: model.Content = _content_decoder.decode(raw)
    return stored_form(content)


@dataclass(frozen=True, slots=True)
class VersionKey:
    """Identifies one stored version: its row id (a cache key) and its number."""

    id: int
    kind: model.Kind
    slug: str
    number: int
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class StoredVersion:
    key: VersionKey
    content: model.Content
    info: model.VersionInfo
    pins: tuple[model.ItemRef, ...] = ()  # the exact versions it embeds


def embedded_refs(item: model.Content) -> list[tuple[model.Kind, str]]:
    """(kind, slug) of each distinct item the body embeds, in order of first appearance."""
    found: list[tuple[model.Kind, str]] = []
    for block in item.body if isinstance(item, model.Article) else []:
        if isinstance(block, model.ComparisonEmbed | model.FaqEmbed):
            ref: tuple[model.Kind, str] = (block.type, block.slug)  # type: ignore[assignment]
            if ref not in found:
                found.append(ref)
    return found


@dataclass(frozen=True, slots=True)
class Created:
    kind: model.Kind
    slug: str
    version: int
    locale: str = DEFAULT_LOCALE


@dataclass(slots=True)
class SyncReport:
    """What a library sync did: versions it created, items it left alone (changed in the API),
    and versions it gave items whose embeds changed (``refreshed``)."""

    created: list[Created] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refreshed: list[Created] = field(default_factory=list)


class SearchHit(model.Wire, kw_only=True):
    """One search result: the item, its rank (higher is better) and a snippet around the match."""

    type: model.Kind
    slug: str
    locale: str
    title: str
    summary: str
    version: int
    rank: float
    snippet: str
    snippet_html: str


class Page(msgspec.Struct, frozen=True):
    items: list[model.ItemSummary]
    next_cursor: str | None


class Store:
    """Reads and writes versions. Every method opens its own connection or transaction.

    With ``serve_unreviewed`` off, reads answer NotFound for a version no reviewer signed off,
    and lists and search leave such items out (FOLIO_SERVE_UNREVIEWED).
    """

    def __init__(self, engine: AsyncEngine, *, serve_unreviewed: bool = True) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.serve_unreviewed = serve_unreviewed

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
                raise NotFound(f"No published {kind} {slug!r}" + _in(locales) + ".")
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
            raise NotFound(f"No published {kind} {slug!r} version {number}" + _in([item.locale]) + ".")
        if row.reviewed_by is None and not self.serve_unreviewed:
            raise NotFound(
                f"The {kind} {slug!r} version {row.number}{_in([item.locale])} has not been reviewed by a "
                "clinician, and this server does not serve unreviewed content."
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
        return StoredVersion(key=key, content=decode_content(row.content), info=_info(row), pins=refs)

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
            raise NotFound(f"No published {kind} {slug!r}" + _in([locale]) + ".")
        if rows[0].archived_at is not None:
            raise Gone(f"The {kind} {slug!r} was archived.")
        return [_info(row) for row in rows]

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
    ) -> Page:
        """Published items of one kind ordered by slug, a page at a time.

        Each item appears once, in the first of ``locales`` it is published in; one whose
        first choice is missing says so in ``fallbackFrom``.
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
        async with self.engine.connect() as conn:
            fetched = (await conn.execute(query)).all()
        rank = {tag: n for n, tag in enumerate(locales)}
        best: dict[str, Any] = {}
        for row in fetched:
            if row.slug not in best or rank[row.locale] < rank[best[row.slug].locale]:
                best[row.slug] = row
        rows = sorted(best.values(), key=lambda row: row.slug)
        truncated = len(fetched) == (limit + 1) * len(locales)
        if truncated:
            rows = rows[:-1]  # the last slug may have lost a better translation to the limit
        page = rows[:limit]
        tags = await self._tags([row.item_id for row in page])
        summaries = [
            model.ItemSummary(
                type=kind,
                slug=row.slug,
                locale=row.locale,
                title=row.title,
                summary=row.summary,
                tags=tags.get(row.item_id, []),
                version=row.number,
                published_at=as_utc(row.published_at),
                review=review_of(row),
                fallback_from=locales[0] if row.locale != locales[0] else None,
            )
            for row in page
        ]
        more = truncated or len(rows) > limit
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
        words = _WORD.findall(q)
        if not words:
            raise InvalidInput("q", "The search query needs at least one word.")
        if self.dialect == "postgresql":
            statement, params = _pg_search(" ".join(words), search_config(locale))
        else:
            # Each word quoted (no FTS5 syntax from users), the last one as a prefix.
            terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
            statement, params = _sqlite_search(" ".join(terms))
        where = "AND i.locale = :locale" + (" AND i.kind = :kind" if kind else "")
        if not self.serve_unreviewed:
            where += (
                " AND EXISTS (SELECT 1 FROM versions v WHERE v.item_id = i.id "
                "AND v.number = i.latest_version AND v.reviewed_by IS NOT NULL)"
            )
        params |= {"kind": kind, "locale": locale, "limit": limit, "open": _MARK_OPEN, "close": _MARK_CLOSE}
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.text(statement.format(where=where)), params)).all()
        return [
            SearchHit(
                type=row.kind,
                slug=row.slug,
                locale=row.locale,
                title=row.title,
                summary=row.summary,
                version=row.latest_version,
                rank=float(row.rank),
                snippet=row.snippet.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, ""),
                snippet_html=html.escape(row.snippet)
                .replace(_MARK_OPEN, "<mark>")
                .replace(_MARK_CLOSE, "</mark>"),
            )
            for row in rows
        ]

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
        self, library_items: Iterable[model.Content], author: str, *, force: bool = False
    ) -> SyncReport:
        """Publish every item whose content changed, all in one transaction.

        Embeddable items go first, so an article published in the same run pins their new
        versions; then every live item whose latest version embeds an older one is refreshed.
        An item whose latest version was published through the API, and differs from its
        library file, is left alone and named in ``kept`` unless ``force``: an editor's work in
        the API is never overwritten by a stale file, and every other item still syncs.
        """
        from content.outbox import enqueue

        library_items = sorted(library_items, key=lambda i: not model.KIND_SPECS[i.kind].embeddable)
        report = SyncReport()
        async with writer(self.engine).begin() as conn:
            kept = set() if force else set(await _api_edited(conn, library_items))
            for item in library_items:
                name = f"{item.kind}/{item.slug}" + _in_locale(item.locale)
                if name in kept:
                    report.kept.append(name)
                    continue
                # A file never signs anything off: its review block only asks for a review by a day.
                asked = model.Review(next_review_on=item.review.next_review_on if item.review else None)
                number = await publish(
                    conn, item, author=author, note="Synced from the library", review=asked
                )
                if number is not None:
                    entry = Created(kind=item.kind, slug=item.slug, version=number, locale=item.locale)
                    report.created.append(entry)
                    await record(
                        conn,
                        author,
                        "sync",
                        item.kind,
                        item.slug,
                        number,
                        None,
                        content_hash(item),
                        locale=item.locale,
                    )
            for entry in report.created:
                report.refreshed += await refresh_dependents(
                    conn, entry.kind, entry.slug, entry.locale, entry.version, author, "library"
                )
            for entry in report.created + report.refreshed:
                await enqueue(conn, "published", entry.kind, entry.slug, entry.version, None, entry.locale)
        return report


def coded(system: str | None, code: str) -> sa.Select[Any]:
    """The ids of versions carrying ``code`` (of ``system``, or of any system when None)."""
    query = sa.select(version_codes.c.version_id).where(version_codes.c.code == code)
    return query if system is None else query.where(version_codes.c.system == system)


def _in_locale(locale: str) -> str:
    return "" if locale == DEFAULT_LOCALE else f" ({locale})"


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
        f"{item.kind}/{item.slug}" + _in_locale(item.locale)
        for item in library_items
        if edited.get((item.kind, item.slug, item.locale), content_hash(item)) != content_hash(item)
    ]


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
    raw = msgspec.json.encode(item)
    digest = content_hash(item)
    if review.signed and review.reviewed_hash != digest:
        review, reviewer_account = model.Review(next_review_on=review.next_review_on), None
    now = utcnow()
    row = (
        await conn.execute(
            sa.select(items.c.id, items.c.latest_version, versions.c.content_hash)
            .select_from(
                items.outerjoin(
                    versions,
                    sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version),
                )
            )
            .where(items.c.kind == item.kind, items.c.slug == item.slug, items.c.locale == item.locale)
        )
    ).first()
    summary_fields = {
        "title": item.title,
        "summary": item.summary,
        "updated_at": now,
    }
    if row is None:
        number = 1
        item_id = (
            await conn.execute(
                items.insert().values(
                    kind=item.kind,
                    slug=item.slug,
                    locale=item.locale,
                    latest_version=1,
                    created_at=now,
                    **summary_fields,
                )
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    else:
        if row.content_hash == digest and not force:
            return None
        item_id, number = row.id, row.latest_version + 1
        await conn.execute(
            items.update().where(items.c.id == item_id).values(latest_version=number, **summary_fields)
        )
        await conn.execute(item_tags.delete().where(item_tags.c.item_id == item_id))
    version_id = (
        await conn.execute(
            versions.insert().values(
                item_id=item_id,
                number=number,
                content=raw,
                content_hash=digest,
                author=author,
                note=note,
                source=source,
                published_at=now,
                reviewer_account=reviewer_account if review.signed else None,
                reviewed_by=review.reviewed_by,
                reviewer_credentials=review.credentials,
                reviewed_on=review.reviewed_on,
                reviewed_at=review.reviewed_at,
                reviewed_hash=review.reviewed_hash if review.signed else None,
                next_review_on=review.next_review_on,
            )
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    await _pin(conn, version_id, item)
    if item.codes:
        await conn.execute(
            version_codes.insert(),
            [{"version_id": version_id, "system": c.system, "code": c.code} for c in item.codes],
        )
    if item.tags:
        await conn.execute(item_tags.insert(), [{"item_id": item_id, "tag": t} for t in set(item.tags)])
    await _index(conn, item_id, item)
    return number


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


async def _index(conn: AsyncConnection, item_id: int, item: model.Content) -> None:
    body = plain_text(item)
    params = {"id": item_id, "title": item.title, "summary": item.summary, "body": body}
    if conn.dialect.name == "postgresql":
        params["config"] = search_config(item.locale)
        await conn.execute(
            sa.text(
                "INSERT INTO search_documents (item_id, config, title, summary, body) "
                "VALUES (:id, CAST(:config AS regconfig), :title, :summary, :body) "
                "ON CONFLICT (item_id) DO UPDATE SET config = excluded.config, "
                "title = excluded.title, summary = excluded.summary, body = excluded.body"
            ),
            params,
        )
    else:
        await conn.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), params)
        await conn.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"
            ),
            params,
        )


_SEARCH_COLUMNS = "i.kind, i.slug, i.locale, i.title, i.summary, i.latest_version"


def _sqlite_search(match: str) -> tuple[str, dict[str, Any]]:
    # bm25 is lower-is-better; negate it so every store ranks higher-is-better.
    return (
        f"SELECT {_SEARCH_COLUMNS}, -bm25(search_fts, 10.0, 4.0, 1.0) AS rank, "
        "snippet(search_fts, -1, :open, :close, '…', 16) AS snippet "
        "FROM search_fts JOIN items i ON i.id = search_fts.rowid "
        "WHERE search_fts MATCH :match AND i.archived_at IS NULL {where} "
        "ORDER BY bm25(search_fts, 10.0, 4.0, 1.0) LIMIT :limit",
        {"match": match},
    )


def _pg_search(words: str, config: str) -> tuple[str, dict[str, Any]]:
    return (
        f"SELECT {_SEARCH_COLUMNS}, ts_rank(d.document, query) AS rank, "
        "ts_headline(d.config, d.title || ' … ' || d.summary || ' … ' || d.body, query, "
        "'StartSel=' || :open || ', StopSel=' || :close || ', MaxWords=24, MinWords=8') AS snippet "
        "FROM search_documents d JOIN items i ON i.id = d.item_id, "
        "websearch_to_tsquery(CAST(:config AS regconfig), :words) query "
        "WHERE d.document @@ query AND i.archived_at IS NULL {where} "
        "ORDER BY rank DESC, i.slug LIMIT :limit",
        {"words": words, "config": config},
    )


def encode_cursor(after: str | int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode({"after": after})).decode().rstrip("=")


class _Cursor(msgspec.Struct, forbid_unknown_fields=True):
    # Bounded like the values cursors are made of (slugs, 32-bit ids): a forged one is a 400.
    after: (
        Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9-]*$", max_length=120)]
        | Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
    )


def decode_cursor(cursor: str) -> str | int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=_Cursor).after
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidInput("cursor", "The cursor is not one this API issued.") from None


def _in(locales: Sequence[str]) -> str:
    """`` in es`` for messages, unless only the default locale was asked for."""
    return "" if list(locales) == [DEFAULT_LOCALE] else " in " + " or ".join(locales)


def review_of(row: Any) -> model.Review:
    """The sign-off a version (or draft) row records; unreviewed when it has none."""
    if row.reviewed_by is None:
        return model.Review(next_review_on=row.next_review_on)
    return model.Review(
        reviewed_by=row.reviewed_by,
        credentials=row.reviewer_credentials,
        reviewed_on=row.reviewed_on,
        reviewed_at=as_utc(row.reviewed_at) if row.reviewed_at else None,
        reviewed_hash=row.reviewed_hash,
        next_review_on=row.next_review_on,
    )


def _info(row: Any) -> model.VersionInfo:
    return model.VersionInfo(
        version=row.number,
        published_at=as_utc(row.published_at),
        author=row.author,
        note=row.note,
        content_hash=row.content_hash,
        review=review_of(row),
    )
