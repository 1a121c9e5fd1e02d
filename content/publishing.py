"""Publishing: the sign-off, publishing a draft, restoring an old version, archiving.

Every write is one transaction that also records an audit entry and, for the events webhooks
subscribe to, stores the announcement through ``outbox`` in that same transaction: a publish is
never acknowledged without its notifications being stored. After each commit ``on_change``
hears of every item whose published state or review status changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.accounts import Tokens
from content.audit import record
from content.cache_tags import purged_by
from content.changes import Announcement, Change, Event, Notice, Outbox, no_outbox
from content.db import drafts, items, tokens, utcnow, versions, writer
from content.drafts import Draft, Drafts, current_draft, delete_draft, editors_of, swap_draft
from content.errors import Conflict, Forbidden, InvalidInput, NotFound, Stale, TooHardToRead
from content.item_rows import check_item_references, find_item, latest_hash
from content.locales import DEFAULT_LOCALE
from content.queues import QueueNotices
from content.readability import above_threshold, measure
from content.stored import content_hash, decode_content, in_locale, review_of
from content.versions import dependents, publish, refresh_dependents


def four_eyes(editors: list[str], people: dict[str, str]) -> str:
    """Why an editor of a draft may not sign it off, and who may instead."""
    names = ", ".join(people.get(name, name) for name in editors)
    return (
        f"Four eyes: you edited this draft, so you may not sign it off. Any reviewer who did not "
        f"edit it may (edited by: {names})."
    )


class Publishing:
    """Sign-off, publish, restore, archive; ``max_grade`` is the plain-language threshold.

    Four eyes: nobody who edited a draft may sign it off; with ``publisher_not_reviewer`` the
    publisher must not be the reviewer either.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_grade: float | None = None,
        publisher_not_reviewer: bool = False,
        on_change: Callable[[Change], None] = lambda change: None,
        outbox: Outbox = no_outbox,
    ) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.max_grade = max_grade
        self.publisher_not_reviewer = publisher_not_reviewer
        self.on_change = on_change
        self.outbox = outbox
        self.queues = QueueNotices(outbox)  # queue.entered ("publish") on a sign-off; Editorial's

    async def review(
        self,
        kind: model.Kind,
        slug: str,
        expected: str,
        actor: str,
        next_review_on: dt.date,
        locale: str = DEFAULT_LOCALE,
    ) -> Draft:
        """Record that reviewer account ``actor`` signed off exactly the current draft now; the draft.

        The sign-off names the account's display name and credentials, as printed on what
        patients read; the audit log keeps ``actor``, the token's own name. Four eyes: an
        account that edited the draft may not sign it off (Forbidden, naming who may).
        """
        now = utcnow()
        if next_review_on <= now.date():
            raise InvalidInput("$.nextReviewOn", "The next review must be after today.")
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale, published=False)
            draft = await current_draft(conn, row.id, kind, slug, locale)
            editors = editors_of(draft.editors)
            if actor in editors:
                raise Forbidden(four_eyes(editors, await Tokens(self.engine).people()))
            person = await self._reviewer(conn, actor)
            await swap_draft(
                conn,
                row.id,
                expected,
                "The draft changed since you read it; review the current one.",
                reviewer_account=actor,
                reviewed_by=person.display_name,
                reviewer_credentials=person.credentials,
                reviewed_on=now.date(),
                reviewed_at=now,
                next_review_on=next_review_on,
                reviewed_hash=draft.content_hash,
            )
            signer = ", ".join(filter(None, [person.display_name, person.credentials]))
            detail = f"signed off by {signer}; next review {next_review_on.isoformat()}"
            digest = draft.content_hash
            await record(conn, actor, "review", kind, slug, None, digest, digest, detail, locale=locale)
            await self.queues.entered(conn, "publish", kind, slug, locale, row.id, actor)
        self._tell([Change(kind, slug, locale, "reviewed")])
        return await Drafts(self.engine).get(kind, slug, locale)

    async def publish(
        self,
        kind: model.Kind,
        slug: str,
        expected: str,
        actor: str,
        note: str,
        locale: str = DEFAULT_LOCALE,
        override: str | None = None,
    ) -> int:
        """Turn the reviewed draft into the next immutable version.

        A draft that reads above ``max_grade`` needs ``override``, a reason recorded in the
        audit log (action ``override_readability``) beside the publish.
        """
        async with self.writer.begin() as conn:
            number, changes = await self.publish_in(conn, kind, slug, expected, actor, note, locale, override)
            await self.committing(conn, changes)
        self._tell(changes)
        return number

    async def publish_in(
        self,
        conn: AsyncConnection,
        kind: model.Kind,
        slug: str,
        expected: str,
        actor: str,
        note: str,
        locale: str = DEFAULT_LOCALE,
        override: str | None = None,
        also: Collection[tuple[str, str, str]] = (),
    ) -> tuple[int, list[Change]]:
        """``publish`` inside the caller's transaction (a release, a scheduled action): the new
        version's number and the changes to pass to ``committing`` and, after commit, ``_tell``.
        ``also``: translations (kind, slug, locale) the same transaction publishes too (a
        release's); items among them are not given a version pinning this one, as their own does."""
        row = await find_item(conn, kind, slug, locale, published=False)
        draft = await self._signed_off(conn, row.id, expected, actor, f"{kind} {slug!r}{in_locale(locale)}")
        item = decode_content(draft.content)
        too_hard = self._too_hard(item, override)
        await check_item_references(conn, item, published_only=True)
        before = await latest_hash(conn, row.id)
        number = await publish(
            conn,
            item,
            author=draft.updated_by,
            note=note,
            source="api",
            force=True,
            review=review_of(draft),
            reviewer_account=draft.reviewer_account,
        )
        assert number is not None  # forced
        await delete_draft(conn, row.id, expected, "The draft changed since you read it; fetch it again.")
        digest = content_hash(item)
        await record(conn, actor, "publish", kind, slug, number, before, digest, note, locale=locale)
        if too_hard:
            detail = f"{too_hard}. Override: {override}"
            await record(
                conn,
                actor,
                "override_readability",
                kind,
                slug,
                number,
                digest,
                digest,
                detail,
                locale=locale,
            )
        changes = await self._announce(conn, "published", kind, slug, locale, number, digest, actor, also)
        return number, changes

    async def restore(
        self, kind: model.Kind, slug: str, number: int, actor: str, note: str, locale: str = DEFAULT_LOCALE
    ) -> int:
        """Publish a copy of version ``number`` as the next version; history stays as it was."""
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale)
            old = (
                await conn.execute(
                    sa.select(versions).where(versions.c.item_id == row.id, versions.c.number == number)
                )
            ).first()
            if old is None:
                raise NotFound(f"No published {kind} {slug!r}{in_locale(locale)} version {number}.")
            item = decode_content(old.content)
            before = await latest_hash(conn, row.id)
            if before == content_hash(item):  # a repeated (or concurrent) restore: already done
                raise Conflict(
                    f"The latest {kind} {slug!r}{in_locale(locale)} already has version {number}'s content."
                )
            note = note or f"Restored version {number}"
            # The copy keeps the old version's sign-off only if it covered this exact content.
            new = await publish(
                conn,
                item,
                author=actor,
                note=note,
                source="api",
                force=True,
                review=review_of(old),
                reviewer_account=old.reviewer_account,
            )
            assert new is not None
            digest = content_hash(item)
            await record(conn, actor, "restore", kind, slug, new, before, digest, note, locale=locale)
            changes = await self._announce(conn, "restored", kind, slug, locale, new, digest, actor)
            await self.committing(conn, changes)
        self._tell(changes)
        return new

    async def archive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        """Withdraw a translation; refused while a live item embeds it (that would break its exports)."""
        async with self.writer.begin() as conn:
            changes = await self.archive_in(conn, kind, slug, actor, locale)
            await self.committing(conn, changes)
        self._tell(changes)

    async def archive_in(
        self, conn: AsyncConnection, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE
    ) -> list[Change]:
        """``archive`` inside the caller's transaction; the changes, as ``publish_in``."""
        row = await find_item(conn, kind, slug, locale)
        users = await dependents(conn, kind, slug, locale)
        if users:
            names = ", ".join(f"{u.kind} {u.slug!r}{in_locale(u.locale)}" for u in users)
            raise Conflict(f"The {kind} {slug!r} is embedded by {names}; remove it from those first.")
        await conn.execute(items.update().where(items.c.id == row.id).values(archived_at=utcnow()))
        latest = await latest_hash(conn, row.id)
        version = row.latest_version
        await record(conn, actor, "archive", kind, slug, version, latest, latest, locale=locale)
        await self.outbox(conn, Announcement("archived", kind, slug, version, latest, locale))
        return [Change(kind, slug, locale, "archived")]

    async def shown_inside(
        self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE
    ) -> list[tuple[model.Kind, str, str, int]]:
        """(kind, slug, locale, latest version) of each live item that embeds this translation:
        while there is one, ``archive`` is refused (the desk says so before anyone confirms)."""
        async with self.engine.connect() as conn:
            users = await dependents(conn, kind, slug, locale)
        return [(u.kind, u.slug, u.locale, u.latest_version) for u in users]

    async def unarchive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale, archived=True)
            if row.archived_at is None:
                raise Conflict(f"The {kind} {slug!r}{in_locale(locale)} is not archived.")
            await conn.execute(items.update().where(items.c.id == row.id).values(archived_at=None))
            latest = await latest_hash(conn, row.id)
            version = row.latest_version
            await record(conn, actor, "unarchive", kind, slug, version, latest, latest, locale=locale)
            changes = [Change(kind, slug, locale, "unarchived")]
            await self.committing(conn, changes)  # back in lists and search: purged like a publish
        self._tell(changes)

    # --- helpers --------------------------------------------------------------------------

    async def _signed_off(
        self, conn: AsyncConnection, item_id: int, expected: str, actor: str, what: str
    ) -> Any:
        """The draft row, if it is the one the client read and a reviewer signed off exactly it."""
        draft = (await conn.execute(sa.select(drafts).where(drafts.c.item_id == item_id))).first()
        if draft is None:  # the draft the client read was published or discarded meanwhile
            raise Stale(f"The {what} has no draft now; the one you read is gone.")
        if draft.revision != expected:
            raise Stale("The draft changed since you read it; fetch it again.")
        if draft.reviewed_hash != draft.content_hash:
            why = "has not been reviewed" if draft.reviewed_hash is None else "changed after its review"
            raise Conflict(f"The draft {why}; a reviewer must review the current draft first.")
        if self.publisher_not_reviewer and draft.reviewer_account == actor:
            raise Forbidden(
                "You signed this draft off as its reviewer; another publisher must publish it "
                "(FOLIO_PUBLISHER_NOT_REVIEWER is on)."
            )
        return draft

    def _too_hard(self, item: model.Content, override: str | None) -> str | None:
        """Why the item reads above ``max_grade`` (None if it does not); refused without ``override``."""
        if self.max_grade is None:
            return None
        too_hard = above_threshold(measure(item), self.max_grade)
        if too_hard and not override:
            raise TooHardToRead(
                f"{too_hard}; simplify the draft, or publish with an override note "
                '(`"override": "why it may read harder"`).'
            )
        return too_hard

    @staticmethod
    async def _reviewer(conn: AsyncConnection, actor: str) -> Any:
        person = (
            await conn.execute(
                sa.select(tokens.c.display_name, tokens.c.credentials).where(tokens.c.name == actor)
            )
        ).first()
        if person is None:
            raise Forbidden(f"{actor!r} is not a reviewer account; only a person's account signs off.")
        return person

    async def _announce(
        self,
        conn: AsyncConnection,
        event: Event,
        kind: model.Kind,
        slug: str,
        locale: str,
        number: int,
        digest: str,
        actor: str,
        also: Collection[tuple[str, str, str]] = (),
    ) -> list[Change]:
        """Announce a new version, give every item embedding it a version pinning it (announced
        too), and return the changes to tell after commit."""
        await self.outbox(conn, Announcement(event, kind, slug, number, digest, locale))
        changes = [Change(kind, slug, locale, event)]
        for entry in await refresh_dependents(conn, kind, slug, locale, number, actor, "api", also):
            await self.outbox(
                conn, Announcement("published", entry.kind, entry.slug, entry.version, None, entry.locale)
            )
            changes.append(Change(entry.kind, entry.slug, entry.locale, "published"))
        return changes

    async def committing(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        """Runs once inside each publishing transaction (publish, restore, archive, a release, a
        scheduled action), after its writes, with every change it made: what it stores commits
        with them. It stores the one CDN purge of the transaction: a ``cache.purge`` notice
        naming every tag the changes touch (``content.cache_tags``), which the outbox delivers
        to each receiver of that event, the built-in Varnish purgers among them."""
        tags = purged_by(changes)
        if tags:
            await self.outbox(conn, Notice("cache.purge", {"tags": tags}))

    def _tell(self, changes: Sequence[Change]) -> None:
        """After commit, once per transaction, with the changes ``committing`` saw: the copies
        kept in this process are dropped (the purge itself is already stored, and durable)."""
        for change in changes:
            self.on_change(change)
