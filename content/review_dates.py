"""Review dates that act: a daily check of every live item's next review date.

Thirty days before a signed-off version's ``nextReviewOn`` (``content.review.REVIEW_DUE_WINDOW``)
its item is due: it shows in the reviewers' queue (status "due") and ``review.due`` fires. After
that day it is overdue and ``review.overdue`` fires; FOLIO_OVERDUE then decides whether patients
still get it (with "Review overdue" printed) or a 410 (``withdrawn``). Each event is recorded in
``review_events`` with the date it is about, inside the transaction that stores it in the
outbox: running the check again, on any replica, never fires it twice. A new signed version has
a new date, so its events fire in their turn.

Under FOLIO_OVERDUE=withdraw (``withdraw_overdue``) the check that finds items overdue also stores
one ``cache.purge`` of their tags (``Publishing.committing``) in the transaction of their
``review.overdue`` events, and tells this process's caches after commit, so the 410 reaches every
cache at once; the publish of a new signed version purges them again as any publish does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content.audit import record
from content.changes import Change, Event, Notice
from content.db import items, review_events, utcnow, versions, writer
from content.errors import Gone
from content.publishing import Publishing
from content.review import REVIEW_DUE_WINDOW, Review
from content.stored import VersionKey

ACTOR = "review-dates"


@dataclass(frozen=True, slots=True)
class Fired:
    """One review event fired by a check."""

    event: Event
    kind: str
    slug: str
    locale: str
    version: int
    next_review_on: dt.date


def event_on(next_review_on: dt.date, today: dt.date) -> Event | None:
    """The event a version reviewed until ``next_review_on`` is owed on ``today``, if any."""
    if today > next_review_on:
        return "review.overdue"
    if today >= next_review_on - REVIEW_DUE_WINDOW:
        return "review.due"
    return None


def withdrawn(review: Review | None, today: dt.date) -> bool:
    """Whether a version with this sign-off is past its review date (FOLIO_OVERDUE=withdraw: 410)."""
    return review is not None and review.status_on(today) == "overdue"


def refuse_withdrawn(key: VersionKey, latest: VersionKey) -> None:
    """Under FOLIO_OVERDUE=withdraw, the overdue version ``key`` is Gone if it is its item's latest
    (older versions stay readable as history; a new signed version brings the item back)."""
    if key.id == latest.id:
        raise Gone(
            f"The {key.kind} {key.slug!r} is withdrawn: its review date passed and a reviewer has not "
            "signed a new version yet."
        )


class ReviewDates:
    """The check; events go through the publishing outbox, changes to its ``on_change``."""

    withdraw_overdue = False  # FOLIO_OVERDUE=withdraw: an overdue item's caches are purged (410)

    def __init__(self, engine: AsyncEngine, publishing: Publishing) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.publishing = publishing

    async def check(self, today: dt.date) -> list[Fired]:
        """Fire the review events owed on ``today`` that were not fired before; those fired."""
        async with self.writer.begin() as conn:
            fired = [f for f in await self._owed(conn, today) if await self._fire(conn, f)]
            changes = [Change(f.kind, f.slug, f.locale, f.event) for f in fired]
            if self.withdraw_overdue:  # withdrawn now: purged from every cache, with the event
                await self.publishing.committing(conn, [c for c in changes if c.action == "review.overdue"])
        self.publishing._tell(changes)
        return fired

    @staticmethod
    async def _owed(conn: AsyncConnection, today: dt.date) -> list[Fired]:
        """The event owed by the latest signed version of every live item, due or overdue."""
        latest = (
            sa.select(
                items.c.kind, items.c.slug, items.c.locale, versions.c.number, versions.c.next_review_on
            )
            .join(
                versions, (versions.c.item_id == items.c.id) & (versions.c.number == items.c.latest_version)
            )
            .where(
                items.c.archived_at.is_(None),
                versions.c.reviewed_by.is_not(None),
                versions.c.next_review_on.is_not(None),
                versions.c.next_review_on <= today + REVIEW_DUE_WINDOW,
            )
            .order_by(versions.c.next_review_on, items.c.kind, items.c.slug, items.c.locale)
        )
        owed = []
        for row in await conn.execute(latest):
            event = event_on(row.next_review_on, today)
            if event is not None:
                owed.append(Fired(event, row.kind, row.slug, row.locale, row.number, row.next_review_on))
        return owed

    async def _fire(self, conn: AsyncConnection, fired: Fired) -> bool:
        """Record and announce ``fired`` unless it was before; whether it fired now."""
        key = {
            "kind": fired.kind,
            "slug": fired.slug,
            "locale": fired.locale,
            "event": fired.event,
            "next_review_on": fired.next_review_on,
        }
        exists = sa.select(review_events.c.kind).filter_by(**key)
        if (await conn.execute(exists)).first() is not None:
            return False
        await conn.execute(review_events.insert().values(**key, fired_at=utcnow()))
        data = {
            "type": fired.kind,
            "slug": fired.slug,
            "locale": fired.locale,
            "version": fired.version,
            "nextReviewOn": fired.next_review_on.isoformat(),
        }
        await self.publishing.outbox(conn, Notice(fired.event, data))
        word = "due" if fired.event == "review.due" else "overdue"
        detail = f"review {word}: next review on {fired.next_review_on.isoformat()}"
        action = fired.event.replace(".", "_")
        await record(
            conn,
            ACTOR,
            action,
            fired.kind,
            fired.slug,
            fired.version,
            None,
            None,
            detail,
            locale=fired.locale,
        )
        return True
