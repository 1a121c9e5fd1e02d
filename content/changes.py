"""What a write changed, told to whoever keeps copies (after commit) and to the outbox (inside it).

``Change`` is the signal readers use to drop what they hold: ``Editorial`` calls its
``on_change`` after each commit, once for every item whose published state or review status
changed, including items that got a new version because they embed the changed one.
``Announcement`` is what a webhook outbox stores in the same transaction as the write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.locales import DEFAULT_LOCALE

Event = Literal[
    "published",
    "restored",
    "archived",
    "release.published",
    "schedule.failed",
    "review.due",
    "review.overdue",
    "cache.purge",
    "queue.entered",
]
EVENTS: tuple[Event, ...] = (
    "published",
    "restored",
    "archived",
    "release.published",
    "schedule.failed",
    "review.due",
    "review.overdue",
    "cache.purge",
    "queue.entered",
)
# Events a new webhook gets only when it asks for them by name: a CDN purger's, and the desk's
# queues (content.queues), which receivers made before them never expected.
OPT_IN_EVENTS: tuple[Event, ...] = ("cache.purge", "queue.entered")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    slug: str
    locale: str
    action: str  # "published", "restored", "archived", "unarchived", "reviewed", ...


@dataclass(frozen=True, slots=True)
class Announcement:
    """One event for webhook receivers: a version published, restored or archived."""

    event: Event
    kind: model.Kind
    slug: str
    version: int
    digest: str | None
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Notice:
    """Any other event for webhook receivers: its type and the JSON object it carries."""

    event: Event
    data: Mapping[str, object]


# Runs inside the writing transaction: what it stores commits or rolls back with the write.
Outbox = Callable[[AsyncConnection, Announcement | Notice], Awaitable[None]]


async def no_outbox(conn: AsyncConnection, announcement: Announcement | Notice) -> None:
    """Announce nothing (a store without webhook receivers)."""
