"""Editorial workflow, one object for handlers: drafts, publishing, the audit log.

The work is done by ``content.drafts.Drafts`` (drafts and the review queues),
``content.publishing.Publishing`` (sign-off, publish, restore, archive) and
``content.audit.AuditLog``; ``Editorial`` only hands each call to the one that does it.
Webhook administration and the outbox SQL live in ``api.webhooks``: the app gives ``Editorial``
an ``outbox`` that stores deliveries inside each publishing transaction, and an ``on_change``
that hears of every change after commit (``content.changes``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from content import model
from content.accounts import Tokens
from content.audit import AuditEntry, AuditLog, AuditPage
from content.changes import EVENTS, Change, Event, Outbox, no_outbox
from content.drafts import Draft, DraftInfo, Drafts, DraftSummary, Unreviewed, normalize
from content.locales import DEFAULT_LOCALE
from content.publishing import Publishing, four_eyes
from content.store import Store

__all__ = [
    "EVENTS",
    "AuditEntry",
    "AuditPage",
    "Draft",
    "DraftInfo",
    "DraftSummary",
    "Editorial",
    "Event",
    "Unreviewed",
    "four_eyes",
    "normalize",
]


class Editorial:
    """Every editorial write; ``max_grade`` is the plain-language threshold publishing checks.

    Four eyes: nobody who edited a draft may sign it off; with ``publisher_not_reviewer`` the
    publisher must not be the reviewer either. ``on_change`` is called after each commit for
    every item whose published state or review status changed; ``outbox`` runs inside the
    transaction of each publish, restore and archive.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_grade: float | None = None,
        publisher_not_reviewer: bool = False,
        on_change: Callable[[Change], None] = lambda change: None,
        outbox: Outbox = no_outbox,
    ) -> None:
        self.store = store
        self.drafts = Drafts(store.engine)
        self.publishing = Publishing(
            store.engine,
            max_grade=max_grade,
            publisher_not_reviewer=publisher_not_reviewer,
            on_change=on_change,
            outbox=outbox,
        )
        self.audit = AuditLog(store.engine)
        self.tokens = Tokens(store.engine)

    # --- drafts ---------------------------------------------------------------------------

    async def create(self, item: model.Content, actor: str) -> Draft:
        return await self.drafts.create(item, actor)

    async def start(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> Draft:
        return await self.drafts.start(kind, slug, actor, locale)

    async def get(self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE) -> Draft:
        return await self.drafts.get(kind, slug, locale)

    async def waiting(self) -> list[DraftSummary]:
        return await self.drafts.waiting()

    async def unreviewed(self) -> list[Unreviewed]:
        return await self.drafts.unreviewed()

    async def replace(self, item: model.Content, expected: str, actor: str) -> Draft:
        return await self.drafts.replace(item, expected, actor)

    async def discard(
        self, kind: model.Kind, slug: str, expected: str | None, actor: str, locale: str = DEFAULT_LOCALE
    ) -> None:
        await self.drafts.discard(kind, slug, expected, actor, locale)

    async def reviewers(self) -> dict[str, str]:
        return await self.tokens.reviewers()

    async def people(self) -> dict[str, str]:
        return await self.tokens.people()

    # --- publishing -----------------------------------------------------------------------

    async def review(
        self,
        kind: model.Kind,
        slug: str,
        expected: str,
        actor: str,
        next_review_on: dt.date,
        locale: str = DEFAULT_LOCALE,
    ) -> Draft:
        await self.publishing.review(kind, slug, expected, actor, next_review_on, locale)
        return await self.drafts.get(kind, slug, locale)

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
        return await self.publishing.publish(kind, slug, expected, actor, note, locale, override)

    async def restore(
        self, kind: model.Kind, slug: str, number: int, actor: str, note: str, locale: str = DEFAULT_LOCALE
    ) -> int:
        return await self.publishing.restore(kind, slug, number, actor, note, locale)

    async def archive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        await self.publishing.archive(kind, slug, actor, locale)

    async def unarchive(self, kind: model.Kind, slug: str, actor: str, locale: str = DEFAULT_LOCALE) -> None:
        await self.publishing.unarchive(kind, slug, actor, locale)

    # --- audit ----------------------------------------------------------------------------

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
        return await self.audit.page(
            limit=limit, cursor=cursor, kind=kind, slug=slug, actor=actor, action=action
        )
