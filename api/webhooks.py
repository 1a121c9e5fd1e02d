"""Webhooks: receivers and their administration, the outbox, and the background delivery.

Deliveries are rows written in the same transaction as the publish that caused them
(``outbox``, which ``Editorial`` runs inside each publishing transaction), so nothing
acknowledged is lost and a pending one survives a restart. A worker claims a due row for a
short lease before sending, so several workers or replicas never send the same delivery at once.

Every delivery checks its URL again (``api.egress``) and connects to the address it checked;
a refused address is refused before any connection is made, so the delivery log says why it
was refused and nothing about what answers there.

What goes on the wire follows the Standard Webhooks specification: ``api.standard_webhooks``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Literal

import httpx
import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api import standard_webhooks as wire
from api.egress import EgressPolicy, Refused
from api.purge import BUILT_IN, purge_varnish
from api.webhook_queue import backoff, due, signing_secrets, take
from content import model
from content.audit import record
from content.changes import EVENTS, Announcement, Event, Notice
from content.database import Database
from content.db import as_utc, deliveries, retried, utcnow, webhook_secrets, webhooks, writer
from content.errors import NotFound
from content.locales import DEFAULT_LOCALE

__all__ = [
    "EVENTS",
    "Deliverer",
    "Delivery",
    "Event",
    "Webhook",
    "Webhooks",
    "due",
    "enqueue",
    "outbox",
    "take",
]

log = logging.getLogger("folio.webhooks")
MAX_ATTEMPTS = 8
DEFAULT_GRACE = dt.timedelta(hours=24)


class Webhook(model.Wire, kw_only=True):
    id: int
    url: str
    events: list[Event]
    created_at: dt.datetime


class Delivery(model.Wire, kw_only=True):
    id: int
    # The webhook-id header: the same on every attempt of this delivery.
    message_id: str | None
    event: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: dt.datetime
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


# --- the outbox: written inside the transaction of the change it announces ---------------------


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
    data = wire.VersionData(kind=kind, slug=slug, locale=locale, version=version, content_hash=digest)
    await _store(conn, event, wire.body(event, now, data), now)


async def _store(conn: AsyncConnection, event: Event, payload: bytes, now: dt.datetime) -> None:
    hooks = await conn.execute(
        sa.select(webhooks.c.id, webhooks.c.events).where(webhooks.c.deleted_at.is_(None))
    )
    rows = [
        {
            "webhook_id": h.id,
            "message_id": wire.new_message_id(),
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


async def outbox(conn: AsyncConnection, announcement: Announcement | Notice) -> None:
    """The ``content.changes.Outbox`` the app gives ``Editorial`` and a library sync."""
    a = announcement
    if isinstance(a, Notice):
        now = utcnow()
        await _store(conn, a.event, wire.body(a.event, now, a.data), now)
        return
    await enqueue(conn, a.event, a.kind, a.slug, a.version, a.digest, a.locale)


# --- administration -----------------------------------------------------------------------------


class Webhooks:
    """Registering and removing receivers, and reading their delivery log."""

    def __init__(self, engine: AsyncEngine, grace: dt.timedelta = DEFAULT_GRACE) -> None:
        self.engine = engine
        self.grace = grace

    @classmethod
    def from_database(cls, database: Database, grace: dt.timedelta = DEFAULT_GRACE) -> Webhooks:
        return cls(database.engine, grace)

    async def add(self, url: str, events: list[Event], actor: str) -> tuple[Webhook, str]:
        """Register a receiver; returns it with its signing secret, shown this once."""
        secret = wire.new_secret()
        now = utcnow()
        async with writer(self.engine).begin() as conn:
            result = await conn.execute(
                webhooks.insert().values(url=url, events=",".join(events), secret=secret, created_at=now)
            )
            hook_id: int = result.inserted_primary_key[0]  # type: ignore[index]  # one-column key
            await record(conn, actor, "add_webhook", None, None, None, None, None, url)
        return Webhook(id=hook_id, url=url, events=events, created_at=now), secret

    async def built_in(self, urls: list[str]) -> None:
        """Register each Varnish of ``FOLIO_PURGE_VARNISH`` as a ``cache.purge`` receiver (api.purge),
        and remove the ones no longer configured; their deliveries are the purge log."""
        wanted = {BUILT_IN + url.rstrip("/") for url in urls}
        async with writer(self.engine).begin() as conn:
            rows = await conn.execute(
                sa.select(webhooks.c.id, webhooks.c.url).where(
                    webhooks.c.deleted_at.is_(None), webhooks.c.url.startswith(BUILT_IN)
                )
            )
            have = {r.url: r.id for r in rows}
            gone = [hook for url, hook in have.items() if url not in wanted]
            if gone:
                await conn.execute(
                    webhooks.update().where(webhooks.c.id.in_(gone)).values(deleted_at=utcnow())
                )
            for url in sorted(wanted - have.keys()):
                await conn.execute(
                    webhooks.insert().values(
                        url=url, events="cache.purge", secret=wire.new_secret(), created_at=utcnow()
                    )
                )

    @retried
    async def all(self) -> list[Webhook]:
        """Every receiver not removed."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(webhooks).where(webhooks.c.deleted_at.is_(None)))
            return [
                Webhook(id=r.id, url=r.url, events=r.events.split(","), created_at=as_utc(r.created_at))
                for r in rows
            ]

    async def remove(self, hook_id: int, actor: str) -> None:
        """Remove a receiver; its pending deliveries fail ("webhook removed")."""
        async with writer(self.engine).begin() as conn:
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

    async def rotate(self, hook_id: int, actor: str) -> tuple[str, dt.datetime]:
        """A new signing secret, shown this once; the one it replaces keeps signing beside it
        until the time returned (now + the grace period), then stops."""
        secret, now = wire.new_secret(), utcnow()
        until = now + self.grace
        async with writer(self.engine).begin() as conn:
            old = await conn.scalar(
                sa.select(webhooks.c.secret).where(webhooks.c.id == hook_id, webhooks.c.deleted_at.is_(None))
            )
            if old is None:
                raise NotFound(f"No webhook {hook_id}.")
            await conn.execute(webhooks.update().where(webhooks.c.id == hook_id).values(secret=secret))
            await conn.execute(
                webhook_secrets.insert().values(
                    webhook_id=hook_id, secret=old, created_at=now, expires_at=until
                )
            )
            await record(conn, actor, "rotate_webhook_secret", None, None, None, None, None, str(hook_id))
        return secret, until

    @retried
    async def deliveries(self, hook_id: int, limit: int = 100) -> list[Delivery]:
        """A receiver's deliveries, newest first."""
        async with self.engine.connect() as conn:
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
                    message_id=r.message_id,
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


# --- delivery -----------------------------------------------------------------------------------


class Deliverer:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        poll_seconds: float,
        backoff_base: float,
        timeout: float,
        egress: EgressPolicy | None = None,
    ) -> None:
        self.engine = writer(engine)
        self.poll_seconds = poll_seconds
        self.backoff_base = backoff_base
        self.timeout = timeout
        self.egress = egress or EgressPolicy()

    @classmethod
    def from_database(
        cls,
        database: Database,
        *,
        poll_seconds: float,
        backoff_base: float,
        timeout: float,
        egress: EgressPolicy | None = None,
    ) -> Deliverer:
        return cls(
            database.engine,
            poll_seconds=poll_seconds,
            backoff_base=backoff_base,
            timeout=timeout,
            egress=egress,
        )

    def client(self) -> httpx.AsyncClient:
        """No redirects, no proxies from the environment, and no kept connections: each delivery
        connects to the address it checked, and a TLS connection made for one name is never
        reused for another name on the same address."""
        return httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def run(self) -> None:
        async with self.client() as client:
            while True:
                try:
                    while await self.deliver_one(client):
                        pass
                except Exception:  # the loop must outlive a bad row or a database hiccup
                    log.exception("webhook delivery loop error")
                await asyncio.sleep(self.poll_seconds)

    async def deliver_one(self, client: httpx.AsyncClient) -> bool:
        """Claim and send one due delivery; False when none is due."""
        now = utcnow()
        async with self.engine.begin() as conn:
            row = await due(conn, now)
            if row is None:
                return False
            if not await take(conn, row.id, now):
                return True  # another worker took it; look again
            signing = await signing_secrets(conn, row.webhook_id, row.secret, now)
        # Migration 0010 gave earlier rows this same id; a row without one still gets a stable id.
        message_id = row.message_id or f"msg_folio{row.id}"
        status: int | None = None
        error: str | None = None
        try:
            if row.url.startswith(BUILT_IN):  # a Varnish of FOLIO_PURGE_VARNISH: the operator's own
                status = await purge_varnish(client, row.url.removeprefix(BUILT_IN), row.payload)
            else:
                headers = wire.headers(message_id, int(now.timestamp()), row.payload, signing)
                status = await self._post(client, row.url, row.payload, headers)
            if not 200 <= status < 300:
                error = f"receiver answered {status}"
        except Refused as exc:
            error = f"refused: {exc.reason}"
        except (httpx.HTTPError, msgspec.ValidationError, ValueError) as exc:  # ...or a purge it cannot read
            error = f"{type(exc).__name__}: {exc}"
        attempts = row.attempts + 1
        values: dict[str, object] = {
            "attempts": attempts,
            "last_status": status,
            "last_error": error,
            "claimed_until": None,
        }
        if error is None:
            values |= {"status": "delivered", "delivered_at": utcnow()}
        elif attempts >= MAX_ATTEMPTS:
            values |= {"status": "failed"}
        else:
            values |= {"next_attempt_at": utcnow() + backoff(attempts, self.backoff_base)}
        async with self.engine.begin() as conn:
            await conn.execute(deliveries.update().where(deliveries.c.id == row.id).values(**values))
        log.info("webhook delivery %s to %s: %s", row.id, row.url, error or "delivered")
        return True

    async def _post(
        self, client: httpx.AsyncClient, url: str, payload: bytes, headers: dict[str, str]
    ) -> int:
        """POST a delivery to the address its URL was checked to (``api.egress``); the status."""
        target = await self.egress.check(url)
        extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
        response = await client.post(
            target.pinned_url,
            content=payload,
            headers=headers | {"Host": target.host_header},
            extensions=extensions,
        )
        return response.status_code
