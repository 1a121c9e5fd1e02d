"""``queue.entered``: a webhook event each time something starts waiting for someone.

Three queues: ``review`` (a draft with edits no reviewer has signed off), ``publish`` (a draft
signed off, ready to publish) and ``comments`` (a comment on a draft, for its editors). The
event is stored through the outbox inside the transaction of the write that put the thing in the
queue, so it commits or rolls back with it.

When a draft enters ``review``: on ``create`` (a new item's first draft), and on a save that
turns a draft which was not waiting for review into one that is: the first save that changes a
started draft, or the first save that changes a signed-off draft. Saves (and autosaves) of a
draft already waiting fire nothing; a draft started from a published version, unchanged, is
not waiting for review (nothing was written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.changes import Notice, Outbox, no_outbox
from content.db import drafts, tokens
from content.locales import DEFAULT_LOCALE
from content.stored import decode_content

Queue = Literal["review", "publish", "comments"]


def draft_path(kind: model.Kind, slug: str, locale: str) -> str:
    """The desk's page of a translation's draft, as the desk links it."""
    path = f"/desk/{model.PLURALS[kind]}/{quote(slug)}/draft"
    return path if locale == DEFAULT_LOCALE else f"{path}?locale={quote(locale)}"


def waiting_for_review(editors: list[str], content_hash: str, reviewed_hash: str | None) -> bool:
    """A draft someone wrote whose content no sign-off covers."""
    return bool(editors) and reviewed_hash != content_hash


@dataclass(frozen=True, slots=True)
class QueueNotices:
    """Stores ``queue.entered`` through ``outbox``; ``base_url`` (FOLIO_PUBLIC_URL) prefixes links."""

    outbox: Outbox = no_outbox
    base_url: str = ""

    async def entered(
        self,
        conn: AsyncConnection,
        queue: Queue,
        kind: model.Kind,
        slug: str,
        locale: str,
        title: str | int,
        actor: str,
    ) -> None:
        """Announce that the draft of ``kind/slug/locale`` entered ``queue`` through ``actor``;
        ``title`` is the draft's, or the item id whose draft has it."""
        if isinstance(title, int):
            stored = await conn.scalar(sa.select(drafts.c.content).where(drafts.c.item_id == title))
            title = decode_content(stored).title if stored is not None else ""
        shown = await conn.scalar(sa.select(tokens.c.display_name).where(tokens.c.name == actor))
        data = {
            "queue": queue,
            "kind": kind,
            "slug": slug,
            "locale": locale,
            "title": title,
            "by": shown or actor,
            "url": self.base_url.rstrip("/") + draft_path(kind, slug, locale),
        }
        await self.outbox(conn, Notice("queue.entered", data))


SILENT = QueueNotices()  # announces nothing: a store without webhook receivers
