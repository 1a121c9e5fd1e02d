"""Which webhook delivery is due, and claiming it: the SQL the delivery worker runs.

A worker claims a due row for a short lease (``LEASE``) before sending, so several workers or
replicas never send the same delivery at once; a replaced secret keeps signing beside the new
one until its grace period ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from content.db import deliveries, webhook_secrets, webhooks

LEASE = dt.timedelta(seconds=30)


async def due(conn: AsyncConnection, now: dt.datetime) -> Any:
    """The oldest pending delivery nobody holds, locked for this transaction (or None)."""
    return (
        await conn.execute(
            sa.select(deliveries, webhooks.c.url, webhooks.c.secret)
            .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
            .where(
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at <= now,
                sa.or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
            )
            .order_by(deliveries.c.id)
            .limit(1)
            # PostgreSQL: another replica's claim in progress is skipped, not waited on.
            # SQLite ignores this; its write transactions are serialized anyway.
            .with_for_update(of=deliveries, skip_locked=True)
        )
    ).first()


async def take(conn: AsyncConnection, delivery_id: int, now: dt.datetime) -> bool:
    """Claim a delivery for LEASE; False if someone else holds it.

    The condition is re-checked by the UPDATE itself: under READ COMMITTED, PostgreSQL
    re-evaluates it against a concurrent claim's committed row.
    """
    claimed = await conn.execute(
        deliveries.update()
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.status == "pending",
            sa.or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
        )
        .values(claimed_until=now + LEASE)
    )
    return claimed.rowcount == 1


async def signing_secrets(conn: AsyncConnection, hook_id: int, current: str, now: dt.datetime) -> list[str]:
    """The webhook's secret and every replaced one still inside its grace period."""
    previous = await conn.scalars(
        sa.select(webhook_secrets.c.secret)
        .where(webhook_secrets.c.webhook_id == hook_id, webhook_secrets.c.expires_at > now)
        .order_by(webhook_secrets.c.id.desc())
    )
    return [current, *previous]


def backoff(attempts: int, base: float) -> dt.timedelta:
    return dt.timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))
