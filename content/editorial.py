"""Editorial workflow, one object for handlers: drafts, publishing, the audit log.

The work is done by ``content.drafts.Drafts`` (drafts and the review queues),
``content.publishing.Publishing`` (sign-off, publish, restore, archive) and
``content.audit.AuditLog``; ``Editorial`` only hands each call to the one that does it.
Webhook administration and the outbox SQL live in ``api.webhooks``: the app gives ``Editorial``
an ``outbox`` that stores deliveries inside each publishing transaction, and an ``on_change``
that hears of every change after commit (``content.changes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

from content.accounts import Tokens
from content.audit import AuditEntry, AuditLog, AuditPage
from content.changes import EVENTS, Change, Event, Outbox, no_outbox
from content.comments import Comments
from content.discards import Discards
from content.drafts import Draft, DraftInfo, Drafts, DraftSummary, Unreviewed, normalize
from content.invites import Invites
from content.publishing import Publishing, four_eyes
from content.queues import QueueNotices
from content.releases import Release, Releases
from content.review_dates import ReviewDates
from content.schedules import Schedules
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


class Rules(TypedDict, total=False):
    """What ``Publishing`` takes besides ``on_change``; see ``content.publishing.Publishing``."""

    max_grade: float | None
    publisher_not_reviewer: bool
    outbox: Outbox


class Editorial:
    """Every editorial write; ``max_grade`` is the plain-language threshold publishing checks.

    Four eyes: nobody who edited a draft may sign it off; with ``publisher_not_reviewer`` the
    publisher must not be the reviewer either. ``on_change`` is called after each commit for
    every item whose published state or review status changed; ``outbox`` runs inside the
    transaction of each publish, restore and archive. Each method is the one of the part that
    does the work (``drafts``, ``publishing``, ``audit``, ``tokens``).
    """

    def __init__(
        self,
        store: Store,
        *,
        on_change: Callable[[Change], None] = lambda change: None,
        time_zone: str = "UTC",
        desk_url: str = "",
        **rules: Unpack[Rules],
    ) -> None:
        self.store = store
        # queue.entered (content.queues) links to the desk under ``desk_url`` (FOLIO_PUBLIC_URL).
        queues = QueueNotices(rules.get("outbox", no_outbox), desk_url)
        self.drafts = drafts = Drafts(store.engine, queues)
        self.publishing = publishing = Publishing(store.engine, on_change=on_change, **rules)
        publishing.queues = queues
        self.comments = Comments(store.engine, queues)  # on drafts, for their review view
        self.invites = Invites(store.engine)  # one-time sign-in links for people invited
        self.audit = AuditLog(store.engine)
        self.tokens = Tokens(store.engine)
        # Drafts and the review queues.
        self.create, self.start, self.get = drafts.create, drafts.start, drafts.get
        self.replace, self.discard = drafts.replace, drafts.discard
        self.waiting, self.unreviewed = drafts.waiting, drafts.unreviewed
        self.people, self.reviewers = self.tokens.people, self.tokens.reviewers
        # Publishing; a sign-off answers with the draft as it is now.
        self.review, self.publish, self.restore = publishing.review, publishing.publish, publishing.restore
        self.archive, self.unarchive = publishing.archive, publishing.unarchive
        # The audit log, newest first.
        self.audit_log = self.audit.page
        # Actions at a time (times without an offset are in ``time_zone``), and review dates.
        self.schedules = Schedules(store.engine, publishing, time_zone=time_zone)
        self.review_dates = ReviewDates(store.engine, publishing)
        # Releases: named sets of drafts published together (content.releases).
        self.releases = Releases(store.engine, publishing)
        self.discards = Discards(store.engine)  # discarded drafts kept 30 days, with undo
        # A scheduled release publishes inside the runner's claim transaction (content.schedules).
        self.schedules.release = self.releases.publish_in

    async def publish_release(self, release_id: int, actor: str, note: str = "") -> Release:
        """Publish every draft of the release in one transaction, or none (Conflict says why)."""
        return await self.releases.publish(release_id, actor, note)
