"""Releases: a named set of drafts across items and locales, published together or not at all.

An entry names a translation (kind, slug, locale) and stands for its *current* draft: editors
keep editing and reviewers keep signing off after the draft was added, and the release shows
each entry's review state as it is now. Publishing checks every entry in one transaction: a
missing draft, an unreviewed one, or one changed after its review refuses the whole release
(409, naming each entry and why), and so does any refusal of one entry's publish (the
transaction rolls back: nothing is published).

Embedded items are published before the items embedding them, so an article pins the FAQ
version the release creates; an item of the release is not given an extra version pinning an
embed the release also publishes (``Publishing.publish_in``'s ``also``). Items outside the
release that embed a changed item get their pinning version as for any publish. The whole
release is one ``committing`` and one ``tell``, with one ``release.published`` notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.changes import Change, Notice
from content.db import as_utc, drafts, items, release_entries, releases, utcnow, writer
from content.diff import Diff
from content.errors import Conflict, NotFound
from content.publishing import Publishing
from content.release_rows import (
    Key,
    ReviewState,
    check,
    describe,
    draft_diff,
    entry_rows,
    find_release,
    publish_order,
    review_state,
    touch,
    unpublished,
)
from content.stored import decode_content


class ReleaseEntry(model.Wire, kw_only=True):
    """One draft of a release: its review state now, and what publishing it would change."""

    type: model.Kind
    slug: str
    locale: str
    title: str | None
    # The draft's ETag now (None without a draft); the release publishes whatever draft is current.
    draft_revision: str | None
    review: ReviewState
    # The latest published version (0: never published); after the release, the version it made.
    based_on_version: int
    version: int | None
    # The draft against the latest published version (None for a new item, or once published).
    diff: Diff | None


class Release(model.Wire, kw_only=True):
    id: int
    name: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    published_by: str | None
    # Every entry has a draft signed off exactly as it is: a publisher may publish it now.
    publishable: bool
    entries: list[ReleaseEntry]


class ReleaseSummary(model.Wire, kw_only=True):
    id: int
    name: str
    created_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    entries: int


class Releases:
    """Create, edit, delete and publish releases; ``publishing`` does each entry's publish."""

    def __init__(self, engine: AsyncEngine, publishing: Publishing) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.publishing = publishing

    async def create(self, name: str, actor: str) -> Release:
        now = utcnow()
        async with self.writer.begin() as conn:
            new = await conn.scalar(
                releases.insert()
                .returning(releases.c.id)
                .values(name=name, created_by=actor, created_at=now, updated_at=now)
            )
            await record(
                conn, actor, "release_create", None, None, None, None, None, f"release {new}: {name}"
            )
        return await self.get(int(new))

    async def summaries(self) -> list[ReleaseSummary]:
        """Unpublished releases first, newest first within each."""
        count = (
            sa.select(sa.func.count()).where(release_entries.c.release_id == releases.c.id).scalar_subquery()
        )
        query = sa.select(releases, count.label("entries")).order_by(
            releases.c.published_at.is_not(None), releases.c.id.desc()
        )
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        return [
            ReleaseSummary(
                id=r.id,
                name=r.name,
                created_by=r.created_by,
                created_at=as_utc(r.created_at),
                published_at=as_utc(r.published_at) if r.published_at else None,
                entries=r.entries,
            )
            for r in rows
        ]

    async def get(self, release_id: int) -> Release:
        async with self.engine.connect() as conn:
            row = await find_release(conn, release_id)
            entries = []
            for e in await entry_rows(conn, release_id):
                state: ReviewState = "published" if row.published_at else review_state(e)
                entries.append(
                    ReleaseEntry(
                        type=e.kind,
                        slug=e.slug,
                        locale=e.locale,
                        title=e.title,
                        draft_revision=f'"{e.revision}"' if e.revision else None,
                        review=state,
                        based_on_version=e.latest_version or 0,
                        version=e.version,
                        diff=None if row.published_at else await draft_diff(conn, e),
                    )
                )
        return Release(
            id=row.id,
            name=row.name,
            created_by=row.created_by,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            published_at=as_utc(row.published_at) if row.published_at else None,
            published_by=row.published_by,
            publishable=row.published_at is None
            and bool(entries)
            and all(e.review == "reviewed" for e in entries),
            entries=entries,
        )

    async def rename(self, release_id: int, name: str, actor: str) -> Release:
        async with self.writer.begin() as conn:
            await unpublished(conn, release_id)
            await conn.execute(
                releases.update().where(releases.c.id == release_id).values(name=name, updated_at=utcnow())
            )
            await record(
                conn, actor, "release_edit", None, None, None, None, None, f"release {release_id}: {name}"
            )
        return await self.get(release_id)

    async def add(self, release_id: int, kind: model.Kind, slug: str, locale: str, actor: str) -> Release:
        """Add a translation's current draft; it must have one now (it may be edited later)."""
        key = (kind, slug, locale)
        async with self.writer.begin() as conn:
            await unpublished(conn, release_id)
            draft = await conn.scalar(
                sa.select(drafts.c.revision)
                .join(items, items.c.id == drafts.c.item_id)
                .where(items.c.kind == kind, items.c.slug == slug, items.c.locale == locale)
            )
            if draft is None:
                raise NotFound(f"The {describe(key)} has no draft to add.")
            there = await conn.scalar(
                sa.select(sa.func.count()).where(
                    release_entries.c.release_id == release_id,
                    release_entries.c.kind == kind,
                    release_entries.c.slug == slug,
                    release_entries.c.locale == locale,
                )
            )
            if there:
                raise Conflict(f"The {describe(key)} is in this release already.")
            now = utcnow()
            await conn.execute(
                release_entries.insert().values(
                    release_id=release_id, kind=kind, slug=slug, locale=locale, added_by=actor, added_at=now
                )
            )
            await touch(conn, release_id, now)
            detail = f"added to release {release_id}"
            await record(conn, actor, "release_add", kind, slug, None, None, None, detail, locale=locale)
        return await self.get(release_id)

    async def remove(self, release_id: int, kind: model.Kind, slug: str, locale: str, actor: str) -> Release:
        key = (kind, slug, locale)
        async with self.writer.begin() as conn:
            await unpublished(conn, release_id)
            gone = await conn.execute(
                release_entries.delete().where(
                    release_entries.c.release_id == release_id,
                    release_entries.c.kind == kind,
                    release_entries.c.slug == slug,
                    release_entries.c.locale == locale,
                )
            )
            if gone.rowcount != 1:
                raise NotFound(f"The {describe(key)} is not in release {release_id}.")
            await touch(conn, release_id, utcnow())
            detail = f"removed from release {release_id}"
            await record(conn, actor, "release_remove", kind, slug, None, None, None, detail, locale=locale)
        return await self.get(release_id)

    async def delete(self, release_id: int, actor: str) -> None:
        """Delete an unpublished release; its drafts stay as they are."""
        async with self.writer.begin() as conn:
            row = await unpublished(conn, release_id)
            await conn.execute(release_entries.delete().where(release_entries.c.release_id == release_id))
            await conn.execute(releases.delete().where(releases.c.id == release_id))
            detail = f"release {release_id}: {row.name}"
            await record(conn, actor, "release_delete", None, None, None, None, None, detail)

    async def contents(self, release_id: int) -> dict[Key, model.Content]:
        """The current draft of each entry that has one (for previews)."""
        async with self.engine.connect() as conn:
            await find_release(conn, release_id)
            rows = await entry_rows(conn, release_id)
        return {(r.kind, r.slug, r.locale): decode_content(r.content) for r in rows if r.revision is not None}

    async def publish(
        self, release_id: int, actor: str, note: str = "", override: str | None = None
    ) -> Release:
        """Publish every entry's reviewed draft in one transaction, or none (Conflict says why)."""
        async with self.writer.begin() as conn:
            changes = await self.publish_in(conn, release_id, actor, note, override)
            await self.publishing.committing(conn, changes)
        self.publishing._tell(changes)
        return await self.get(release_id)

    async def publish_in(
        self, conn: AsyncConnection, release_id: int, actor: str, note: str = "", override: str | None = None
    ) -> list[Change]:
        """``publish`` inside the caller's transaction (a scheduled release, ``content.schedules``):
        the changes to pass to ``committing`` and, after commit, ``_tell``; refusals as ``publish``."""
        row = await unpublished(conn, release_id)
        rows = await entry_rows(conn, release_id)
        check(release_id, rows)
        contents = {(r.kind, r.slug, r.locale): decode_content(r.content) for r in rows}
        revisions = {(r.kind, r.slug, r.locale): r.revision for r in rows}
        note = note or f"Release {row.name!r}"
        order = publish_order(contents)
        made, changes = await self._publish_all(conn, release_id, order, revisions, actor, note, override)
        now = utcnow()
        await conn.execute(
            releases.update()
            .where(releases.c.id == release_id)
            .values(published_at=now, published_by=actor, updated_at=now)
        )
        listed = ", ".join(f"{describe(k)} v{v}" for k, v in made.items())
        await record(
            conn,
            actor,
            "release_publish",
            None,
            None,
            None,
            None,
            None,
            f"release {release_id} {row.name!r}: {listed}",
        )
        data = {
            "id": release_id,
            "name": row.name,
            "items": [{"kind": k[0], "slug": k[1], "locale": k[2], "version": v} for k, v in made.items()],
        }
        await self.publishing.outbox(conn, Notice("release.published", data))
        return changes

    async def _publish_all(
        self,
        conn: AsyncConnection,
        release_id: int,
        order: Sequence[Key],
        revisions: dict[Key, str],
        actor: str,
        note: str,
        override: str | None,
    ) -> tuple[dict[Key, int], list[Change]]:
        made: dict[Key, int] = {}
        changes: list[Change] = []
        also = set(order)
        for key in order:
            kind, slug, locale = key
            number, told = await self.publishing.publish_in(
                conn, cast(model.Kind, kind), slug, revisions[key], actor, note, locale, override, also
            )
            made[key] = number
            changes += [c for c in told if c not in changes]
            await conn.execute(
                release_entries.update()
                .where(
                    release_entries.c.release_id == release_id,
                    release_entries.c.kind == kind,
                    release_entries.c.slug == slug,
                    release_entries.c.locale == locale,
                )
                .values(version=number)
            )
        return made, changes
