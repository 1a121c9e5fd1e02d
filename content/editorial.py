"""Editorial workflow: drafts, reviews, publishing, roll back, archiving, audit and webhook outbox.

Every write is one transaction that also records an audit entry and, for the events webhooks
subscribe to, enqueues deliveries: a publish is never acknowledged without its notifications
being stored. Drafts are guarded by a random token per save (the ETag): a write names the
token it read and wins only if it is still current, so concurrent editors cannot overwrite
each other.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
import sqlalchemy as sa
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.changes import Change
from content.db import (
    as_utc,
    audit,
    deliveries,
    drafts,
    items,
    retried,
    tokens,
    utcnow,
    versions,
    webhooks,
    writer,
)
from content.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Stale, TooHardToRead
from content.library import check_item, check_references
from content.locales import DEFAULT_LOCALE
from content.outbox import EVENTS, Event, enqueue
from content.readability import above_threshold, measure
from content.store import (
    Store,
    content_hash,
    decode_content,
    decode_cursor,
    dependents,
    encode_cursor,
    publish,
    record,
    refresh_dependents,
    review_of,
)

__all__ = ["EVENTS", "Editorial", "Event", "enqueue"]


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


class AuditEntry(model.Wire, kw_only=True):
    id: int
    at: dt.datetime
    actor: str
    action: str
    type: str | None
    slug: str | None
    locale: str | None
    version: int | None
    hash_before: str | None
    hash_after: str | None
    detail: str


class AuditPage(model.Wire, kw_only=True):
    entries: list[AuditEntry]
    next_cursor: str | None


class Webhook(model.Wire, kw_only=True):
    id: int
    url: str
    events: list[Event]
    created_at: dt.datetime


class Delivery(model.Wire, kw_only=True):
    id: int
    event: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: dt.datetime
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


def normalize(item: model.Content) -> model.Content:
    """The stored form of an editor's item: derived fields blank, no review (reviewers set it)."""
    match item:
        case model.Article(body=body):
            blocks = [_strip_block(b) for b in body]
            item = replace(item, body=blocks)
        case model.FaqSet(items=entries):
            item = replace(item, items=[replace(e, answer_html="") for e in entries])
        case model.Comparison(rows=rows):
            item = replace(item, rows=[replace(r, values_html=[]) for r in rows], footnote_html="")
    return replace(item, review=None)


def _strip_block(block: model.BlockType) -> model.BlockType:
    match block:
        case model.Heading() | model.Paragraph() | model.Callout():
            return replace(block, html="")
        case model.List(items=entries):
            return replace(block, items=[replace(i, html="") for i in entries])
        case model.Cta():
            return replace(block, href="")
    return block


class Editorial:
    """Every editorial write; ``max_grade`` is the plain-language threshold publishing checks.

    Four eyes: nobody who edited a draft may sign it off; with ``publisher_not_reviewer`` the
    publisher must not be the reviewer either.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_grade: float | None = None,
        publisher_not_reviewer: bool = False,
        on_change: Callable[[Change], None] = lambda change: None,
    ) -> None:
        self.store = store
        # Called after commit for every item whose published state or review status changed.
        self.on_change = on_change
        self.engine = writer(store.engine)
        self.max_grade = max_grade
        self.publisher_not_reviewer = publisher_not_reviewer

    # --- drafts ---------------------------------------------------------------------------

    async def create(self, item: model.Content, actor: str) -> Draft:
        """A new item, unpublished, holding its first draft."""
        if item.review is not None:
            raise InvalidInput("$.review", "The review is recorded by a reviewer, not sent with the draft.")
        item = normalize(check_item(item))
        async with self.engine.begin() as conn:
            await self._check_references(conn, item)
            exists = await conn.scalar(
                sa.select(items.c.id).where(
                    items.c.kind == item.kind, items.c.slug == item.slug, items.c.locale == item.locale
                )
            )
            if exists is not None:
                raise Conflict(f"A {item.kind} with slug {item.slug!r}{_in(item.locale)} exists already.")
            now = utcnow()
            item_id = (
                await conn.execute(
                    items.insert().values(
                        kind=item.kind,
                        slug=item.slug,
                        locale=item.locale,
                        title=item.title,
                        summary=item.summary,
                        latest_version=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            await self._insert_draft(conn, item_id, item, actor, edited=True)
            await record(
                conn,
                actor,
                "create",
                item.kind,
                item.slug,
                None,
                None,
                content_hash(item),
                locale=item.locale,
            )
        return await self.get(item.kind, item.slug, item.locale)

    async def start(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> Draft:
        """A draft that starts as a copy of the latest published version of this translation.

        A translation that does not exist yet is created with ``create``: a draft never starts
        from another locale's text.
        """
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale)
            if await conn.scalar(sa.select(drafts.c.item_id).where(drafts.c.item_id == row.id)):
                raise Conflict(f"The {kind} {slug!r}{_in(locale)} has a draft already; edit that one.")
            content = await conn.scalar(
                sa.select(versions.c.content).where(
                    versions.c.item_id == row.id, versions.c.number == row.latest_version
                )
            )
            assert content is not None  # latest_version always names a stored version
            item = normalize(decode_content(content))
            await self._insert_draft(conn, row.id, item, actor, edited=False)
            await record(
                conn, actor, "start_draft", kind, slug, None, None, content_hash(item), locale=locale
            )
        return await self.get(kind, slug, locale)

    @retried
    async def get(self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE) -> Draft:
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(_draft_query(kind, slug, locale))).first()
        if row is None:
            raise NotFound(f"The {kind} {slug!r}{_in(locale)} has no draft.")
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
        async with self.store.engine.connect() as conn:
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
                edited_by=tuple(_editors(r.editors)),
            )
            for r in rows
        ]

    async def unreviewed(self) -> list[Unreviewed]:
        """Every live published translation whose latest version carries no sign-off."""
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
            .join(
                versions,
                sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version),
            )
            .outerjoin(drafts, drafts.c.item_id == items.c.id)
            .where(items.c.archived_at.is_(None), versions.c.reviewed_by.is_(None))
            .order_by(items.c.kind, items.c.slug, items.c.locale)
        )
        async with self.store.engine.connect() as conn:
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

    async def reviewers(self) -> dict[str, str]:
        """Active accounts that may sign off (reviewer role or above): token name -> person."""
        from content.tokens import ROLES

        allowed = ROLES[ROLES.index("reviewer") :]
        async with self.store.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(tokens.c.name, tokens.c.display_name, tokens.c.credentials)
                .where(tokens.c.revoked_at.is_(None), tokens.c.role.in_(allowed))
                .order_by(tokens.c.display_name)
            )
            return {
                r.name: f"{r.display_name}, {r.credentials}" if r.credentials else r.display_name
                for r in rows
            }

    async def people(self) -> dict[str, str]:
        """Token name -> the person as shown to staff: display name, and credentials if any."""
        async with self.store.engine.connect() as conn:
            rows = await conn.execute(sa.select(tokens.c.name, tokens.c.display_name, tokens.c.credentials))
            return {
                r.name: f"{r.display_name}, {r.credentials}" if r.credentials else r.display_name
                for r in rows
            }

    async def replace(self, item: model.Content, expected: str, actor: str) -> Draft:
        """Overwrite the draft, if ``expected`` is still its ETag."""
        if item.review is not None:
            raise InvalidInput("$.review", "The review is recorded by a reviewer, not sent with the draft.")
        item = normalize(check_item(item))
        async with self.engine.begin() as conn:
            row = await self._item(conn, item.kind, item.slug, item.locale, published=False)
            await self._check_references(conn, item)
            current = (
                await conn.execute(
                    sa.select(drafts.c.content_hash, drafts.c.editors).where(drafts.c.item_id == row.id)
                )
            ).first()
            if current is None:
                raise NotFound(f"The {item.kind} {item.slug!r}{_in(item.locale)} has no draft.")
            before = current.content_hash
            editors = _editors(current.editors)
            if content_hash(item) != before and actor not in editors:
                editors.append(actor)
            changed = await conn.execute(
                drafts.update()
                .where(drafts.c.item_id == row.id, drafts.c.revision == expected)
                .values(
                    revision=_token(),
                    content=msgspec.json.encode(item),
                    content_hash=content_hash(item),
                    updated_by=actor,
                    updated_at=utcnow(),
                    editors=msgspec.json.encode(editors).decode(),
                )
            )
            if changed.rowcount != 1:
                raise Stale("The draft changed since you read it; fetch it again and reapply your edit.")
            if row.latest_version == 0:  # keep unpublished items' list fields in step
                await conn.execute(
                    items.update().where(items.c.id == row.id).values(title=item.title, summary=item.summary)
                )
            await record(
                conn,
                actor,
                "update_draft",
                item.kind,
                item.slug,
                None,
                before,
                content_hash(item),
                locale=item.locale,
            )
        return await self.get(item.kind, item.slug, item.locale)

    async def discard(
        self, kind: model.Kind, slug: str, expected: str | None, actor: str, locale: str = DEFAULT_LOCALE
    ) -> None:
        """Delete the draft; an item never published goes with it."""
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale, published=False)
            condition = drafts.c.item_id == row.id
            if expected is not None:
                condition &= drafts.c.revision == expected
            before = await conn.scalar(sa.select(drafts.c.content_hash).where(drafts.c.item_id == row.id))
            if before is None:
                raise NotFound(f"The {kind} {slug!r}{_in(locale)} has no draft.")
            if (await conn.execute(drafts.delete().where(condition))).rowcount != 1:
                raise Stale("The draft changed since you read it.")
            if row.latest_version == 0:
                await conn.execute(items.delete().where(items.c.id == row.id))
            await record(conn, actor, "discard_draft", kind, slug, None, before, None, locale=locale)

    async def review(
        self,
        kind: model.Kind,
        slug: str,
        expected: str,
        actor: str,
        next_review_on: dt.date,
        locale: str = DEFAULT_LOCALE,
    ) -> Draft:
        """Record that reviewer account ``actor`` signed off exactly the current draft now.

        The sign-off names the account's display name and credentials, as printed on what
        patients read; the audit log keeps ``actor``, the token's own name. Four eyes: an
        account that edited the draft may not sign it off (Forbidden, naming who may).
        """
        now = utcnow()
        if next_review_on <= now.date():
            raise InvalidInput("$.nextReviewOn", "The next review must be after today.")
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale, published=False)
            draft = (
                await conn.execute(
                    sa.select(drafts.c.content_hash, drafts.c.editors).where(drafts.c.item_id == row.id)
                )
            ).first()
            if draft is None:
                raise NotFound(f"The {kind} {slug!r}{_in(locale)} has no draft.")
            editors = _editors(draft.editors)
            if actor in editors:
                raise Forbidden(four_eyes(editors, await self.people()))
            person = (
                await conn.execute(
                    sa.select(tokens.c.display_name, tokens.c.credentials).where(tokens.c.name == actor)
                )
            ).first()
            if person is None:
                raise Forbidden(f"{actor!r} is not a reviewer account; only a person's account signs off.")
            changed = await conn.execute(
                drafts.update()
                .where(drafts.c.item_id == row.id, drafts.c.revision == expected)
                .values(
                    revision=_token(),
                    reviewer_account=actor,
                    reviewed_by=person.display_name,
                    reviewer_credentials=person.credentials,
                    reviewed_on=now.date(),
                    reviewed_at=now,
                    next_review_on=next_review_on,
                    reviewed_hash=draft.content_hash,
                )
            )
            if changed.rowcount != 1:
                raise Stale("The draft changed since you read it; review the current one.")
            signer = ", ".join(filter(None, [person.display_name, person.credentials]))
            await record(
                conn,
                actor,
                "review",
                kind,
                slug,
                None,
                draft.content_hash,
                draft.content_hash,
                f"signed off by {signer}; next review {next_review_on.isoformat()}",
                locale=locale,
            )
        return await self.get(kind, slug, locale)

    # --- publishing -----------------------------------------------------------------------

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
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale, published=False)
            draft = (await conn.execute(sa.select(drafts).where(drafts.c.item_id == row.id))).first()
            if draft is None:  # the draft the client read was published or discarded meanwhile
                raise Stale(f"The {kind} {slug!r}{_in(locale)} has no draft now; the one you read is gone.")
            if draft.revision != expected:
                raise Stale("The draft changed since you read it; fetch it again.")
            if draft.reviewed_hash != draft.content_hash:
                what = "has not been reviewed" if draft.reviewed_hash is None else "changed after its review"
                raise Conflict(f"The draft {what}; a reviewer must review the current draft first.")
            if self.publisher_not_reviewer and draft.reviewer_account == actor:
                raise Forbidden(
                    "You signed this draft off as its reviewer; another publisher must publish it "
                    "(FOLIO_PUBLISHER_NOT_REVIEWER is on)."
                )
            review = review_of(draft)
            item = decode_content(draft.content)
            too_hard = self.max_grade is not None and above_threshold(measure(item), self.max_grade)
            if too_hard and not override:
                raise TooHardToRead(
                    f"{too_hard}; simplify the draft, or publish with an override note "
                    '(`"override": "why it may read harder"`).'
                )
            await self._check_references(conn, item, published_only=True)
            before = await _latest_hash(conn, row.id)
            number = await publish(
                conn,
                item,
                author=draft.updated_by,
                note=note,
                source="api",
                force=True,
                review=review,
                reviewer_account=draft.reviewer_account,
            )
            assert number is not None  # forced
            await conn.execute(
                drafts.delete().where(drafts.c.item_id == row.id, drafts.c.revision == expected)
            )
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
            await enqueue(conn, "published", kind, slug, number, digest, locale)
            refreshed = await self._refresh(conn, kind, slug, locale, number, actor)
        self._changed([Change(kind, slug, locale, "published"), *refreshed])
        return number

    async def restore(
        self, kind: model.Kind, slug: str, number: int, actor: str, note: str, locale: str = DEFAULT_LOCALE
    ) -> int:
        """Publish a copy of version ``number`` as the next version; history stays as it was."""
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale)
            old = (
                await conn.execute(
                    sa.select(versions).where(versions.c.item_id == row.id, versions.c.number == number)
                )
            ).first()
            if old is None:
                raise NotFound(f"No published {kind} {slug!r}{_in(locale)} version {number}.")
            item = decode_content(old.content)
            before = await _latest_hash(conn, row.id)
            if before == content_hash(item):  # a repeated (or concurrent) restore: already done
                raise Conflict(
                    f"The latest {kind} {slug!r}{_in(locale)} already has version {number}'s content."
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
            await enqueue(conn, "restored", kind, slug, new, digest, locale)
            refreshed = await self._refresh(conn, kind, slug, locale, new, actor)
        self._changed([Change(kind, slug, locale, "restored"), *refreshed])
        return new

    async def _refresh(
        self, conn: AsyncConnection, kind: model.Kind, slug: str, locale: str, number: int, actor: str
    ) -> list[Change]:
        """Items whose latest version embeds this one get a version pinning the new one."""
        changes = []
        for entry in await refresh_dependents(conn, kind, slug, locale, number, actor, "api"):
            await enqueue(conn, "published", entry.kind, entry.slug, entry.version, None, entry.locale)
            changes.append(Change(entry.kind, entry.slug, entry.locale, "published"))
        return changes

    def _changed(self, changes: list[Change]) -> None:
        """Tell the listener (the app's reader and stored responses), after commit."""
        for change in changes:
            self.on_change(change)

    async def archive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        """Withdraw a translation; refused while a live item embeds it (that would break its exports)."""
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale)
            users = await dependents(conn, kind, slug, locale)
            if users:
                names = ", ".join(f"{u.kind} {u.slug!r}{_in(u.locale)}" for u in users)
                raise Conflict(f"The {kind} {slug!r} is embedded by {names}; remove it from those first.")
            await conn.execute(items.update().where(items.c.id == row.id).values(archived_at=utcnow()))
            latest = await _latest_hash(conn, row.id)
            version = row.latest_version
            await record(conn, actor, "archive", kind, slug, version, latest, latest, locale=locale)
            await enqueue(conn, "archived", kind, slug, row.latest_version, latest, locale)
        self._changed([Change(kind, slug, locale, "archived")])

    async def unarchive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        async with self.engine.begin() as conn:
            row = await self._item(conn, kind, slug, locale, archived=True)
            if row.archived_at is None:
                raise Conflict(f"The {kind} {slug!r}{_in(locale)} is not archived.")
            await conn.execute(items.update().where(items.c.id == row.id).values(archived_at=None))
            latest = await _latest_hash(conn, row.id)
            await record(
                conn, actor, "unarchive", kind, slug, row.latest_version, latest, latest, locale=locale
            )
        self._changed([Change(kind, slug, locale, "unarchived")])

    # --- audit and webhooks ---------------------------------------------------------------

    @retried
    async def audit_log(
        self,
        *,
        limit: int,
        cursor: str | None = None,
        kind: str | None = None,
        slug: str | None = None,
        actor: str | None = None,
        action: str | None = None,
    ) -> AuditPage:
        """Newest first."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit + 1)
        if cursor is not None:
            after = decode_cursor(cursor)
            if not isinstance(after, int):
                raise InvalidInput("cursor", "The cursor is not one this API issued.")
            query = query.where(audit.c.id < after)
        for column, value in (
            (audit.c.kind, kind),
            (audit.c.slug, slug),
            (audit.c.actor, actor),
            (audit.c.action, action),
        ):
            if value is not None:
                query = query.where(column == value)
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        entries = [
            AuditEntry(
                id=r.id,
                at=as_utc(r.at),
                actor=r.actor,
                action=r.action,
                type=r.kind,
                slug=r.slug,
                locale=r.locale,
                version=r.version,
                hash_before=r.hash_before,
                hash_after=r.hash_after,
                detail=r.detail,
            )
            for r in rows[:limit]
        ]
        more = len(rows) > limit
        return AuditPage(entries=entries, next_cursor=encode_cursor(entries[-1].id) if more else None)

    async def add_webhook(self, url: str, events: list[Event], actor: str) -> tuple[Webhook, str]:
        """Register a receiver; returns it with its signing secret, shown this once."""
        secret = "whsec_" + secrets.token_urlsafe(32)
        now = utcnow()
        async with self.engine.begin() as conn:
            hook_id = (
                await conn.execute(
                    webhooks.insert().values(url=url, events=",".join(events), secret=secret, created_at=now)
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            await record(conn, actor, "add_webhook", None, None, None, None, None, url)
        return Webhook(id=hook_id, url=url, events=events, created_at=now), secret

    @retried
    async def list_webhooks(self) -> list[Webhook]:
        async with self.store.engine.connect() as conn:
            rows = await conn.execute(sa.select(webhooks).where(webhooks.c.deleted_at.is_(None)))
            return [_webhook(r) for r in rows]

    async def remove_webhook(self, hook_id: int, actor: str) -> None:
        async with self.engine.begin() as conn:
            done = await conn.execute(
                webhooks.update()
                .where(webhooks.c.id == hook_id, webhooks.c.deleted_at.is_(None))
                .values(deleted_at=utcnow())
            )
            if done.rowcount != 1:
                raise NotFound(f"No webhook {hook_id}.")
            await conn.execute(
                deliveries.update()
                .where(deliveries.c.webhook_id == hook_id, deliveries.c.status == "pending")
                .values(status="failed", last_error="webhook removed")
            )
            await record(conn, actor, "remove_webhook", None, None, None, None, None, str(hook_id))

    @retried
    async def deliveries(self, hook_id: int, limit: int = 100) -> list[Delivery]:
        async with self.store.engine.connect() as conn:
            if await conn.scalar(sa.select(webhooks.c.id).where(webhooks.c.id == hook_id)) is None:
                raise NotFound(f"No webhook {hook_id}.")
            rows = await conn.execute(
                sa.select(deliveries)
                .where(deliveries.c.webhook_id == hook_id)
                .order_by(deliveries.c.id.desc())
                .limit(limit)
            )
            return [
                Delivery(
                    id=r.id,
                    event=r.event,
                    status=r.status,
                    attempts=r.attempts,
                    next_attempt_at=as_utc(r.next_attempt_at),
                    last_status=r.last_status,
                    last_error=r.last_error,
                    created_at=as_utc(r.created_at),
                    delivered_at=as_utc(r.delivered_at) if r.delivered_at else None,
                )
                for r in rows
            ]

    # --- helpers --------------------------------------------------------------------------

    async def _item(
        self,
        conn: AsyncConnection,
        kind: str,
        slug: str,
        locale: str,
        *,
        published: bool = True,
        archived: bool = False,
    ) -> Any:
        row = (
            await conn.execute(
                sa.select(items.c.id, items.c.latest_version, items.c.archived_at).where(
                    items.c.kind == kind, items.c.slug == slug, items.c.locale == locale
                )
            )
        ).first()
        if row is None or (published and row.latest_version == 0):
            raise NotFound(f"No {kind} {slug!r}{_in(locale)}.")
        if row.archived_at is not None and not archived:
            raise Gone(f"The {kind} {slug!r}{_in(locale)} was archived.")
        return row

    async def _insert_draft(
        self, conn: AsyncConnection, item_id: int, item: model.Content, actor: str, *, edited: bool
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

    async def _check_references(
        self, conn: AsyncConnection, item: model.Content, *, published_only: bool = False
    ) -> None:
        query = sa.select(items.c.kind, items.c.slug).where(items.c.archived_at.is_(None))
        if published_only:
            query = query.where(items.c.latest_version > 0)
        present = {(r.kind, r.slug) for r in await conn.execute(query)} | {(item.kind, item.slug)}
        # FAQ item ids are checked against the latest published FAQ sets.
        faqs = []
        if isinstance(item, model.Article):
            slugs = {b.slug for b in item.body if isinstance(b, model.FaqEmbed) and b.items}
            if slugs:
                rows = await conn.execute(
                    sa.select(versions.c.content)
                    .join(
                        items,
                        sa.and_(
                            items.c.id == versions.c.item_id, versions.c.number == items.c.latest_version
                        ),
                    )
                    .where(items.c.kind == "faq", items.c.slug.in_(slugs))
                    .where(items.c.locale.in_((item.locale, DEFAULT_LOCALE)))
                )
                # The item's own locale last, so its FAQ set wins over the fallback's.
                found = (decode_content(r.content) for r in rows)
                faqs = sorted(found, key=lambda f: f.locale == item.locale)
        problems = check_references([item, *faqs], present)
        if problems:
            field, _, detail = problems[0].partition(": ")[2].partition(": ")
            raise (
                InvalidInput(field, detail)
                if not published_only
                else Conflict(
                    "Publish what it refers to first: " + "; ".join(p.split(": ", 1)[1] for p in problems)
                )
            )


def _token() -> str:
    return secrets.token_hex(12)


def _editors(raw: str | None) -> list[str]:
    found: list[str] = msgspec.json.decode(raw or "[]")
    return found


def four_eyes(editors: list[str], people: dict[str, str]) -> str:
    """Why an editor of a draft may not sign it off, and who may instead."""
    names = ", ".join(people.get(name, name) for name in editors)
    return (
        f"Four eyes: you edited this draft, so you may not sign it off. Any reviewer who did not "
        f"edit it may (edited by: {names})."
    )


def _in(locale: str) -> str:
    return "" if locale == DEFAULT_LOCALE else f" in {locale}"


def _draft_query(kind: str, slug: str, locale: str) -> sa.Select[Any]:
    return (
        sa.select(drafts, items.c.latest_version)
        .join(items, items.c.id == drafts.c.item_id)
        .where(items.c.kind == kind, items.c.slug == slug, items.c.locale == locale)
    )


def _draft(kind: model.Kind, slug: str, locale: str, row: Any) -> Draft:
    # A sign-off of other content than the draft's is no sign-off of the draft.
    current = row.reviewed_hash == row.content_hash
    review = review_of(row) if current and row.reviewed_by is not None else None
    content = replace(decode_content(row.content), review=review)
    info = DraftInfo(
        created_by=row.created_by,
        updated_by=row.updated_by,
        edited_by=_editors(row.editors),
        updated_at=as_utc(row.updated_at),
        content_hash=row.content_hash,
        based_on_version=row.latest_version,
        review_current=row.reviewed_hash == row.content_hash,
        readability=measure(content),
    )
    return Draft(kind=kind, slug=slug, locale=locale, etag=f'"{row.revision}"', content=content, info=info)


def _webhook(row: Any) -> Webhook:
    return Webhook(id=row.id, url=row.url, events=row.events.split(","), created_at=as_utc(row.created_at))


async def _latest_hash(conn: AsyncConnection, item_id: int) -> str | None:
    return await conn.scalar(
        sa.select(versions.c.content_hash)
        .join(items, sa.and_(items.c.id == versions.c.item_id, versions.c.number == items.c.latest_version))
        .where(items.c.id == item_id)
    )
