"""The webhook outbox: deliveries stored in the same transaction as the change they announce."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.db import deliveries, utcnow, webhooks
from content.locales import DEFAULT_LOCALE

Event = Literal["published", "restored", "archived"]
EVENTS: tuple[Event, ...] = ("published", "restored", "archived")


class EventPayload(model.Wire, kw_only=True):
    event: Event
    type: model.Kind
    slug: str
    version: int
    content_hash: str | None
    at: dt.datetime
    locale: model.Locale = DEFAULT_LOCALE


async def enqueue(
    conn: AsyncConnection,
    event: Event,
    kind: model.Kind,
    slug: str,
    version: int,
    digest: str | None,
    locale: str = DEFAULT_LOCALE,
) -> None:
    """Store one pending delivery per subscribed webhook, inside the caller's transaction."""
    now = utcnow()
    payload = msgspec.json.encode(
        EventPayload(
            event=event, type=kind, slug=slug, version=version, content_hash=digest, at=now, locale=locale
        )
    )
    hooks = await conn.execute(
        sa.select(webhooks.c.id, webhooks.c.events).where(webhooks.c.deleted_at.is_(None))
    )
    rows = [
        {
            "webhook_id": h.id,
            "event": event,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for h in hooks
        if event in h.events.split(",")
    ]
    if rows:
        await conn.execute(deliveries.insert(), rows)
